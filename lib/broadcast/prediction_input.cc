// The plant's input reader delegates to the decision core's validating reader
// (superbet/scoring/prediction_json.h), so the plant accepts exactly what the ledger and
// `superbet backtest --emit-predictions` write.

#include "superbet/broadcast/prediction_input.h"

#include "absl/strings/match.h"
#include "superbet/broadcast/cloud_event.h"
#include "superbet/scoring/prediction_json.h"

namespace superbet::broadcast {

absl::StatusOr<superbet::v1::Prediction> ParsePredictionLine(absl::string_view line,
                                                             int line_number) {
  return superbet::scoring::PredictionFromJsonLine(line, line_number);
}

std::string RejectReason(const absl::Status& status) {
  const absl::string_view m = status.message();
  if (!absl::StartsWith(m, "line ")) return "other";
  const size_t a = m.find(": ");
  if (a == absl::string_view::npos) return "other";
  const size_t b = m.find(": ", a + 2);
  if (b == absl::string_view::npos) return "other";
  return std::string(m.substr(a + 2, b - a - 2));
}

std::string PredictionToJson(const superbet::v1::Prediction& p) {
  auto line = superbet::scoring::PredictionToJsonLine(p);
  return line.ok() ? *std::move(line) : std::string();
}

absl::StatusOr<superbet::bus::Fields> RiskVerifiedFields(const superbet::v1::Prediction& p) {
  auto line = superbet::scoring::PredictionToJsonLine(p);
  if (!line.ok()) return line.status();
  auto parsed = ParsePredictionLine(*line, 1);
  if (!parsed.ok()) return parsed.status();
  return superbet::bus::Fields{{"event", PredictionToJson(*parsed)},
                               {"event_id", EventId(*parsed)}};
}

}  // namespace superbet::broadcast
