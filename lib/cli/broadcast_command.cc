// `superbet broadcast`: runs the broadcast plant (include/superbet/broadcast/plant.h) over a file
// of Prediction JSON lines, embedded (in-process streams) by default or on a Redis server.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "cli/command.h"
#include "cli/flags.h"
#include "superbet/broadcast/plant.h"
#include "superbet/broadcast/publishers.h"
#include "superbet/bus/embedded_transport.h"
#include "superbet/bus/redis_transport.h"
#include "superbet/core/clock.h"
#include "superbet/core/json_string.h"
#include "superbet/core/progress.h"

ABSL_FLAG(std::string, input, "", "Prediction JSON lines to broadcast.");
ABSL_FLAG(std::string, redis, "", "redis://HOST[:PORT][/DB]; empty: embedded streams.");
ABSL_FLAG(std::string, sink, "stdout", "dir:PATH, stdout or live.");
ABSL_FLAG(std::string, platforms, "twitter,telegram", "Enabled platforms.");
ABSL_FLAG(std::string, clock, "replay", "replay or system.");
ABSL_FLAG(int64_t, jitter_seed, 42, "Seed of the retry jitter.");

namespace superbet::cli {
namespace {

constexpr char kUsage[] =
    R"(superbet broadcast: run the broadcast plant over Prediction JSON lines.

Usage: superbet broadcast --input PATH.jsonl [--redis redis://127.0.0.1:6379]
         [--sink dir:OUT|stdout|live] [--platforms twitter,telegram,android]
         [--clock replay|system] [--jitter_seed N] [--json PATH]

Each line (a Prediction in the protobuf JSON mapping, as written by the paper ledger and by
`superbet backtest --emit-predictions`) goes through the filter (confidence 0.65, VSNR 2.2,
CAS 1.0), the priority score and tier, the X / Telegram / FCM formatters and the CloudEvent,
then through the streams risk.verified -> broadcast.queue.priority ->
broadcast.outbox.{platform} with the rate limits (X 10/h 50/d, Telegram 30/h 200/d, Android
100/h 1000/d, global 200/d), a circuit breaker per platform, retries with equal jitter, the
15-minute digest buffer and the dead-letter queue broadcast.dlq. Every event ends published
(per platform), dropped with a reason, or in the DLQ with a reason; none is sent twice.

Flags:
  --input PATH      the JSON lines (required; '-' or /dev/stdin reads a pipe). Bad lines are
                    counted by field and printed with their line number, never fatal.
  --redis URL       run on a Redis server (streams, consumer groups, Lua token buckets);
                    without it the plant runs embedded, in process, with the same semantics.
  --sink S          dir:OUT  one file OUT/{platform}/{event id}.json per event and platform
                             (the CloudEvent; OUT must exist);
                    stdout   one line {"platform":..., "event":<CloudEvent>} per publish
                             (default);
                    live     the real APIs, credentials from the environment: X_API_KEY,
                             X_API_SECRET, X_ACCESS_TOKEN, X_ACCESS_TOKEN_SECRET (X API v2);
                             TELEGRAM_BOT_TOKEN, TELEGRAM_CHAT_ID (Bot API);
                             GOOGLE_APPLICATION_CREDENTIALS, FCM_TOPIC (FCM HTTP v1); the
                             X and Telegram ones also as NAME_FILE (a file holding the value);
                             X_API_BASE, TELEGRAM_API_BASE, FCM_API_BASE override base URLs.
                             Credentials never appear in output or errors.
  --platforms LIST  enabled platforms, comma-separated (default twitter,telegram; android is
                    phase 2).
  --clock MODE      replay (default): the plant's time follows the predictions' decided_at
                    (lines taken in decision-time order, e.g. emit-predictions' strategies one
                    after another), so a season runs in seconds with rate limits and digest
                    buckets behaving as in real time; system: the wall clock, lines in file
                    order (waits really wait).
  --jitter_seed N   seed of the retry jitter (same seed, same run; default 42).
  --json PATH       also write the report as JSON ('-' = stdout, not with --sink stdout; the
                    text report then goes to stderr).

Report: input lines, accepted, rejected lines by field, dropped per reason, passed filter,
published per platform and tier, DLQ per platform and reason, duplicates suppressed (a passing
event whose id was already published on the platform: never posted twice), rate-limited waits,
digest flushes. Each rejected line is also printed on stderr as "rejected line N: <field>:
<problem>, got <value>" (the first 100; all are counted).

Exit codes: 0 success, 1 the run failed (input unreadable, Redis unreachable, a sink error),
2 bad usage.
)";

std::string MapJson(const std::map<std::string, int64_t>& m) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : m) parts.push_back(absl::StrCat(core::JsonString(k), ":", v));
  return absl::StrCat("{", absl::StrJoin(parts, ","), "}");
}

