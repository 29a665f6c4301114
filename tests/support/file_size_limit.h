// Test support: a real write failure. While a FileSizeLimit lives, no file of this process may
// grow past `bytes` (RLIMIT_FSIZE; SIGXFSZ ignored): the kernel writes what fits and refuses the
// rest with EFBIG, as a disk that fills up mid-line refuses it with ENOSPC. Restores the limit and
// the signal's handler at scope exit. Not thread-safe (process-wide).

#ifndef SUPERBET_TESTS_SUPPORT_FILE_SIZE_LIMIT_H_
#define SUPERBET_TESTS_SUPPORT_FILE_SIZE_LIMIT_H_

#include <signal.h>
#include <sys/resource.h>

#include <catch2/catch.hpp>

namespace superbet::testing {

class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved_) == 0);
    old_handler_ = ::signal(SIGXFSZ, SIG_IGN);
    rlimit l = saved_;
    l.rlim_cur = bytes;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &l) == 0);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    ::signal(SIGXFSZ, old_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit saved_{};
  sighandler_t old_handler_ = SIG_DFL;
};

}  // namespace superbet::testing

#endif  // SUPERBET_TESTS_SUPPORT_FILE_SIZE_LIMIT_H_
