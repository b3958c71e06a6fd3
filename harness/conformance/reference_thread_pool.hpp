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
// Completion tracking (the unfinished count, the first exception, wait()) is conkit's shared
// helper, conkit::conformance::Completion, as in every adapter: the pool itself is the queue and
// its threads.
//
// Thread safety: submit() and wait() may be called from any thread, including from a task
// (submit only: a task that waits for its own pool would wait for itself).
// Memory ordering: everything a task wrote happens-before wait() returns (Completion's mutex).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <conkit/conformance/completion.hpp>
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
    auto tracked = done_.track(std::move(task));  // unfinished from now on
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(tracked));
    }
    work_ready_.notify_one();
  }

  // Every task ran; rethrows the first exception a task threw since the last wait().
  void wait() { done_.wait(); }

 private:
  void work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      work_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to finish
      auto task = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      task();  // tracked: catches the task's exception, drops its captures, then counts it finished
      task = nullptr;
      lock.lock();
    }
  }

  conformance::Completion done_;  // first: outlives every tracked task in the queue
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;  // last: started once the state above exists
};

static_assert(conformance::ThreadPoolAdapter<ThreadPool>);

}  // namespace conkit::reference