std::string ReportJson(const broadcast::PlantMetrics& m) {
  std::vector<std::string> pub, dlq, attempts;
  for (const auto& [p, pm] : m.platforms) {
    pub.push_back(absl::StrCat("\"", p, "\":", MapJson(pm.published_by_tier)));
    dlq.push_back(absl::StrCat("\"", p, "\":", MapJson(pm.dlq_by_reason)));
    attempts.push_back(absl::StrCat("\"", p, "\":{\"attempts\":", pm.publish_attempts,
                                    ",\"errors\":", MapJson(pm.publish_errors),
                                    ",\"rate_limited\":", pm.rate_limited,
                                    ",\"digest_buffered\":", pm.digest_buffered,
                                    ",\"digest_flushed_published\":", pm.digest_flushed_published,
                                    ",\"duplicates_suppressed\":", pm.duplicates_suppressed, "}"));
  }
  std::vector<std::string> rejected_lines;
  for (const std::string& r : m.rejected_lines) rejected_lines.push_back(core::JsonString(r));
  return absl::StrCat(
      "{\"input_lines\":", m.input_lines, ",\"accepted\":", m.accepted,
      ",\"rejected\":", MapJson(m.rejected_by_reason), ",\"rejected_lines\":[",
      absl::StrJoin(rejected_lines, ","), "]", ",\"dropped\":", MapJson(m.dropped_by_reason),
      ",\"passed_filter\":", m.passed_filter, ",\"published\":{", absl::StrJoin(pub, ","),
      "},\"digest_flushes\":", m.digest_flushes, ",\"dlq\":{", absl::StrJoin(dlq, ","),
      "},\"platforms\":{", absl::StrJoin(attempts, ","), "}}");
}

std::string ReportText(const broadcast::PlantMetrics& m) {
  std::string out = absl::StrCat("input lines      ", m.input_lines, "\naccepted         ",
                                 m.accepted, "\nrejected         ");
  int64_t rejected = 0;
  for (const auto& [k, v] : m.rejected_by_reason) rejected += v;
  absl::StrAppend(&out, rejected, "\n");
  for (const auto& [k, v] : m.rejected_by_reason) absl::StrAppend(&out, "  ", k, "  ", v, "\n");
  int64_t dropped = 0;
  for (const auto& [k, v] : m.dropped_by_reason) dropped += v;
  absl::StrAppend(&out, "dropped          ", dropped, "\n");
  for (const auto& [k, v] : m.dropped_by_reason) absl::StrAppend(&out, "  ", k, "  ", v, "\n");
  absl::StrAppend(&out, "passed filter    ", m.passed_filter, "\n");
  for (const auto& [p, pm] : m.platforms) {
    int64_t total = 0;
    for (const auto& [t, n] : pm.published_by_tier) total += n;
    absl::StrAppend(&out, "published ", p, "  ", total);
    for (const auto& [t, n] : pm.published_by_tier) absl::StrAppend(&out, "  ", t, "=", n);
    absl::StrAppend(&out, "\n");
    int64_t dlq = 0;
    for (const auto& [r, n] : pm.dlq_by_reason) dlq += n;
    absl::StrAppend(&out, "dlq ", p, "  ", dlq, "\n");
    for (const auto& [r, n] : pm.dlq_by_reason) absl::StrAppend(&out, "  ", r, "  ", n, "\n");
    // The rest of the passing events: already published under the same event id.
    absl::StrAppend(&out, "duplicates suppressed ", p, "  ", pm.duplicates_suppressed,
                    "\nrate-limited waits ", p, "  ", pm.rate_limited, "\n");
  }
  absl::StrAppend(&out, "digest flushes   ", m.digest_flushes, "\n");
  return out;
}

