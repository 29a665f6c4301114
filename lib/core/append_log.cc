#include "superbet/core/append_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <streambuf>
#include <utility>

#include "absl/strings/str_cat.h"

namespace superbet::core {
namespace {

absl::Status ErrnoStatus(int err, absl::string_view what, const std::string& path) {
  const std::string text = absl::StrCat(what, " ", path, ": ", std::strerror(err));
  switch (err) {
    case ENOSPC:
    case EFBIG:
    case EDQUOT:
      return absl::ResourceExhaustedError(text);
    case ENOENT:
      return absl::NotFoundError(text);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(text);
    default:
      return absl::DataLossError(text);
  }
}

// The size of the file up to and including its last '\n' (0 when it has none).
absl::StatusOr<int64_t> LastCompleteLine(int fd, const std::string& path) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return ErrnoStatus(errno, "stat", path);
  int64_t end = st.st_size;
  char buf[4096];
  while (end > 0) {
    const int64_t start = end > static_cast<int64_t>(sizeof(buf)) ? end - sizeof(buf) : 0;
    const ssize_t n = ::pread(fd, buf, static_cast<size_t>(end - start), start);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "read", path);
    }
    if (n == 0) break;
    for (ssize_t i = n - 1; i >= 0; --i) {
      if (buf[i] == '\n') return start + i + 1;
    }
    end = start;
  }
  return 0;
}

// Buffers a stream's text; each sync appends the complete lines.
class LineBuf : public std::streambuf {
 public:
  explicit LineBuf(AppendLog* log) : log_(log) {}

 protected:
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    pending_.push_back(traits_type::to_char_type(c));
    return c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    pending_.append(s, static_cast<size_t>(n));
    return n;
  }
  int sync() override {
    const size_t nl = pending_.rfind('\n');
    if (nl == std::string::npos) return 0;
    const absl::Status s = log_->Append(absl::string_view(pending_).substr(0, nl + 1));
    pending_.erase(0, nl + 1);  // Written, or dropped: a failed line is never written later.
    return s.ok() ? 0 : -1;
  }

 private:
  AppendLog* const log_;
  std::string pending_;
};

// The buffer is built before std::ostream (base-from-member).
struct LineBufHolder {
  explicit LineBufHolder(AppendLog* log) : buf(log) {}
  LineBuf buf;
};

class LineStream : private LineBufHolder, public std::ostream {
 public:
  explicit LineStream(AppendLog* log) : LineBufHolder(log), std::ostream(&buf) {}
};

}  // namespace

absl::StatusOr<std::unique_ptr<AppendLog>> AppendLog::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus(errno, "open", path);
  // pread needs a readable descriptor: a second one, for the torn-tail check only.
  const int rfd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (rfd < 0) {
    const int err = errno;
    ::close(fd);
    return ErrnoStatus(err, "open", path);
  }
  absl::StatusOr<int64_t> complete = LastCompleteLine(rfd, path);
  struct stat st;
  const bool stat_ok = ::fstat(fd, &st) == 0;
  ::close(rfd);
  std::unique_ptr<AppendLog> log(new AppendLog(path, fd));
  if (!complete.ok()) return complete.status();
  if (!stat_ok) return ErrnoStatus(errno, "stat", path);
  log->regular_ = S_ISREG(st.st_mode);
  if (log->regular_ && *complete < st.st_size && ::ftruncate(fd, *complete) != 0) {
    return ErrnoStatus(errno, "truncate a torn last line of", path);
  }
  return log;
}

AppendLog::~AppendLog() { ::close(fd_); }

std::unique_ptr<std::ostream> AppendLog::NewStream() { return std::make_unique<LineStream>(this); }

int64_t AppendLog::failed_appends() const {
  absl::MutexLock lock(&mu_);
  return failed_;
}

absl::Status AppendLog::Append(absl::string_view lines) {
  if (lines.empty()) return absl::OkStatus();
  if (lines.back() != '\n') {
    return absl::InvalidArgumentError(
        absl::StrCat("append to ", path_, ": text must end in a newline"));
  }
  absl::MutexLock lock(&mu_);
  if (torn_at_ >= 0) {
    if (::ftruncate(fd_, torn_at_) != 0) {
      ++failed_;
      return ErrnoStatus(errno, "truncate a torn line of", path_);
    }
    torn_at_ = -1;
  }
  struct stat st;
  if (::fstat(fd_, &st) != 0) {
    ++failed_;
    return ErrnoStatus(errno, "stat", path_);
  }
  const int64_t start = st.st_size;
  size_t done = 0;
  while (done < lines.size()) {
    const ssize_t n = ::write(fd_, lines.data() + done, lines.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    const int err = n == 0 ? ENOSPC : errno;
    ++failed_;
    // Remove what reached the file of this append: no torn line stays behind.
    if (regular_ && ::ftruncate(fd_, start) != 0) torn_at_ = start;
    return ErrnoStatus(err, "append to", path_);
  }
  return absl::OkStatus();
}

}  // namespace superbet::core
