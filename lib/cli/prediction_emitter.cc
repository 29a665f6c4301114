#include "cli/prediction_emitter.h"

#include <algorithm>
#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "superbet/model/selection.h"
#include "superbet/scoring/metrics.h"
#include "superbet/scoring/prediction_json.h"

namespace superbet::cli {
namespace {

void SetOneXTwo(v1::OneXTwo* x, int index, double value) {
  if (index == 0) x->set_home(value);
  if (index == 1) x->set_draw(value);
  if (index == 2) x->set_away(value);
}

absl::Time ToTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  const absl::Duration since = t - absl::UnixEpoch();
  ts.set_seconds(absl::ToInt64Seconds(since));
  ts.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(since % absl::Seconds(1))));
  return ts;
}

// decided_at − the pick's pre-match price time, when that time is an observation (not the
// kickoff placeholder of football-data.co.uk).
std::optional<double> Staleness(const backtest::MatchView& m, v1::Selection pick,
                                absl::Time decided_at) {
  const absl::Time kickoff = ToTime(m.fixture.kickoff());
  for (const v1::BettingLine& l : m.lines) {
    if (l.market() != v1::MARKET_1X2 || l.selection() != pick || l.is_closing() || l.is_live() ||
        !l.has_timestamp()) {
      continue;
    }
    const absl::Time observed = ToTime(l.timestamp());
    if (observed == kickoff || observed > decided_at) return std::nullopt;
    return absl::ToDoubleSeconds(decided_at - observed);
  }
  return std::nullopt;
}

}  // namespace

PredictionEmitter::PredictionEmitter(std::ostream* out, absl::Span<const v1::BettingLine> lines)
    : out_(out) {
  for (const v1::BettingLine& l : lines) {
    if (IsVsnrQuote(l)) closing_[l.fixture_id()].push_back(&l);
  }
}

std::string BacktestModelVersion(const std::string& strategy, absl::string_view model_kind) {
  return strategy == "model" ? std::string(model_kind) : "market-margin-free";
}

bool IsVsnrQuote(const v1::BettingLine& l) {
  return l.is_closing() && !l.is_live() && l.market() == v1::MARKET_1X2 &&
         l.bookmaker() != "market_max" && l.bookmaker() != "market_average";
}

absl::StatusOr<v1::Prediction> PredictionOfBet(const backtest::BetPlacement& bet,
                                               const std::string& agent,
                                               const std::string& model_version,
                                               scoring::EvaluationTracker& tracker,
                                               absl::Span<const v1::BettingLine* const> closing,
                                               int64_t* rejected_quotes) {
  const backtest::MatchView& m = *bet.match;
  const backtest::Decision& d = *bet.decision;
  const int pick = model::OneXTwoIndex(d.selection);
  if (pick < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("selection ", v1::Selection_Name(d.selection), " is not a 1X2 outcome"));
  }
  v1::Prediction p;
  p.set_match_id(m.fixture.id());
  p.set_home(m.fixture.home().name());
  p.set_away(m.fixture.away().name());
  *p.mutable_kickoff() = m.fixture.kickoff();
  p.set_pick(std::string(scoring::PickName(pick)));
  p.set_action(pick == 0   ? v1::ACTION_BET_HOME
               : pick == 1 ? v1::ACTION_BET_DRAW
                           : v1::ACTION_BET_AWAY);
  if (d.probabilities.has_value()) {
    for (int i = 0; i < 3; ++i) SetOneXTwo(p.mutable_prob(), i, (*d.probabilities)[i]);
  }
  SetOneXTwo(p.mutable_prob(), pick, d.probability);
  for (int i = 0; i < 3; ++i) SetOneXTwo(p.mutable_odds(), i, m.decimal_odds[i]);
  p.set_confidence(1.0);
  if (absl::Status s = scoring::SetPickMetrics(p); !s.ok()) return s;
  // VSNR: the pick evaluated at each closing quote, in time order (stable: data order on ties).
  std::vector<const v1::BettingLine*> quotes;
  for (const v1::BettingLine* l : closing) {
    if (IsVsnrQuote(*l) && l->selection() == d.selection &&
        ToTime(l->timestamp()) <= bet.decided_at) {
      quotes.push_back(l);
    }
  }
  std::stable_sort(quotes.begin(), quotes.end(), [](const auto* a, const auto* b) {
    return ToTime(a->timestamp()) < ToTime(b->timestamp());
  });
  const std::string key = absl::StrCat(agent, "/", m.fixture.id());
  std::optional<double> vsnr;
  for (const v1::BettingLine* q : quotes) {
    absl::StatusOr<scoring::TrackedMetrics> tracked =
        tracker.Record(key, pick, ToTime(q->timestamp()), d.probability, q->decimal_odds());
    if (!tracked.ok()) {
      if (rejected_quotes != nullptr) ++*rejected_quotes;
      continue;
    }
    vsnr = tracked->vsnr;
  }
  tracker.Forget(key);  // One bet per match and strategy: the history is done.
  if (vsnr.has_value()) p.set_vsnr(*vsnr);
  *p.mutable_decided_at() = ToTimestamp(bet.decided_at);
  p.set_agent(agent);
  p.set_model_version(model_version);
  if (std::optional<double> s = Staleness(m, d.selection, bet.decided_at)) {
    p.set_data_staleness_s(*s);
  }
  return p;
}

std::function<absl::Status(const backtest::BetPlacement&)> PredictionEmitter::ObserverFor(
    const std::string& agent, absl::string_view model_kind) {
  auto tracker =
      std::make_shared<scoring::EvaluationTracker>(scoring::EvaluationTracker::kPreMatchWindow);
  const std::string version = BacktestModelVersion(agent, model_kind);
  return [this, agent, version, tracker](const backtest::BetPlacement& bet) -> absl::Status {
    const auto found = closing_.find(bet.match->fixture.id());
    absl::Span<const v1::BettingLine* const> quotes;
    if (found != closing_.end()) quotes = found->second;
    absl::StatusOr<v1::Prediction> p =
        PredictionOfBet(bet, agent, version, *tracker, quotes, &rejected_quotes_);
    if (!p.ok()) return p.status();
    absl::StatusOr<std::string> line = scoring::PredictionToJsonLine(*p);
    if (!line.ok()) return line.status();
    *out_ << *line << '\n';
    if (!*out_) return absl::DataLossError("--emit-predictions: writing a line failed");
    ++lines_;
    if (p->has_vsnr()) ++lines_with_vsnr_;
    return absl::OkStatus();
  };
}

}  // namespace superbet::cli
