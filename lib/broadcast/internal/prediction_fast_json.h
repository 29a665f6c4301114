// A simdjson reader of the Prediction JSON line (the protobuf JSON mapping of
// superbet/v1/decision.proto's Prediction, proto field names) for the broadcast plant's hot path,
// private to broadcast/.
//
// It accepts only the plain shapes protobuf's printer writes (and the ledger and `superbet
// backtest --emit-predictions` produce): snake_case keys, each at most once; numbers as JSON
// numbers; strings as strings; `prob` / `odds` as objects of home/draw/away numbers; timestamps
// "YYYY-MM-DDTHH:MM:SS[.f to .fffffffff]" then "Z" or "+00:00", with a year in 1900..2999;
// `action` by enum name.
// On such a line it fills the same message protobuf's JsonStringToMessage does (every -0 read as
// +0, as superbet::scoring::PredictionFromJsonLine does) and applies the same validation rules.
// Anything else -- another shape (null, a number as a string, camelCase keys, an unknown key, a
// non-zero offset timestamp, ...), invalid JSON, or a line that fails validation -- is declined:
// the caller then uses the protobuf-based reader, whose error messages stay the reference.
//
// FastPrintPrediction is the matching writer, for the canonical line of a message.
//
// Proven equal to superbet::scoring::PredictionFromJsonLine (same message bytes on every accepted
// line, never accepting a line it rejects) by tests/broadcast/prediction_fast_json_test.cc and
// tests/fuzz/broadcast_prediction_fuzz.cc.
//
// Thread-safety: thread-safe (a parser per thread, thread_local).

#ifndef SUPERBET_LIB_BROADCAST_INTERNAL_PREDICTION_FAST_JSON_H_
#define SUPERBET_LIB_BROADCAST_INTERNAL_PREDICTION_FAST_JSON_H_

#include <string>

#include "absl/strings/string_view.h"
#include "superbet/v1/decision.pb.h"

namespace superbet::broadcast::internal {

// Fills `*out` (cleared first) and returns true when `line` is a canonical, valid Prediction line;
// returns false otherwise (`*out` is then unspecified). `out` must not be null.
bool FastParsePrediction(absl::string_view line, superbet::v1::Prediction* out);

// Appends to `*out` exactly the bytes superbet::scoring::PredictionToJsonLine (protobuf 3.21's
// MessageToJsonString with preserve_proto_field_names and always_print_primitive_fields) writes
// for `p`, and returns true; returns false, appending nothing, for a message outside the shapes it
// knows: prob, odds, kickoff or decided_at unset; a string with a character protobuf escapes or
// outside printable ASCII and two-byte UTF-8 (U+00A0..U+07FF less U+00AD, U+0600..U+0603,
// U+06DD, U+070F); a timestamp outside 1970..9999; an action outside the enum; a -0 or a
// non-finite number. Proven equal by the same tests as the reader.
bool FastPrintPrediction(const superbet::v1::Prediction& p, std::string* out);

}  // namespace superbet::broadcast::internal

#endif  // SUPERBET_LIB_BROADCAST_INTERNAL_PREDICTION_FAST_JSON_H_
