// The plant's input reader: a simdjson reader for canonical valid lines
// (internal/prediction_fast_json.h, proven equal), else the decision core's validating reader
// (superbet/scoring/prediction_json.h), so the plant accepts exactly what the ledger and
// `superbet backtest --emit-predictions` write, with that reader's error messages.

#include "superbet/broadcast/prediction_input.h"

#include "absl/strings/match.h"
#include "broadcast/internal/prediction_fast_json.h"
#include "superbet/broadcast/cloud_event.h"
#include "superbet/scoring/prediction_json.h"

namespace superbet::broadcast {

absl::StatusOr<superbet::v1::Prediction> ParsePredictionLine(absl::string_view line,
                                                             int line_number) {
  // The simdjson reader takes the canonical valid lines; anything else (including every line to
  // reject) goes through the protobuf-based reader, whose messages are the reference.
  superbet::v1::Prediction p;
  if (internal::FastParsePrediction(line, &p)) return p;
  return superbet::scoring::PredictionFromJsonLine(line, line_number);
}

std::string RejectReason(const absl::Status& status) {
  const absl::string_view m = status.message();
  if (!absl::StartsWith(m, "line ")) return "other";
  const size_t a = m.find(": ");
  if (a == absl::string_view::npos) return "other";
  const size_t b = m.find(": ", a + 2);
  if (b == absl::string_view::npos) return "other";
  // An unknown key's name comes from the input: one reason for all of them.
  if (m.substr(b + 2) == "unknown field") return "(unknown field)";
  return std::string(m.substr(a + 2, b - a - 2));
}

std::string PredictionToJson(const superbet::v1::Prediction& p) {
  std::string out;
  out.reserve(640);
  if (internal::FastPrintPrediction(p, &out)) return out;
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
