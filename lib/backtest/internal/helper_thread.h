// One helper thread that runs one task at a time for its owner: the owner hands it a task
// (Start), does its own share of the work, then waits for the task (Wait). Used for fork-join
// steps whose two halves share no mutable state, so that the result does not depend on which
// half finishes first.
//
// Thread-safety: Start and Wait are called by the owner's thread only, alternately (Start, Wait,
// Start, ...); the task runs on the helper thread, and everything it wrote is visible to the
// owner once Wait returns (mutex hand-off). Owns its thread; the destructor waits for a running
// task, then stops and joins it.

#ifndef SUPERBET_LIB_BACKTEST_INTERNAL_HELPER_THREAD_H_
#define SUPERBET_LIB_BACKTEST_INTERNAL_HELPER_THREAD_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace superbet::backtest::internal {

class HelperThread {
 public:
  HelperThread();
  ~HelperThread();
  HelperThread(const HelperThread&) = delete;
  HelperThread& operator=(const HelperThread&) = delete;

  // Runs `task` on the helper thread. The previous task must have been waited for.
  void Start(std::function<void()> task);
  // Blocks until the task given to Start has returned.
  void Wait();

 private:
  void Loop();

  // Busy-wait steps (x86 pause) before blocking on the condition variable, both in Wait and in
  // the helper between tasks: about 0.1-0.2 ms.
  static constexpr int kSpins = 4000;

  std::mutex mu_;
  std::condition_variable cv_;
  std::function<void()> task_;         // Set by Start (under mu_), taken by the helper.
  std::atomic<bool> has_task_{false};  // Set by Start, cleared (under mu_) once the task returned.
  bool stop_ = false;                  // Under mu_.
  std::thread thread_;                 // Last: started once the members above exist.
};

}  // namespace superbet::backtest::internal

#endif  // SUPERBET_LIB_BACKTEST_INTERNAL_HELPER_THREAD_H_
