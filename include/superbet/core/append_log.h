// AppendLog: a JSON-lines file (a ledger) that is appended whole lines at a time and recovers
// from a failed write.
//
// A std::ofstream on a full disk keeps its failed state until someone clears it, and may keep the
// bytes of the failed line buffered (written in front of the next line once space is back) or
// leave part of the line in the file: a torn line a reader cannot parse. An AppendLog instead:
//   - writes only complete lines: the text a stream buffers up to its last '\n' goes to the file
//     in one append (write(2) on an O_APPEND descriptor, retried on a short count) at each flush;
//   - on a failed append (ENOSPC, EFBIG, EIO, ...) truncates the file back to its size before the
//     append (the end of the last complete line) and drops the failed text from the stream's
//     buffer, so the next flush writes only new lines;
//   - when opened, truncates a torn last line left by an earlier process (a crash mid-write).
// (Truncation applies to regular files; on another file, e.g. a pipe or /dev/full, a failed
// append is only dropped.)
// The stream's failed state (badbit, set by the failed flush) is still the writer's to clear
// (std::ios::clear) before its next line; nothing of the failed line remains to be written then.
// A writer that knows its ledger is an AppendLog stream may therefore clear and retry
// (superbet/hrl/live_decider.h LiveDeciderOptions::ledger_recovers).
//
// Source: POSIX write(2) ("If a write() ... is interrupted ... or there is insufficient space,
// it shall return the number of bytes written") and ftruncate(2).
//
// Thread-safety: appends of all the log's streams are serialised by the log's mutex, so lines of
// two streams never interleave; each stream itself is not thread-safe (one writer per stream, as
// for any std::ostream). Ownership: the log owns its descriptor; the streams borrow the log, which
// must outlive them. One process appends to the file (the truncation assumes no other writer).

#ifndef SUPERBET_CORE_APPEND_LOG_H_
#define SUPERBET_CORE_APPEND_LOG_H_

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace superbet::core {

class AppendLog {
 public:
  // Opens (creating, mode 0644) `path` for appending and truncates a torn last line (bytes after
  // the last '\n').
  // Errors: the errno's code (PermissionDenied, NotFound for a missing folder, ...) with a message
  // naming the path and the errno text.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<AppendLog>> Open(const std::string& path);
  ~AppendLog();
  AppendLog(const AppendLog&) = delete;
  AppendLog& operator=(const AppendLog&) = delete;

  // A new stream on the log. Text is buffered in memory until a flush (std::flush, std::endl or
  // ostream::flush), which appends every complete line buffered; a failed append sets the
  // stream's badbit and drops those lines (see the file comment). Text after the last '\n' waits
  // for the next flush.
  std::unique_ptr<std::ostream> NewStream();

  // Appends `lines` (complete lines: empty, or ending in '\n') in one append.
  // Errors: InvalidArgument when `lines` does not end in '\n'; ResourceExhausted for ENOSPC,
  // EFBIG or EDQUOT (the disk or quota is full), DataLoss for another write error: each names the
  // path and the errno text, and the file is truncated back to its size before the call (when
  // that truncation fails too, the next Append retries it first and fails until it succeeds).
  [[nodiscard]] absl::Status Append(absl::string_view lines);

  const std::string& path() const { return path_; }
  int64_t failed_appends() const;  // Appends that failed so far.

 private:
  AppendLog(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  const std::string path_;
  const int fd_;
  mutable absl::Mutex mu_;
  int64_t torn_at_ ABSL_GUARDED_BY(mu_) = -1;  // Size to truncate back to before appending.
  int64_t failed_ ABSL_GUARDED_BY(mu_) = 0;
  bool regular_ = true;  // A regular file (else, e.g. a pipe or /dev/full: nothing to truncate).
};

}  // namespace superbet::core

#endif  // SUPERBET_CORE_APPEND_LOG_H_
