// RFC 4180 CSV reader; see include/superbet/providers/football_data/csv.h.

#include "superbet/providers/football_data/csv.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace superbet::providers::csv {
namespace {

constexpr absl::string_view kUtf8Bom = "\xEF\xBB\xBF";

inline bool IsLineEnd(char c) { return c == '\n' || c == '\r'; }

}  // namespace

Reader::Reader(absl::string_view bytes, LineBreaks line_breaks)
    : bytes_(bytes), line_breaks_(line_breaks) {
  if (absl::StartsWith(bytes_, kUtf8Bom)) pos_ = kUtf8Bom.size();
}

absl::Status Reader::Error(int line, std::string reason) {
  error_line_ = line;
  error_reason_ = std::move(reason);
  return absl::InvalidArgumentError(absl::StrCat("line ", line, ": ", error_reason_));
}

bool Reader::ConsumeLineEnd() {
  if (pos_ >= bytes_.size()) return false;
  if (bytes_[pos_] == '\r') {
    ++pos_;
    if (pos_ < bytes_.size() && bytes_[pos_] == '\n') ++pos_;
    ++line_;
    return true;
  }
  if (bytes_[pos_] == '\n') {
    ++pos_;
    ++line_;
    return true;
  }
  return false;
}

void Reader::SkipLine() {
  while (pos_ < bytes_.size() && !IsLineEnd(bytes_[pos_])) ++pos_;
  ConsumeLineEnd();
}

absl::Status Reader::ReadQuoted(std::vector<absl::string_view>* fields) {
  const int start_line = line_;
  ++pos_;  // Opening quote.
  const size_t start = pos_;
  bool unescaped = false;  // True once the field is being built in scratch_.
  size_t scratch_start = 0;
  size_t segment = start;
  const size_t n = bytes_.size();
  while (true) {
    if (pos_ >= n) {
      return Error(start_line, "unterminated quoted field");
    }
    const char c = bytes_[pos_];
    if (c == '"') {
      if (pos_ + 1 < n && bytes_[pos_ + 1] == '"') {  // Doubled quote: one literal '"'.
        if (!unescaped) {
          if (scratch_.capacity() < n) scratch_.reserve(n);  // Never reallocates afterwards.
          scratch_start = scratch_.size();
          unescaped = true;
        }
        scratch_.append(bytes_.data() + segment, pos_ + 1 - segment);  // Keeps one quote.
        pos_ += 2;
        segment = pos_;
        continue;
      }
      break;  // Closing quote.
    }
    if (IsLineEnd(c) && line_breaks_ == LineBreaks::kEndRecord) {
      absl::Status error = Error(start_line, "unterminated quoted field");
      ConsumeLineEnd();  // The next record starts on the next line.
      return error;
    }
    if (c == '\n') {
      ++line_;
    } else if (c == '\r' && !(pos_ + 1 < n && bytes_[pos_ + 1] == '\n')) {
      ++line_;
    }
    ++pos_;
  }
  if (unescaped) {
    scratch_.append(bytes_.data() + segment, pos_ - segment);
    fields->emplace_back(scratch_.data() + scratch_start, scratch_.size() - scratch_start);
  } else {
    fields->push_back(bytes_.substr(start, pos_ - start));
  }
  ++pos_;  // Closing quote.
  return absl::OkStatus();
}

absl::StatusOr<bool> Reader::Next(std::vector<absl::string_view>* fields) {
  fields->clear();
  scratch_.clear();
  if (pos_ >= bytes_.size()) return false;
  record_line_ = line_;
  const size_t n = bytes_.size();
  const char* data = bytes_.data();
  while (true) {
    if (pos_ < n && data[pos_] == '"') {
      absl::Status s = ReadQuoted(fields);
      if (!s.ok()) return s;
      if (pos_ >= n) return true;
      const char c = data[pos_];
      if (c == ',') {
        ++pos_;
        continue;
      }
      if (ConsumeLineEnd()) return true;
      const int line = line_;
      SkipLine();
      return Error(
          line, absl::StrCat("unexpected character '", absl::CHexEscape(absl::string_view(&c, 1)),
                             "' after closing quote"));
    }
    const size_t start = pos_;
    while (pos_ < n) {
      const char c = data[pos_];
      if (c == ',' || c == '\n' || c == '\r') break;
      ++pos_;
    }
    fields->push_back(bytes_.substr(start, pos_ - start));
    if (pos_ >= n) return true;
    if (data[pos_] == ',') {
      ++pos_;
      continue;
    }
    ConsumeLineEnd();
    return true;
  }
}

absl::StatusOr<std::vector<std::vector<std::string>>> ParseAll(absl::string_view bytes,
                                                               LineBreaks line_breaks) {
  std::vector<std::vector<std::string>> out;
  Reader reader(bytes, line_breaks);
  std::vector<absl::string_view> fields;
  while (true) {
    absl::StatusOr<bool> more = reader.Next(&fields);
    if (!more.ok()) return more.status();
    if (!*more) break;
    out.emplace_back(fields.begin(), fields.end());
  }
  return out;
}

}  // namespace superbet::providers::csv
