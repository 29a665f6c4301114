// JSON lines of the decision core's contract messages (proto/superbet/v1/decision.proto):
// writing a Prediction or a Decision as one line, and reading Prediction lines back with
// validation. This is the broadcast plant's input format and the paper ledger's line format.
//
// Format: the protobuf JSON mapping (https://protobuf.dev/programming-guides/proto3/#json) with
// the proto field names (snake_case: "match_id", "kelly_fraction", ...), printed by
// google::protobuf::util::MessageToJsonString with preserve_proto_field_names and
// always_print_primitive_fields:
//   * timestamps are RFC 3339 strings in UTC ("2016-05-15T14:00:00Z", fractional seconds only
//     when non-zero);
//   * non-optional scalars are always printed, zeros included ("confidence": 0, "agent": "");
//   * proto3 `optional` fields (vsnr, cas, gamma, data_staleness_s, each OneXTwo price or
//     probability, Decision.profit) and unset messages are left out when unset: absent is never
//     written as 0;
//   * enums are printed by name ("action": "ACTION_BET_HOME", "verdict": "VERDICT_ACCEPTED");
//   * doubles are printed so that they read back bit for bit (shortest round-trip form);
//   * the output is deterministic: the same message gives the same bytes on every run. Key order
//     is the printer's, not the field numbers' (protobuf 3.21 writes Timestamp fields and set
//     `optional` scalars after the others); the JSON mapping fixes no order and readers must not
//     depend on it.
// A line carries no trailing newline; writers add '\n'.
//
// Reading validates what the protobuf parser cannot (the Prediction contract):
//   * required keys, each of which must be present in the line: match_id, home, away, kickoff,
//     pick, prob, odds, confidence, kelly_fraction, decided_at, agent, model_version; a string
//     key also must not be empty;
//   * pick is "home", "draw" or "away"; prob.<pick> and odds.<pick> are present;
//   * every present decimal odds value is finite and > 1; every present probability is in [0, 1];
//     confidence and kelly_fraction are in [0, 1]; vsnr, cas, gamma are finite when present, cas
//     >= 0; data_staleness_s is finite and >= 0 when present;
//   * action, when given and not ACTION_UNSPECIFIED, agrees with pick (ACTION_NO_BET has no
//     pick and is rejected: a prediction line is a bet someone could follow);
//   * timestamps are RFC 3339 (checked by the protobuf parser).
// Unknown-field policy: by default a key that is not a field of Prediction rejects the line
// (a misspelt "kelly_fractoin" must not silently read as absent);
// ReadOptions::ignore_unknown_fields accepts lines from a newer producer that added fields.
//
// Errors name the line number, the field as a JSON path and the offending value:
//   line 7: odds.home: decimal odds must be finite and > 1, got 0.97
//   line 9: pick: must be one of home|draw|away, got "Home"
//   line 3: kickoff: missing required field
//   line 4: kickoff: not an RFC 3339 timestamp (protobuf: ...)
//
// Thread-safety: the free functions are pure and thread-safe. A PredictionStreamReader is not
// thread-safe (one reader per stream); it does not own the stream.

#ifndef SUPERBET_SCORING_PREDICTION_JSON_H_
#define SUPERBET_SCORING_PREDICTION_JSON_H_

#include <cstdint>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "superbet/v1/decision.pb.h"

namespace superbet::scoring {

// Options for reading Prediction lines.
struct ReadOptions {
  // false (default): a key that is not a Prediction field rejects the line, named as the field.
  // true: unknown keys are skipped (forward compatibility with newer producers).
  bool ignore_unknown_fields = false;
  // A line longer than this many bytes (without its newline) is rejected unparsed, as field
  // "(line)": untrusted input must not cost unbounded parsing time.
  size_t max_line_bytes = 1 << 20;
};

// One Prediction as one JSON line (format above), without a trailing newline.
//
// Errors: Internal if the protobuf printer fails (it does not for a valid message).
[[nodiscard]] absl::StatusOr<std::string> PredictionToJsonLine(const v1::Prediction& prediction);

// One Decision (the paper ledger's line) as one JSON line; the prediction is nested under
// "prediction".
//
// Errors: Internal if the protobuf printer fails.
[[nodiscard]] absl::StatusOr<std::string> DecisionToJsonLine(const v1::Decision& decision);

// Reads one Prediction JSON line and validates it (rules above). `line_number` (1-based) is only
// used in error messages.
//
// Errors: InvalidArgument "line N: <json path>: <reason>, got <value>" for bad JSON, a missing
// required key, an unknown key (unless ignored), an out-of-range value, a bad timestamp, or a
// line longer than options.max_line_bytes ("line N: (line): ...").
[[nodiscard]] absl::StatusOr<v1::Prediction> PredictionFromJsonLine(
    absl::string_view line, int64_t line_number, const ReadOptions& options = {});

// Reads one Decision JSON line (as written by DecisionToJsonLine / the paper ledger). The
// nested prediction is checked like a Prediction line, except that a denied decision's
// prediction may have no pick (the agent chose no_bet); verdict must not be
// VERDICT_UNSPECIFIED; stake and bankroll_before must be finite and >= 0.
//
// Errors: InvalidArgument naming the line, the JSON path ("prediction.odds.home") and the value.
[[nodiscard]] absl::StatusOr<v1::Decision> DecisionFromJsonLine(absl::string_view line,
                                                                int64_t line_number,
                                                                const ReadOptions& options = {});

// A line that was rejected by a PredictionStreamReader.
struct RejectedLine {
  int64_t line_number = 0;  // 1-based.
  std::string field;    // JSON path of the offending field; "(json)": not JSON; "(line)": too long.
  std::string message;  // The full error message, as PredictionFromJsonLine returns it.
};

// Reads a stream of Prediction JSON lines, one per line, skipping blank lines. A bad line is
// rejected (recorded with its line number and field, and counted) and reading goes on: one bad
// line costs that line only, and the reader never stops before the end of the stream.
//
// Ownership: borrows `in`, which must outlive the reader. Not thread-safe.
class PredictionStreamReader {
 public:
  // `max_kept_rejections` bounds the memory of rejections(); counts are always complete.
  explicit PredictionStreamReader(std::istream& in, ReadOptions options = {},
                                  size_t max_kept_rejections = 1000);

  // The next valid prediction, or std::nullopt at the end of the stream (or on a stream read
  // error, which is not a line rejection).
  std::optional<v1::Prediction> Next();

  // Lines read so far (blank lines included), and how many were accepted / rejected / blank.
  int64_t lines_read() const { return lines_read_; }
  int64_t accepted() const { return accepted_; }
  int64_t rejected() const { return rejected_; }
  int64_t blank() const { return blank_; }
  // Rejected lines by the JSON path of the first offending field (ordered by field).
  const std::map<std::string, int64_t>& rejected_by_field() const { return rejected_by_field_; }
  // The first `max_kept_rejections` rejected lines, in stream order.
  const std::vector<RejectedLine>& rejections() const { return rejections_; }

 private:
  std::istream& in_;
  ReadOptions options_;
  size_t max_kept_rejections_;
  int64_t lines_read_ = 0;
  int64_t accepted_ = 0;
  int64_t rejected_ = 0;
  int64_t blank_ = 0;
  std::map<std::string, int64_t> rejected_by_field_;
  std::vector<RejectedLine> rejections_;
};

}  // namespace superbet::scoring

#endif  // SUPERBET_SCORING_PREDICTION_JSON_H_
