// my_pool_adapter.hpp — my::Pool as conkit's ThreadPoolAdapter (conkit/conformance/thread_pool.hpp).
// my::Pool has no wait() and lets exceptions escape, so the adapter tracks completion with conkit's
// helper: Completion counts unfinished tasks and keeps the first exception for wait() to rethrow.
#pragma once

#include <cstddef>
#include <functional>
#include <utility>

#include <conkit/conformance/completion.hpp>
#include <conkit/conformance/thread_pool.hpp>

#include "my_pool.hpp"

class my_pool_adapter {
 public:
  static constexpr conkit::conformance::Shutdown shutdown = conkit::conformance::Shutdown::finish_pending;
  static constexpr bool fifo = true;           // one locked deque: one worker starts tasks in order
  static constexpr bool nested_submit = true;  // enqueue() from a task locks the queue like any other

  explicit my_pool_adapter(std::size_t workers) : pool_(workers) {}
  std::size_t workers() const { return pool_.size(); }

  void submit(std::function<void()> task) { pool_.enqueue(done_.track(std::move(task))); }
  void wait() { done_.wait(); }

 private:
  conkit::conformance::Completion done_;
  my::Pool pool_;  // last: joined first, while the completion count still exists
};

static_assert(conkit::conformance::ThreadPoolAdapter<my_pool_adapter>);
