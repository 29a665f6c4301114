#include "superbet/adapter/provider_setup.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "superbet/core/file.h"
#include "superbet/providers/api_football/api_football_client.h"
#include "superbet/providers/replay_provider.h"
#include "superbet/providers/statsbomb/statsbomb.h"

namespace superbet::adapter {
namespace {

// `context`: `status` with its message prefixed; an InvalidArgument from the data becomes
// FailedPrecondition (the header's rule: InvalidArgument means a bad option value).
absl::Status FromData(absl::string_view context, const absl::Status& status) {
  const absl::StatusCode code =
      absl::IsInvalidArgument(status) ? absl::StatusCode::kFailedPrecondition : status.code();
  return absl::Status(code, absl::StrCat(context, ": ", status.message()));
}

}  // namespace

absl::StatusOr<ReplayLiveOdds> ParseReplayLiveOdds(absl::string_view text) {
  if (text == "prematch") return ReplayLiveOdds::kPrematch;
  if (text == "modelled") return ReplayLiveOdds::kModelled;
  return absl::InvalidArgumentError(
      absl::StrCat("--replay_live_odds must be prematch or modelled, got ", text));
}

absl::Status ValidateLiveSourceOptions(const LiveSourceOptions& options) {
  if (!(options.speed > 0) || !std::isfinite(options.speed)) {
    return absl::InvalidArgumentError(absl::StrCat("--speed must be > 0, got ", options.speed));
  }
  for (const std::string& id : options.match_ids) {
    if (auto parsed = providers::statsbomb::ParseStatsBombId(id); !parsed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--matches: ", parsed.status().message()));
    }
  }
  return absl::OkStatus();
}

LiveSource::~LiveSource() = default;

absl::StatusOr<std::unique_ptr<LiveSource>> LiveSource::Open(
    const LiveSourceOptions& options, const core::Clock& clock,
    std::function<void(absl::Duration)> sleep) {
  if (absl::Status s = ValidateLiveSourceOptions(options); !s.ok()) return s;
  std::unique_ptr<LiveSource> source(new LiveSource(options));
  const bool stepped = source->replay() && options.stepped;
  if (stepped) source->replay_clock_ = std::make_unique<core::FakeClock>(clock.Now());
  const core::Clock& provider_clock = stepped ? *source->replay_clock_ : clock;
  if (source->replay()) {
    providers::ReplayLoadOptions load;
    load.only_matches = options.match_ids;
    auto data = providers::LoadReplayData(options.replay_root, load);
    if (!data.ok()) return FromData(absl::StrCat("--replay ", options.replay_root), data.status());
    spdlog::info("replay: {} StatsBomb matches, {} API-Football snapshot fixtures, speed {}",
                 data->timelines.size(), data->api_football.size(), options.speed);
    // Stepped: the replay clock's second is one match minute.
    auto replay = providers::ReplayProvider::Create(*std::move(data), provider_clock,
                                                    stepped ? 60 : options.speed);
    if (!replay.ok()) return replay.status();  // InvalidArgument: the speed, validated above.
    source->publish_ids_ = (*replay)->MatchIds();
    if (options.live_odds == ReplayLiveOdds::kModelled) {
      for (const std::string& id : source->publish_ids_) {
        auto match = hrl::PrepareLiveMatch(*(*replay)->FindTimeline(id), {});
        if (!match.ok()) return FromData("--replay_live_odds modelled", match.status());
        source->modelled_.emplace(id, *std::move(match));
      }
    }
    source->inner_ = *std::move(replay);
  } else {
    providers::ApiFootballOptions api;
    api.base_url = options.api_base_url;
    if (!options.api_key_file.empty()) {
      auto key = core::ReadFile(options.api_key_file);
      if (!key.ok()) return FromData("--api_key_file", key.status());
      api.api_key = key->substr(0, key->find_first_of("\r\n"));
    }
    if (api.api_key.empty()) api.api_key = options.env_api_key;
    if (api.api_key.empty()) {
      // Every live read would fail: refuse to start rather than serve nothing but errors.
      return absl::InvalidArgumentError(
          "live mode (no --replay) needs the API-Football key: --api_key_file FILE (first line) "
          "or $SUPERBET_APIFOOTBALL_KEY");
    }
    source->inner_ = std::make_unique<providers::ApiFootballClient>(api, clock);
  }
  providers::ResilientProviderOptions resilient;
  resilient.seed = options.seed;
  if (!options.store_url.empty()) {
    auto opened = store::Store::Open(options.store_url, provider_clock);
    if (!opened.ok()) {
      return absl::Status(opened.status().code(),
                          absl::StrCat("--store: ", opened.status().message()));
    }
    source->store_ = *std::move(opened);
    store::UseStoreForFallback(*source->store_, resilient, &source->store_counters_);
  }
  source->provider_ = std::make_unique<providers::ResilientProvider>(
      source->inner_.get(), provider_clock, std::move(sleep), resilient);
  return source;
}

}  // namespace superbet::adapter
