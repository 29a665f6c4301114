// A small RFC 4180 CSV reader over an in-memory buffer, used by the football-data.co.uk adapter.
//
// Accepted input (a superset of RFC 4180, matching what spreadsheet exports and football-data.co.uk
// actually serve):
//  * fields separated by ',' ; records ended by "\r\n", "\n" or a lone "\r"; the final record may
//    lack a line ending;
//  * a leading UTF-8 byte-order mark (EF BB BF) is skipped;
//  * a field that starts with '"' is quoted: it may contain ',' and doubled quotes ("" stands for
//    one "), and must be followed by ',' or a line ending; it may contain line breaks only with
//    LineBreaks::kInQuotedFields (RFC 4180). With LineBreaks::kEndRecord (the football-data.co.uk
//    rule: its records never span lines) a quoted field still open at the end of its physical
//    line is an error for that record alone, and the reader resumes on the next line. A generic
//    RFC 4180 reader (Python's csv) would read the rest of the file into that one field instead;
//    one stray '"' must cost one row, not the rest of the season;
//  * a '"' inside an unquoted field is kept literally (as Python's csv module does);
//  * an empty line is a record with one empty field (callers decide whether to skip it); a buffer
//    that ends with a line ending has no extra empty record after it.
//
// Errors (absl::StatusCode::kInvalidArgument, message "line N: ..."): a quoted field that is never
// closed ("unterminated quoted field"; with kEndRecord: not closed on its own line), or a
// character other than ',' or a line ending after a closing quote ("unexpected character 'x'
// after closing quote"). After either error the reader has skipped past the end of the physical
// line of the error, so a caller may carry on with the next record (with kInQuotedFields an
// unterminated field runs to the end of the buffer, so there is no next record).
//
// No per-field allocation: fields are string_views into the input buffer, except quoted fields
// containing doubled quotes, which are unescaped into a scratch buffer owned by the reader.

#ifndef SUPERBET_PROVIDERS_FOOTBALL_DATA_CSV_H_
#define SUPERBET_PROVIDERS_FOOTBALL_DATA_CSV_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace superbet::providers::csv {

// What a line break inside a quoted field means.
enum class LineBreaks {
  kInQuotedFields,  // RFC 4180: part of the field; a record may span physical lines.
  kEndRecord,       // football-data.co.uk: every record is one line; an open quote there is an
                    // error for that record ("unterminated quoted field"), the next line is read.
};

// Streams records out of a buffer. The buffer is not owned and must outlive the reader; the views
// returned by Next() stay valid until the following call to Next().
// Thread-compatible: one reader per thread.
class Reader {
 public:
  explicit Reader(absl::string_view bytes, LineBreaks line_breaks = LineBreaks::kInQuotedFields);

  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // Reads the next record into `fields` (cleared first).
  // Returns true when a record was read, false at the end of the buffer.
  // Errors: InvalidArgument as described in the file comment; `fields` is then unspecified.
  [[nodiscard]] absl::StatusOr<bool> Next(std::vector<absl::string_view>* fields);

  // The 1-based physical line on which the record last returned by Next() started (a quoted field
  // may span lines). 0 before the first call.
  int record_line() const { return record_line_; }

  // True once the whole buffer has been consumed.
  bool AtEnd() const { return pos_ >= bytes_.size(); }

  // After Next() failed: the physical line of the error and its reason without the "line N: "
  // prefix ("unterminated quoted field").
  int error_line() const { return error_line_; }
  const std::string& error_reason() const { return error_reason_; }

 private:
  // Reads a quoted field starting at pos_ (on the opening quote) and appends it to `fields`.
  [[nodiscard]] absl::Status ReadQuoted(std::vector<absl::string_view>* fields);
  // Records the error and returns InvalidArgument "line N: reason".
  [[nodiscard]] absl::Status Error(int line, std::string reason);
  // Skips the rest of the current physical line including its line ending.
  void SkipLine();
  // Consumes a line ending at pos_ if there is one; returns true if it did.
  bool ConsumeLineEnd();

  absl::string_view bytes_;
  LineBreaks line_breaks_;
  size_t pos_ = 0;
  int line_ = 1;  // Physical line at pos_.
  int record_line_ = 0;
  int error_line_ = 0;
  std::string error_reason_;
  std::string scratch_;  // Unescaped quoted fields; reserved to bytes_.size() so it never moves.
};

// Convenience: every record of `bytes` as owned strings. Errors: the first error of Reader::Next.
[[nodiscard]] absl::StatusOr<std::vector<std::vector<std::string>>> ParseAll(
    absl::string_view bytes, LineBreaks line_breaks = LineBreaks::kInQuotedFields);

}  // namespace superbet::providers::csv

#endif  // SUPERBET_PROVIDERS_FOOTBALL_DATA_CSV_H_
