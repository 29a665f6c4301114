// A simdjson reader of the Prediction JSON line (the protobuf JSON mapping of
// superbet/v1/decision.proto's Prediction, proto field names) for the broadcast plant's hot path,
// private to broadcast/.
//
// It accepts only the canonical shapes protobuf's printer writes (and the ledger and `superbet
// backtest --emit-predictions` produce): snake_case keys, each at most once; numbers as JSON
// numbers; strings as strings; `prob` / `odds` as objects of home/draw/away numbers; timestamps
// "YYYY-MM-DDTHH:MM:SS[.fff|.ffffff|.fffffffff]Z" with a year in 1900..2999; `action` by enum name.
// On such a line it fills the same message protobuf's JsonStringToMessage does (every -0 read as
// +0, as superbet::scoring::PredictionFromJsonLine does) and applies the same validation rules.
// Anything else -- another shape (null, a number as a string, camelCase keys, an unknown key, an
// offset timestamp, ...), invalid JSON, or a line that fails validation -- is declined: the caller
// then uses the protobuf-based reader, whose error messages stay the reference.
//
// Proven equal to superbet::scoring::PredictionFromJsonLine (same message bytes on every accepted
// line, never accepting a line it rejects) by tests/broadcast/prediction_fast_json_test.cc and
// tests/fuzz/broadcast_prediction_fuzz.cc.
//
// Thread-safety: thread-safe (a parser per thread, thread_local).

#ifndef SUPERBET_LIB_BROADCAST_INTERNAL_PREDICTION_FAST_JSON_H_
#define SUPERBET_LIB_BROADCAST_INTERNAL_PREDICTION_FAST_JSON_H_

#include "absl/strings/string_view.h"
#include "superbet/v1/decision.pb.h"

namespace superbet::broadcast::internal {

// Fills `*out` (cleared first) and returns true when `line` is a canonical, valid Prediction line;
// returns false otherwise (`*out` is then unspecified). `out` must not be null.
bool FastParsePrediction(absl::string_view line, superbet::v1::Prediction* out);

}  // namespace superbet::broadcast::internal

#endif  // SUPERBET_LIB_BROADCAST_INTERNAL_PREDICTION_FAST_JSON_H_
