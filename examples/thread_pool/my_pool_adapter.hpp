// my_pool_adapter.hpp — my::Pool as conkit's ThreadPoolAdapter (conkit/conformance/thread_pool.hpp).
// my::Pool has no wait() and lets exceptions escape, so the adapter counts unfinished tasks and
// keeps the first exception for wait() to rethrow.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <utility>

#include <conkit/conformance/thread_pool.hpp>

#include "my_pool.hpp"

class my_pool_adapter {
 public:
  static constexpr conkit::conformance::Shutdown shutdown = conkit::conformance::Shutdown::finish_pending;
  static constexpr bool fifo = true;  // one locked deque: one worker starts tasks in order

  explicit my_pool_adapter(std::size_t workers) : pool_(workers) {}
  std::size_t workers() const { return pool_.size(); }

  void submit(std::function<void()> task) {
    {
      std::lock_guard lock(mutex_);
      ++unfinished_;
    }
    pool_.enqueue([this, task = std::move(task)]() mutable {
      std::exception_ptr error;
      try {
        task();
      } catch (...) {
        error = std::current_exception();
      }
      task = nullptr;
      std::lock_guard lock(mutex_);
      if (!error_) error_ = std::move(error);
      error = nullptr;  // released under the lock, so TSan sees it ordered before wait() returns
      if (--unfinished_ == 0) done_.notify_all();
    });
  }

  void wait() {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [this] { return unfinished_ == 0; });
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

 private:
  std::mutex mutex_;
  std::condition_variable done_;
  std::size_t unfinished_ = 0;
  std::exception_ptr error_;
  my::Pool pool_;  // last: joined first, while the counters still exist
};

static_assert(conkit::conformance::ThreadPoolAdapter<my_pool_adapter>);
