#include "backtest/internal/helper_thread.h"

#include <utility>

namespace superbet::backtest::internal {

HelperThread::HelperThread() : thread_([this] { Loop(); }) {}

HelperThread::~HelperThread() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return !has_task_; });
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void HelperThread::Start(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    task_ = std::move(task);
    has_task_ = true;
  }
  cv_.notify_all();
}

void HelperThread::Wait() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return !has_task_; });
}

void HelperThread::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return has_task_ || stop_; });
    if (stop_) return;
    std::function<void()> task = std::move(task_);
    lock.unlock();
    task();
    lock.lock();
    has_task_ = false;
    cv_.notify_all();
  }
}

}  // namespace superbet::backtest::internal
