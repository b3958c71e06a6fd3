// asio_adapters.hpp — Boost.Asio executors mapped onto the conformance adapter concepts:
// asio::thread_pool as a thread pool, asio::io_context as an event loop.
//
// asio::thread_pool has no "wait for these tasks" (join() ends the pool) and lets a handler's
// exception escape its thread (std::terminate), so the adapter counts unfinished tasks and catches
// exceptions to rethrow them from wait(). Its destructor is ~thread_pool's own: stop(), then
// join() — handlers not yet started are destroyed without running, so the declared policy is
// drop_pending.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>

#include <boost/asio.hpp>

#include <conkit/conformance/event_loop.hpp>
#include <conkit/conformance/thread_pool.hpp>

namespace conkit::adapters {

namespace asio = boost::asio;

class AsioThreadPool {
 public:
  static constexpr conformance::Shutdown shutdown = conformance::Shutdown::drop_pending;
  static constexpr bool fifo = true;  // with one thread, the scheduler's queue runs in post order

  explicit AsioThreadPool(std::size_t workers) : workers_(workers), pool_(workers) {}

  std::size_t workers() const { return workers_; }

  void submit(std::function<void()> task) {
    {
      std::lock_guard lock(mutex_);
      ++unfinished_;
    }
    asio::post(pool_, [this, task = std::move(task)]() mutable {
      std::exception_ptr error;
      try {
        task();
      } catch (...) {
        error = std::current_exception();
      }
      task = nullptr;
      std::lock_guard lock(mutex_);
      if (!first_error_) first_error_ = std::move(error);
      // Drop our reference under the lock: were it the last, the exception would be destroyed here
      // after wait()'s caller read it, ordered only by libstdc++'s (uninstrumented) refcount atomics,
      // which TSan reports as a race.
      error = nullptr;
      if (--unfinished_ == 0) all_done_.notify_all();
    });
  }

  void wait() {
    std::unique_lock lock(mutex_);
    all_done_.wait(lock, [this] { return unfinished_ == 0; });
    if (first_error_) std::rethrow_exception(std::exchange(first_error_, nullptr));
  }

 private:
  std::size_t workers_;
  std::mutex mutex_;
  std::condition_variable all_done_;
  std::size_t unfinished_ = 0;
  std::exception_ptr first_error_;
  asio::thread_pool pool_;  // last: destroyed first (stop + join) while the counters still exist
};

static_assert(conformance::ThreadPoolAdapter<AsioThreadPool>);

class AsioIoContext {
 public:
  static constexpr bool fifo = true;  // one thread runs the loop: handlers run in post order

  void post(std::function<void()> h) { asio::post(ctx_, std::move(h)); }

  void post_after(std::chrono::nanoseconds d, std::function<void()> h) {
    // The expiry is computed here, on the caller's thread, when post_after is called.
    auto timer = std::make_shared<asio::steady_timer>(ctx_, d);
    timer->async_wait([timer, h = std::move(h)](boost::system::error_code ec) {
      if (!ec) h();
    });
  }

  void run() { ctx_.run(); }  // a handler's exception propagates out of run()
  void stop() { ctx_.stop(); }

 private:
  asio::io_context ctx_;
  asio::executor_work_guard<asio::io_context::executor_type> keep_running_ = asio::make_work_guard(ctx_);
};

static_assert(conformance::EventLoopAdapter<AsioIoContext>);

}  // namespace conkit::adapters
