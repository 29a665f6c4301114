#include "superbet/core/progress.h"

#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace superbet::core {

ProgressBar::ProgressBar(int64_t total, std::string label, std::FILE* out)
    : total_(std::max<int64_t>(total, 1)), label_(std::move(label)), out_(out) {
  if (out_ != nullptr) is_tty_ = ::isatty(::fileno(out_)) != 0;
}

ProgressBar::~ProgressBar() { Done(); }

std::string ProgressBar::Render(int64_t done, int64_t total, int width) {
  total = std::max<int64_t>(total, 1);
  done = std::clamp<int64_t>(done, 0, total);
  const int filled = static_cast<int>(done * width / total);
  std::string bar = "[";
  for (int i = 0; i < width; ++i) {
    if (i < filled) {
      bar += '=';
    } else if (i == filled && done < total) {
      bar += '>';
    } else {
      bar += ' ';
    }
  }
  absl::StrAppend(&bar, "] ", done, "/", total);
  return bar;
}

void ProgressBar::Advance(int64_t steps, absl::string_view note) {
  if (out_ == nullptr || finished_) return;
  done_ = std::min(done_ + steps, total_);
  const std::string line = absl::StrCat(label_, " ", Render(done_, total_), note.empty() ? "" : " ",
                                        note);
  if (is_tty_) {
    std::fprintf(out_, "\r%s\033[K", line.c_str());
    std::fflush(out_);
    return;
  }
  const int decile = static_cast<int>(done_ * 10 / total_);
  if (decile != last_decile_) {
    last_decile_ = decile;
    std::fprintf(out_, "%s\n", line.c_str());
  }
}

void ProgressBar::Done() {
  if (out_ == nullptr || finished_) return;
  if (done_ < total_) Advance(total_ - done_);
  finished_ = true;
  if (is_tty_) std::fprintf(out_, "\n");
  std::fflush(out_);
}

}  // namespace superbet::core
