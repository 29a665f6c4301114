#include "backtest/internal/helper_thread.h"

#include <thread>
#include <utility>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace superbet::backtest::internal {
namespace {

// One spin-wait step: tells the core we are waiting (no sleep); every 32nd step also yields the
// core, so that a spinning thread sharing a core with the thread it waits for (a busy machine)
// lets that one run instead of taking half the core from it.
inline void Relax(int i) {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#endif
  if (i % 32 == 31) std::this_thread::yield();
}

}  // namespace

HelperThread::HelperThread() : thread_([this] { Loop(); }) {}

HelperThread::~HelperThread() {
  Wait();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void HelperThread::Start(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    task_ = std::move(task);
    has_task_.store(true, std::memory_order_release);
  }
  cv_.notify_all();
}

void HelperThread::Wait() {
  for (int i = 0; i < kSpins && has_task_.load(std::memory_order_acquire); ++i) Relax(i);
  if (!has_task_.load(std::memory_order_acquire)) return;
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return !has_task_.load(std::memory_order_acquire); });
}

void HelperThread::Loop() {
  for (;;) {
    // A walk-forward hands a task every match day, a fraction of a millisecond apart: spinning a
    // little before sleeping keeps the helper on its core instead of a sleep and a wake-up each
    // day (measured: the futex round trips cost more than the day's pool fit saved).
    for (int i = 0; i < kSpins && !has_task_.load(std::memory_order_acquire); ++i) Relax(i);
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return has_task_.load(std::memory_order_acquire) || stop_; });
      if (!has_task_.load(std::memory_order_acquire)) return;  // stop_ and nothing to run.
      task = std::move(task_);
    }
    task();
    {
      std::lock_guard<std::mutex> lock(mu_);
      has_task_.store(false, std::memory_order_release);
    }
    cv_.notify_all();
  }
}

}  // namespace superbet::backtest::internal
