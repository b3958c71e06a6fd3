// tbb_adapter.hpp — oneTBB's task_group running in a task_arena of N slots, mapped onto the
// thread-pool adapter concept.
//
// The arena reserves no slot for the submitting thread, so N workers can fill it; a
// global_control raises TBB's worker limit to N + 1 (by default it is the core count - 1, which
// would cap N on a small machine). task_group::wait() already waits for every task and rethrows a
// task's exception; oneTBB requires a task_group to be waited before it is destroyed, so the
// destructor waits: the declared policy is finish_pending. Work stealing runs the spawning
// thread's tasks newest-first, so it is not FIFO.
//
// Under ThreadSanitizer the adapter reports itself unsupported: the distribution's oneTBB is not
// built with -fsanitize=thread, so TSan cannot see its synchronization.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <utility>

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <conkit/conformance/thread_pool.hpp>

#include "thread_sanitizer.hpp"

namespace conkit::adapters {

class TbbTaskGroup {
 public:
  static constexpr conformance::Shutdown shutdown = conformance::Shutdown::finish_pending;
  static constexpr bool fifo = false;
  static constexpr bool nested_submit = true;  // task_group::run from a task spawns into the arena

  static std::string unsupported() {
    if (!kThreadSanitizer) return {};
    return "oneTBB (libtbb-dev) is not instrumented for ThreadSanitizer: its synchronization is "
           "invisible to TSan, so TSan would report races that are not there";
  }

  explicit TbbTaskGroup(std::size_t workers)
      : limit_(tbb::global_control::max_allowed_parallelism, workers + 1),
        arena_(static_cast<int>(workers), 0) {}

  ~TbbTaskGroup() noexcept {  // (task_group's destructor may throw; ours waits first, so it does not)
    try {
      wait();
    } catch (...) {
      // An exception nobody waited for: the task still ran; there is no caller left to tell.
    }
  }

  std::size_t workers() const { return static_cast<std::size_t>(arena_.max_concurrency()); }

  void submit(std::function<void()> task) {
    arena_.execute([&] { group_.run(std::move(task)); });
  }

  void wait() {
    arena_.execute([&] { group_.wait(); });
  }

 private:
  tbb::global_control limit_;
  tbb::task_arena arena_;
  tbb::task_group group_;
};

static_assert(conformance::ThreadPoolAdapter<TbbTaskGroup>);

}  // namespace conkit::adapters