int Fail(const std::string& msg, int code) {
  std::fprintf(stderr, "superbet broadcast: %s\n", msg.c_str());
  return code;
}

int RunBroadcastCommand(const std::vector<std::string>& args) {
  if (!args.empty()) return Fail(absl::StrCat("unexpected argument '", args[0], "'"), 2);
  if (absl::Status s = CheckJsonDestination(); !s.ok()) return Fail(std::string(s.message()), 2);
  if (absl::GetFlag(FLAGS_json) == "-" && absl::GetFlag(FLAGS_sink) == "stdout") {
    return Fail(
        "--json -: stdout carries the stdout sink's events; write the report to a file "
        "or use --sink dir:PATH",
        2);
  }
  // '-' is stdin (as '-' is stdout for --json): backtest --emit-predictions - | broadcast --input
  // -.
  const std::string input =
      absl::GetFlag(FLAGS_input) == "-" ? "/dev/stdin" : absl::GetFlag(FLAGS_input);
  if (input.empty()) return Fail("--input is required", 2);
  const std::string clock_mode = absl::GetFlag(FLAGS_clock);
  if (clock_mode != "replay" && clock_mode != "system") {
    return Fail(absl::StrCat("--clock: invalid value '", clock_mode, "' (replay or system)"), 2);
  }
  broadcast::PlantOptions options;
  options.platforms = absl::StrSplit(absl::GetFlag(FLAGS_platforms), ',', absl::SkipEmpty());
  options.seed = static_cast<uint64_t>(absl::GetFlag(FLAGS_jitter_seed));
  if (absl::Status s = broadcast::ValidatePlantOptions(options); !s.ok()) {
    return Fail(absl::StrCat("--platforms: ", s.message()), 2);
  }
  const std::string sink = absl::GetFlag(FLAGS_sink);
  if (sink != "stdout" && sink != "live" && !absl::StartsWith(sink, "dir:")) {
    return Fail(absl::StrCat("--sink: invalid value '", sink, "' (dir:PATH, stdout or live)"), 2);
  }
  std::unique_ptr<bus::RedisAddress> redis;
  if (!absl::GetFlag(FLAGS_redis).empty()) {
    auto a = bus::ParseRedisUrl(absl::GetFlag(FLAGS_redis));
    if (!a.ok()) return Fail(absl::StrCat("--redis: ", a.status().message()), 2);
    redis = std::make_unique<bus::RedisAddress>(*a);
  }

  // A folder opens as a stream that reads nothing: say so rather than report 0 lines.
  std::error_code ec;
  if (std::filesystem::is_directory(input, ec)) {
    return Fail(absl::StrCat("--input: '", input, "' is a folder, not a file of JSON lines"), 1);
  }
  std::ifstream in(input);
  if (!in) return Fail(absl::StrCat("--input: cannot read '", input, "'"), 1);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    lines.push_back(std::move(line));
  }

  // Clock: a replay clock starting at the first decision, or the system clock.
  core::FakeClock replay(absl::UnixEpoch());
  const core::Clock* clock = &core::SystemClock::Instance();
  broadcast::SleepFn sleep = [](absl::Duration d) { absl::SleepFor(d); };
  if (clock_mode == "replay") {
    clock = &replay;
    // On Redis, idle times (XAUTOCLAIM of a dead consumer's entries) are the server's real time:
    // let a little real time pass with each replay wait so such entries are eventually reclaimed.
    const bool on_redis = redis != nullptr;
    sleep = [&replay, on_redis](absl::Duration d) {
      replay.Advance(d);
      if (on_redis) absl::SleepFor(std::min(d, absl::Milliseconds(10)));
    };
  }

  std::unique_ptr<bus::Transport> transport;
  if (redis) {
    auto t = bus::RedisTransport::Connect(*redis);
    if (!t.ok()) return Fail(std::string(t.status().message()), 1);
    transport = *std::move(t);
  } else {
    transport = std::make_unique<bus::EmbeddedTransport>(*clock);
  }

  // Publishers. Human output goes to stderr when the sink is stdout.
  std::vector<std::unique_ptr<broadcast::Publisher>> owned;
  std::map<std::string, broadcast::Publisher*> publishers;
  for (const std::string& p : options.platforms) {
    if (absl::StartsWith(sink, "dir:")) {
      auto d = broadcast::DirSink::Create(sink.substr(4), p);
      if (!d.ok()) return Fail(std::string(d.status().message()), 2);
      owned.push_back(*std::move(d));
    } else if (sink == "stdout") {
      owned.push_back(std::make_unique<broadcast::StreamSink>(stdout, p));
    } else if (p == "twitter") {
      auto c = broadcast::LoadXCredentials();
      if (!c.ok()) return Fail(std::string(c.status().message()), 1);
      owned.push_back(std::make_unique<broadcast::XPublisher>(*c, *clock, options.seed));
    } else if (p == "telegram") {
      auto c = broadcast::LoadTelegramCredentials();
      if (!c.ok()) return Fail(std::string(c.status().message()), 1);
      owned.push_back(std::make_unique<broadcast::TelegramPublisher>(*c));
    } else {
      auto c = broadcast::LoadFcmCredentials();
      if (!c.ok()) return Fail(std::string(c.status().message()), 1);
      owned.push_back(std::make_unique<broadcast::FcmPublisher>(*c, *clock));
    }
    publishers[p] = owned.back().get();
  }

  auto plant =
      broadcast::BroadcastPlant::Create(options, transport.get(), clock, sleep, publishers);
  if (!plant.ok()) return Fail(std::string(plant.status().message()), 2);
  if (absl::Status s = (*plant)->Start(); !s.ok()) return Fail(std::string(s.message()), 1);
  // Live on Redis: persistent stage workers, each stage (main, priority, each platform) on its own
  // connection and thread (the replay clock stays single-threaded so that a replay is repeatable;
  // stdout is shared, so it stays too).
  const bool workers = redis && clock_mode == "system" && sink != "stdout";
  if (workers) {
    const bus::RedisAddress address = *redis;
    absl::Status s =
        (*plant)->StartWorkers([address]() -> absl::StatusOr<std::unique_ptr<bus::Transport>> {
          auto t = bus::RedisTransport::Connect(address);
          if (!t.ok()) return t.status();
          return std::unique_ptr<bus::Transport>(*std::move(t));
        });
    if (!s.ok()) return Fail(std::string(s.message()), 1);
  }
  core::ProgressBar bar(static_cast<int64_t>(std::max<size_t>(1, lines.size())), "broadcast");
  size_t last = 0;
  const absl::Status run = broadcast::FeedAndDrain(
      **plant, lines, clock_mode == "replay" ? &replay : nullptr, [&](size_t done) {
        bar.Advance(static_cast<int64_t>(done - last));
        last = done;
      });
  bar.Done();
  std::fflush(stdout);
  const absl::Status stopped = (*plant)->StopWorkers();
  if (!run.ok()) return Fail(std::string(run.message()), 1);
  if (!stopped.ok()) return Fail(std::string(stopped.message()), 1);
  const broadcast::PlantMetrics m = (*plant)->metrics();
  // Each rejected line (the first kMaxRejectedLineMessages): line number, JSON path and value.
  int64_t rejected = 0;
  for (const auto& [k, v] : m.rejected_by_reason) rejected += v;
  for (const std::string& r : m.rejected_lines) {
    std::fprintf(stderr, "superbet broadcast: rejected %s\n", r.c_str());
  }
  if (rejected > static_cast<int64_t>(m.rejected_lines.size())) {
    std::fprintf(stderr, "superbet broadcast: ... and %lld more rejected lines (counted below)\n",
                 static_cast<long long>(rejected - static_cast<int64_t>(m.rejected_lines.size())));
  }
  std::FILE* human = sink == "stdout" ? stderr : HumanOutput();
  std::fputs(ReportText(m).c_str(), human);
  return WriteJsonOutput(ReportJson(m)) ? 0 : 1;
}

}  // namespace
}  // namespace superbet::cli

SUPERBET_REGISTER_COMMAND(broadcast, "broadcast",
                          "Run the broadcast plant over Prediction JSON lines.",
                          superbet::cli::kUsage, &superbet::cli::RunBroadcastCommand, {"json"});
