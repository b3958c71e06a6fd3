// conkit/conformance/completion.hpp — the completion tracking an adapter adds to an executor that
// has no "wait for my tasks" of its own: an unfinished count, the first exception, and wait().
//
//   conkit::conformance::Completion done_;
//   void submit(std::function<void()> task) { pool_.post(done_.track(std::move(task))); }
//   void wait() { done_.wait(); }   // every tracked task finished; rethrows the first exception
//
// track() counts the task as unfinished at once (on the submitting thread) and returns a callable
// for the executor to run: it runs the task, catches its exception, destroys the task's captures,
// and only then counts it finished. Each tracked callable must be run or destroyed exactly once;
// destroying it unrun (an executor dropping pending work) counts it finished without an error.
// Copies of the callable share one task: the first run() runs it, later ones do nothing.
//
// Memory ordering: everything a task did happens-before wait() returns (both sides hold the
// mutex). The exception_ptr is handed over and released under that mutex: were the worker's copy
// the last one, the exception would be destroyed after wait() read it, ordered only by
// libstdc++'s uninstrumented refcount, which ThreadSanitizer reports as a race.
//
// Thread safety: track() and wait() from any thread; wait() from inside a tracked task deadlocks
// (it waits for itself). Destroy the Completion only after every tracked callable is gone.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>

namespace conkit::conformance {

class Completion {
 public:
  Completion() = default;
  Completion(const Completion&) = delete;
  Completion& operator=(const Completion&) = delete;

  // The task wrapped for the executor: counted unfinished now, finished once it ran (or was dropped).
  std::function<void()> track(std::function<void()> task) {
    {
      std::lock_guard lock(mutex_);
      ++unfinished_;
    }
    auto ticket = std::make_shared<Ticket>(this, std::move(task));
    return [ticket] { ticket->run(); };
  }

  // Returns once every tracked task finished; rethrows the first exception one threw since the
  // last wait().
  void wait() {
    std::unique_lock lock(mutex_);
    all_done_.wait(lock, [this] { return unfinished_ == 0; });
    if (first_error_) std::rethrow_exception(std::exchange(first_error_, nullptr));
  }

  // Tracked tasks not yet finished (for an adapter's own bookkeeping; racy by nature).
  std::size_t unfinished() const {
    std::lock_guard lock(mutex_);
    return unfinished_;
  }

 private:
  // One tracked task, shared by every copy of its callable (an executor may copy it); finishes
  // exactly once: when first run, or when the last copy is destroyed unrun.
  class Ticket {
   public:
    Ticket(Completion* owner, std::function<void()> task) : owner_(owner), task_(std::move(task)) {}
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    ~Ticket() {
      task_ = nullptr;
      if (owner_ != nullptr) owner_->finish(nullptr);
    }

    void run() {
      std::exception_ptr error;
      try {
        if (task_) task_();
      } catch (...) {
        error = std::current_exception();
      }
      task_ = nullptr;  // the task's captures go before it counts as finished
      if (auto* owner = std::exchange(owner_, nullptr)) owner->finish(std::move(error));
    }

   private:
    Completion* owner_;
    std::function<void()> task_;
  };

  void finish(std::exception_ptr error) {
    std::lock_guard lock(mutex_);
    if (error && !first_error_) first_error_ = std::move(error);
    error = nullptr;  // released under the lock (see the header comment)
    if (--unfinished_ == 0) all_done_.notify_all();
  }

  mutable std::mutex mutex_;
  std::condition_variable all_done_;
  std::size_t unfinished_ = 0;
  std::exception_ptr first_error_;
};

}  // namespace conkit::conformance
