// mutant_thread_pool.hpp — the reference thread pool with one deliberate bug switched in per
// instance, to prove the thread-pool suite catches each bug class. Every mutation is marked
// `MUTANT(<bug>)`; with Bug::none this is the reference pool (a sanity instance that must pass).
#pragma once

#include <atomic>
#include <chrono>
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

namespace conkit::mutants {

enum class PoolBug {
  none,
  drops_task,            // every 500th task is counted as done but never run
  runs_task_twice,       // every 500th task runs twice
  early_wait,            // wait() returns once the queue is empty, while tasks still run
  lost_wakeup,           // wait() checks, unlocks, then waits without re-checking
  deadlock_at_shutdown,  // the destructor sets the stop flag but never notifies parked workers
  drops_pending,         // declares finish_pending, but the destructor clears the queue
  swallows_exceptions,   // a task's exception is caught and forgotten
  serializes,            // one worker thread, whatever N it declares
  oversubscribes,        // 4N worker threads while declaring N
  unsynchronized_queue,  // the completion count is a relaxed atomic polled without the lock
  dies_on_exception,     // a worker thread ends after its task threw
  defers_nested_submit,  // submit() from a worker parks the task until the worker's task returns
  lifo_queue,            // newest task first (declares fifo = false, honestly)
  worker_lost_wakeup,    // an idle worker checks the queue, unlocks, then waits without re-checking
};

template <PoolBug Bug>
class MutantThreadPool {
 public:
  static constexpr conformance::Shutdown shutdown = conformance::Shutdown::finish_pending;
  static constexpr bool fifo = Bug != PoolBug::lifo_queue;
  static constexpr bool nested_submit = true;

  explicit MutantThreadPool(std::size_t workers) : declared_(workers) {
    std::size_t threads = workers;
    if constexpr (Bug == PoolBug::serializes) threads = 1;          // MUTANT(serializes)
    if constexpr (Bug == PoolBug::oversubscribes) threads = 4 * workers;  // MUTANT(oversubscribes)
    for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
  }

  ~MutantThreadPool() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      if constexpr (Bug == PoolBug::drops_pending) {  // MUTANT(drops_pending)
        unfinished_ -= queue_.size();
        queue_.clear();
      }
    }
    if constexpr (Bug != PoolBug::deadlock_at_shutdown) work_ready_.notify_all();  // MUTANT(deadlock_at_shutdown)
    for (auto& t : threads_) t.join();
  }

  std::size_t workers() const { return declared_; }

  void submit(std::function<void()> task) {
    if constexpr (Bug == PoolBug::defers_nested_submit) {  // MUTANT(defers_nested_submit)
      if (deferred_ != nullptr) {
        std::lock_guard lock(mutex_);
        ++unfinished_;
        relaxed_unfinished_.fetch_add(1, std::memory_order_relaxed);
        deferred_->push_back(std::move(task));
        return;
      }
    }
    {
      std::lock_guard lock(mutex_);
      ++submitted_;
      if constexpr (Bug == PoolBug::drops_task) {  // MUTANT(drops_task)
        if (submitted_ % 500 == 0) return;
      }
      if constexpr (Bug == PoolBug::runs_task_twice) {  // MUTANT(runs_task_twice)
        if (submitted_ % 500 == 0) {
          queue_.push_back(task);
          ++unfinished_;
          relaxed_unfinished_.fetch_add(1, std::memory_order_relaxed);
        }
      }
      queue_.push_back(std::move(task));
      ++unfinished_;
      relaxed_unfinished_.fetch_add(1, std::memory_order_relaxed);
    }
    work_ready_.notify_one();
  }

  void wait() {
    if constexpr (Bug == PoolBug::unsynchronized_queue) {  // MUTANT(unsynchronized_queue)
      // Never takes the mutex: nothing orders the tasks' writes before wait() returns.
      while (relaxed_unfinished_.load(std::memory_order_relaxed) != 0) std::this_thread::yield();
      if (first_error_) std::rethrow_exception(std::exchange(first_error_, nullptr));
      return;
    }
    std::unique_lock lock(mutex_);
    if constexpr (Bug == PoolBug::early_wait) {  // MUTANT(early_wait)
      all_done_.wait(lock, [this] { return queue_.empty(); });
    } else if constexpr (Bug == PoolBug::lost_wakeup) {  // MUTANT(lost_wakeup)
      if (unfinished_ != 0) {
        lock.unlock();
        std::this_thread::sleep_for(std::chrono::microseconds(200));  // widens the window
        lock.lock();
        all_done_.wait(lock);  // no predicate: the notify may already have happened
      }
    } else {
      all_done_.wait(lock, [this] { return unfinished_ == 0; });
    }
    if (first_error_) std::rethrow_exception(std::exchange(first_error_, nullptr));
  }

 private:
  void work() {
    std::vector<std::function<void()>> deferred;
    if constexpr (Bug == PoolBug::defers_nested_submit) deferred_ = &deferred;
    std::unique_lock lock(mutex_);
    for (;;) {
      if constexpr (Bug == PoolBug::worker_lost_wakeup) {  // MUTANT(worker_lost_wakeup)
        if (!stopping_ && queue_.empty()) {
          lock.unlock();
          std::this_thread::sleep_for(std::chrono::microseconds(200));  // widens the window
          lock.lock();
          // No re-check of the queue: a submit's notify during the window is lost. (Shutdown is
          // re-checked, so that this mutant loses wakeups, not the destructor's.)
          if (!stopping_) work_ready_.wait(lock);
        }
      }
      work_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      std::function<void()> task;
      if constexpr (Bug == PoolBug::lifo_queue) {  // MUTANT(lifo_queue)
        task = std::move(queue_.back());
        queue_.pop_back();
      } else {
        task = std::move(queue_.front());
        queue_.pop_front();
      }
      if constexpr (Bug == PoolBug::early_wait) all_done_.notify_all();
      lock.unlock();
      std::exception_ptr error;
      try {
        task();
      } catch (...) {
        if constexpr (Bug != PoolBug::swallows_exceptions) error = std::current_exception();  // MUTANT(swallows_exceptions)
      }
      task = nullptr;
      lock.lock();
      for (auto& d : deferred) queue_.push_back(std::move(d));  // MUTANT(defers_nested_submit): only now
      if (!deferred.empty()) work_ready_.notify_all();
      deferred.clear();
      const bool threw = error != nullptr;
      if (error && !first_error_) first_error_ = error;
      error = nullptr;
      relaxed_unfinished_.fetch_sub(1, std::memory_order_relaxed);
      if (--unfinished_ == 0) all_done_.notify_all();
      if constexpr (Bug == PoolBug::dies_on_exception) {  // MUTANT(dies_on_exception)
        if (threw) return;
      }
    }
  }

  std::size_t declared_;
  std::mutex mutex_;
  std::condition_variable work_ready_, all_done_;
  std::deque<std::function<void()>> queue_;
  std::size_t unfinished_ = 0, submitted_ = 0;
  std::atomic<std::size_t> relaxed_unfinished_{0};
  std::exception_ptr first_error_;
  bool stopping_ = false;
  static inline thread_local std::vector<std::function<void()>>* deferred_ = nullptr;  // a worker's, while it runs
  std::vector<std::thread> threads_;
};

}  // namespace conkit::mutants
