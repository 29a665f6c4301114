// The data source of a long-running live-data process (adapter-svc, without gRPC): from plain
// options, opens the inner provider, the optional store fallback and the ResilientProvider every
// read goes through.
//
// Replay (options.replay_root set): LoadReplayData + ReplayProvider over a data root laid out like
// ../shared/data (StatsBomb timelines minute by minute, API-Football fixtures?live=all snapshots).
// Not stepped, the replay runs on the caller's clock at `speed` match minutes per clock minute.
// Stepped (a publisher steps the replay, live_publisher.h), the provider reads a FakeClock owned
// by the source, started at clock.Now(), whose second is one match minute (ReplayProvider speed
// 60), so no minute is skipped however slowly the publisher runs.
// Live (no replay_root): the API-Football v3 API over HTTP (ApiFootballClient at api_base_url);
// the key is the first line of api_key_file, else env_api_key (the caller's value of
// $SUPERBET_APIFOOTBALL_KEY: the library reads no environment).
// Either way reads go through providers::ResilientProvider (breaker: 3 failures open it for 60 s;
// jittered retries seeded by `seed`; the 5-minute fallback window). With store_url, live states
// are written to live_stats as they are read and a failed live read is answered from the store
// (store/provider_fallback.h).
//
// Errors follow one rule, so that a command-line front end can map them to exit codes: a bad
// option value is InvalidArgument naming the option by its flag ("--speed must be > 0, got 0");
// anything else (data that does not load, a key file that cannot be read, a store that cannot be
// reached) keeps its own code, except that an InvalidArgument from the data is returned as
// FailedPrecondition (the data, not the option, is wrong).
//
// Sources: API-Football v3 documentation (api-football.com/documentation-v3); StatsBomb open data
// specification (github.com/statsbomb/open-data).
#ifndef SUPERBET_ADAPTER_PROVIDER_SETUP_H_
#define SUPERBET_ADAPTER_PROVIDER_SETUP_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "superbet/core/clock.h"
#include "superbet/hrl/live_env.h"
#include "superbet/providers/provider.h"
#include "superbet/providers/resilient_provider.h"
#include "superbet/store/provider_fallback.h"
#include "superbet/store/store.h"

