// A progress bar for long jobs, written to a stream (stderr by default).
//
// When the stream is a terminal it redraws one line ("\r[=====>    ] 12/25 E0_1213.csv");
// otherwise (CI logs, pipes) it prints a plain line at most every `min_interval` steps' worth of
// 10 % progress, so logs stay short. No output at all when disabled.
//
// Thread-compatible: one thread drives one ProgressBar.

#ifndef SUPERBET_CORE_PROGRESS_H_
#define SUPERBET_CORE_PROGRESS_H_

#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/strings/string_view.h"

namespace superbet::core {

class ProgressBar {
 public:
  // `total` steps (>= 1); `label` prefixes every line; `out` is not owned (nullptr disables).
  ProgressBar(int64_t total, std::string label, std::FILE* out = stderr);
  ~ProgressBar();  // Finishes the line if Done() was not called.

  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Marks `steps` more steps done; `note` (e.g. the current file) is shown beside the count.
  void Advance(int64_t steps = 1, absl::string_view note = "");
  // Completes the bar and ends the line. Idempotent.
  void Done();

  // Renders the bar text for `done` of `total` (no control characters): "[====>     ] 5/10".
  // Exposed for tests. `width` is the number of cells between the brackets.
  static std::string Render(int64_t done, int64_t total, int width = 30);

 private:
  int64_t total_;
  int64_t done_ = 0;
  int last_decile_ = -1;
  std::string label_;
  std::FILE* out_;
  bool is_tty_ = false;
  bool finished_ = false;
};

}  // namespace superbet::core

#endif  // SUPERBET_CORE_PROGRESS_H_
