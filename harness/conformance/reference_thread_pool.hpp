// reference_thread_pool.hpp — conkit's own reference thread pool: the smallest pool that meets the
// whole thread-pool contract (docs/executor-contracts.md), and the baseline the mutants break.
//
//   conkit::reference::ThreadPool pool(4);
//   pool.submit([] { ... });
//   pool.wait();   // every task ran; rethrows the first exception a task threw since the last wait
//
// It satisfies conkit::conformance::ThreadPoolAdapter directly: N threads, FIFO queue, and the
// destructor finishes every pending task (Shutdown::finish_pending) before joining.
//
// Thread safety: submit() and wait() may be called from any thread, including from a task
// (submit only: a task that waits for its own pool would wait for itself).
// Memory ordering: everything a task wrote happens-before wait() returns (both hold the mutex).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <conkit/conformance/thread_pool.hpp>

namespace conkit::reference {

class ThreadPool {
 public:
  static constexpr conformance::Shutdown shutdown = conformance::Shutdown::finish_pending;
  static constexpr bool fifo = true;
  static constexpr bool nested_submit = true;  // submit() from a task queues like any other

  explicit ThreadPool(std::size_t workers) {
    threads_.reserve(workers);
    for (std::size_t i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
  }

  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  ~ThreadPool() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    work_ready_.notify_all();
    for (auto& t : threads_) t.join();  // workers drain the queue before they see stopping_
  }

  std::size_t workers() const { return threads_.size(); }

  void submit(std::function<void()> task) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(task));
      ++unfinished_;
    }
    work_ready_.notify_one();
  }

  void wait() {
    std::unique_lock lock(mutex_);
    all_done_.wait(lock, [this] { return unfinished_ == 0; });
    if (first_error_) std::rethrow_exception(std::exchange(first_error_, nullptr));
  }

 private:
  void work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      work_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to finish
      auto task = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      std::exception_ptr error;
      try {
        task();
      } catch (...) {
        error = std::current_exception();
      }
      task = nullptr;  // destroy the task's captures before it counts as finished
      lock.lock();
      if (error && !first_error_) first_error_ = error;
      if (--unfinished_ == 0) all_done_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable work_ready_, all_done_;
  std::deque<std::function<void()>> queue_;
  std::size_t unfinished_ = 0;        // submitted and not yet finished
  std::exception_ptr first_error_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;  // last: started once the state above exists
};

static_assert(conformance::ThreadPoolAdapter<ThreadPool>);

}  // namespace conkit::reference