namespace superbet::adapter {

// The live 1X2 prices a replay publishes in its states (--replay_live_odds).
enum class ReplayLiveOdds {
  kPrematch,  // The recorded pre-match 1X2 (what ReplayProvider puts in live_odds).
  kModelled,  // The in-play prices the agents' training environment models for each minute
              // (hrl::PrepareLiveMatch; no in-play prices were recorded).
};

// "prematch" or "modelled". Errors: InvalidArgument "--replay_live_odds must be prematch or
// modelled, got X".
[[nodiscard]] absl::StatusOr<ReplayLiveOdds> ParseReplayLiveOdds(absl::string_view text);

// What to open. Each field names the adapter-svc flag it comes from.
struct LiveSourceOptions {
  std::string replay_root;  // --replay: a data root; empty = live API-Football.
  // --matches (replay): StatsBomb ids, "statsbomb:<id>" or bare; empty = every recorded match.
  std::vector<std::string> match_ids;
  double speed = 60;     // --speed (replay): match minutes per clock minute, finite and > 0.
  bool stepped = false;  // Replay only: a publisher steps the replay clock (see the file comment).
  ReplayLiveOdds live_odds = ReplayLiveOdds::kPrematch;            // --replay_live_odds (replay).
  std::string api_base_url = "https://v3.football.api-sports.io";  // --api_base_url (live).
  std::string api_key_file;  // --api_key_file (live): the key is its first line.
  std::string env_api_key;   // $SUPERBET_APIFOOTBALL_KEY's value ("" when unset), live mode.
  uint64_t seed = 0;         // --seed: the retry jitter's.
  std::string store_url;     // --store: "sqlite:PATH" or "postgres://..."; empty = no store.
};

// Checks the values that need no I/O. Errors: InvalidArgument "--speed must be > 0, got X" (also
// for NaN and infinities; checked in live mode too, as adapter-svc always did); "--matches: not a
// StatsBomb id ("statsbomb:<integer>"): "x"" for a malformed id (an id the data lacks is the
// data's NotFound, from Open).
[[nodiscard]] absl::Status ValidateLiveSourceOptions(const LiveSourceOptions& options);

// The opened source. Ownership: owns the inner provider, the store, the store counters, the
// replay clock and the ResilientProvider (which borrows all of them); the caller's clock and
// sleep function must outlive it. Thread-safety: provider() is as thread-safe as
// ResilientProvider (thread-safe); the accessors are const and thread-safe; replay_clock() is
// advanced by one publisher thread (FakeClock is thread-safe).
class LiveSource {
 public:
  // Opens the source described by `options` (see the file comment). `clock`: the wall clock (the
  // live client's, and the replay's when not stepped); `sleep`: the retry backoff's sleep.
  // Logs "replay: N StatsBomb matches, M API-Football snapshot fixtures, speed S" in replay mode.
  // Errors (file comment's rule):
  //   InvalidArgument: as ValidateLiveSourceOptions; "live mode (no --replay) needs the
  //     API-Football key: --api_key_file FILE (first line) or $SUPERBET_APIFOOTBALL_KEY" when
  //     neither gives a key; "--store: ..." for a bad store URL (Store::Open's InvalidArgument).
  //   Otherwise: "--replay ROOT: ..." (LoadReplayData's error, NotFound for an unknown match),
  //     "--replay_live_odds modelled: ..." (PrepareLiveMatch's), "--api_key_file: ..." (the read
  //     error), "--store: ..." (the connection error).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<LiveSource>> Open(
      const LiveSourceOptions& options, const core::Clock& clock,
      std::function<void(absl::Duration)> sleep);

  LiveSource(const LiveSource&) = delete;
  LiveSource& operator=(const LiveSource&) = delete;
  ~LiveSource();

  // Every read goes through this one.
  providers::ResilientProvider& provider() { return *provider_; }
  // The inner provider's name: "replay" or "api-football" (the match.live `provider` field).
  std::string provider_name() const { return inner_->name(); }
  bool replay() const { return !options_.replay_root.empty(); }
  // Non-null only when stepped: the replay's clock (one second = one match minute).
  core::FakeClock* replay_clock() { return replay_clock_.get(); }
  // Replay: the StatsBomb match ids ("statsbomb:<id>", by kickoff), the matches a publisher
  // streams (the API-Football snapshots are fixed moments). Live: empty (those live at the time).
  const std::vector<std::string>& publish_ids() const { return publish_ids_; }
  // With ReplayLiveOdds::kModelled: each replayed match prepared by hrl::PrepareLiveMatch, by
  // match id (its `quoted[k]` are minute k's modelled prices). Otherwise empty.
  const std::map<std::string, hrl::LiveMatch>& modelled() const { return modelled_; }
  // The store side of the fallback (all 0 without store_url).
  const store::StoreFallbackCounters& store_counters() const { return store_counters_; }
  const LiveSourceOptions& options() const { return options_; }

 private:
  explicit LiveSource(LiveSourceOptions options) : options_(std::move(options)) {}

  const LiveSourceOptions options_;
  std::unique_ptr<core::FakeClock> replay_clock_;
  std::unique_ptr<providers::Provider> inner_;
  std::unique_ptr<store::Store> store_;
  store::StoreFallbackCounters store_counters_;
  std::vector<std::string> publish_ids_;
  std::map<std::string, hrl::LiveMatch> modelled_;
  std::unique_ptr<providers::ResilientProvider> provider_;  // Last: destroyed first.
};

}  // namespace superbet::adapter

#endif  // SUPERBET_ADAPTER_PROVIDER_SETUP_H_
