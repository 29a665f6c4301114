// Reading the plant's input: one Prediction (superbet/v1/decision.proto) per JSON line, in the
// protobuf JSON mapping with the proto field names (snake_case), as written by the ledger and by
// `superbet backtest --emit-predictions`.
//
// A line is rejected (and the run goes on) when it is not a JSON object of that message, or when a
// field the plant needs is missing or out of range. The error names the line, the field and the
// value; RejectReason() gives the stable reason counted in reports.

#ifndef SUPERBET_BROADCAST_PREDICTION_INPUT_H_
#define SUPERBET_BROADCAST_PREDICTION_INPUT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "superbet/bus/transport.h"
#include "superbet/v1/decision.pb.h"

namespace superbet::broadcast {

// Parses and validates one line with superbet::scoring::PredictionFromJsonLine (its rules: required
// keys, pick home|draw|away with its prob and odds present, decimal odds > 1, probabilities,
// confidence and kelly_fraction in [0, 1], unknown keys rejected). `line_number` (1-based) is put
// in the error message.
// Errors: InvalidArgument "line N: <json path>: <problem>, got <value>".
[[nodiscard]] absl::StatusOr<superbet::v1::Prediction> ParsePredictionLine(absl::string_view line,
                                                                           int line_number);

// The reason a ParsePredictionLine error is counted under: the JSON path between "line N: " and
// the next ": " (e.g. "odds.home", "pick", "(json)"); "(unknown field)" for any key the message
// does not have (the key comes from the input: one reason keeps the report's keys and the metric's
// labels bounded; the error message names the key); "other" when the message has another shape.
std::string RejectReason(const absl::Status& status);

// The Prediction as one JSON line (no newline), proto field names.
std::string PredictionToJson(const superbet::v1::Prediction& prediction);

// The risk.verified entry of `prediction` exactly as BroadcastPlant::Ingest writes it for the
// prediction's JSON line: {event: the validated line, event_id: EventId}. For producers that add
// to risk.verified themselves (agent-svc's live feed consumer, superbet/bus/live_feed.h).
// Errors: as ParsePredictionLine on that line (line number 1).
[[nodiscard]] absl::StatusOr<superbet::bus::Fields> RiskVerifiedFields(
    const superbet::v1::Prediction& prediction);

}  // namespace superbet::broadcast

#endif  // SUPERBET_BROADCAST_PREDICTION_INPUT_H_
