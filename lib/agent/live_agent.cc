#include "superbet/agent/live_agent.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "superbet/agent/ledger_restore.h"
#include "superbet/bus/redis_transport.h"
#include "superbet/hrl/live_worker.h"

namespace superbet::agent {
namespace {

// `s` with `what` before its message, same code.
absl::Status Prefixed(const absl::Status& s, const std::string& what) {
  return absl::Status(s.code(), absl::StrCat(what, s.message()));
}

}  // namespace

absl::Status CheckLiveAgentOptions(const LiveAgentOptions& o) {
  if (o.checkpoint.empty()) return absl::InvalidArgumentError("checkpoint DIR is required");
  if (auto url = bus::ParseRedisUrl(o.redis); !o.redis.empty() && !url.ok()) {
    return Prefixed(url.status(), "redis: ");
  }
  if (o.live.max_deliveries < 1 || o.live.max_deliveries > 100) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_deliveries must be in [1, 100], got ", o.live.max_deliveries));
  }
  if (o.live.claim_idle_ms < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("claim_idle_ms must be >= 1 ms, got ", o.live.claim_idle_ms));
  }
  if (!std::isfinite(o.bankroll) || o.bankroll <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("bankroll must be a finite amount > 0 (currency units), got ", o.bankroll));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<LiveAgent>> LiveAgent::Create(const LiveAgentOptions& options,
                                                             core::MetricsRegistry& registry,
                                                             const core::Clock& clock) {
  std::unique_ptr<LiveAgent> a(new LiveAgent(options, registry, clock));
  if (!options.ledger.empty()) {
    auto opened = core::AppendLog::Open(options.ledger);
    if (!opened.ok())
      return Prefixed(opened.status(), absl::StrCat("ledger ", options.ledger, ": "));
    a->ledger_log_ = *std::move(opened);
    a->ledger_ = a->ledger_log_->NewStream();
    a->settle_ledger_ = a->ledger_log_->NewStream();
  }
  hrl::LiveDeciderOptions d;
  d.initial_bankroll = options.bankroll;
  d.ledger = a->ledger_.get();
  d.ledger_recovers = true;  // The ledger streams are core::AppendLog streams.
  const std::string what = absl::StrCat("checkpoint ", options.checkpoint, ": ");
  auto loaded = hrl::LiveDecider::Load(options.checkpoint, d);
  if (!loaded.ok()) return Prefixed(loaded.status(), what);
  a->decider_ = *std::move(loaded);
  spdlog::info("loaded {} ({})", a->decider_->checkpoint().model_version(), a->decider_->path());
  auto metrics = DecisionMetrics::Create(registry, *a->decider_);
  if (!metrics.ok()) return Prefixed(metrics.status(), "metrics: ");
  a->metrics_ = *std::move(metrics);
  a->training_ = std::make_unique<TrainingJobs>(options.training, clock);
  // Settlement of every accepted bet, the Decide RPC's included (superbet/agent/settlement_sync.h).
  DecisionMetrics* m = a->metrics_.get();
  auto st = SettlementSync::Create(registry, options.bankroll, a->settle_ledger_.get(),
                                   a->decider_.get(), [m] { m->UpdateBudget(); });
  if (!st.ok()) return Prefixed(st.status(), "settlement: ");
  a->settlement_ = *std::move(st);
  // The ledger IS the agent's state: a restarted agent continues from it.
  if (a->ledger_log_ != nullptr) {
    auto r = RestoreFromLedger(options.ledger, options.bankroll, *a->decider_,
                               a->settlement_->mutable_settler());
    if (!r.ok()) return Prefixed(r.status(), "ledger: ");
    if (r->decisions > 0 || r->settlement_lines > 0) {
      spdlog::info(
          "ledger {}: restored {} decisions ({} accepted), {} settlement lines, bankroll {}, {} "
          "open bets on {} matches",
          options.ledger, r->decisions, r->accepted, r->settlement_lines, r->bankroll, r->open_bets,
          r->open_matches);
    }
    a->metrics_->UpdateBudget();
    a->settlement_->ExportStats();
  }
  return a;
}

LiveAgent::~LiveAgent() { Shutdown(); }

absl::Status LiveAgent::ConnectLiveFeed() {
  if (options_.redis.empty()) return absl::OkStatus();
  auto address = bus::ParseRedisUrl(options_.redis);
  if (!address.ok()) return address.status();
  auto t = bus::RedisTransport::Connect(*address);
  if (!t.ok()) return t.status();
  return ConnectLiveFeed(*std::move(t));
}

absl::Status LiveAgent::ConnectLiveFeed(std::unique_ptr<bus::Transport> transport) {
  DecisionMetrics* m = metrics_.get();
  auto c = LiveConsumer::Create(
      options_.live, std::move(transport), registry_, *decider_, clock_,
      [m](const superbet::v1::LiveMatchState& s, const superbet::v1::Decision& d) {
        m->Count(s, d);
      },
      settlement_.get());
  if (!c.ok()) return c.status();
  live_ = *std::move(c);
  return absl::OkStatus();
}

void LiveAgent::StartLiveFeed(std::function<bool()> stop) {
  if (live_) live_->Start(std::move(stop));
}

void LiveAgent::Shutdown() {
  if (training_) training_->CancelAll();
  if (live_) live_->Join();
  if (ledger_) ledger_->flush();
  if (settle_ledger_) settle_ledger_->flush();
}

absl::Status LiveAgent::Decide(const superbet::v1::DecideRequest& request,
                               superbet::v1::DecideResponse* response) {
  return DecideBatch(*decider_, clock_, request, metrics_.get(), response, settlement_.get());
}

}  // namespace superbet::agent
