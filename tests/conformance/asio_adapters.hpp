// asio_adapters.hpp — Boost.Asio executors mapped onto the conformance adapter concepts:
// asio::thread_pool as a thread pool, asio::io_context as an event loop.
//
// asio::thread_pool has no "wait for these tasks" (join() ends the pool) and lets a handler's
// exception escape its thread (std::terminate), so the adapter tracks completion with
// conkit::conformance::Completion, which catches exceptions for wait() to rethrow. Its destructor is ~thread_pool's own: stop(), then
// join() — handlers not yet started are destroyed without running, so the declared policy is
// drop_pending.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <utility>

#include <boost/asio.hpp>

#include <conkit/conformance/completion.hpp>
#include <conkit/conformance/event_loop.hpp>
#include <conkit/conformance/thread_pool.hpp>

namespace conkit::adapters {

namespace asio = boost::asio;

class AsioThreadPool {
 public:
  static constexpr conformance::Shutdown shutdown = conformance::Shutdown::drop_pending;
  static constexpr bool fifo = true;  // with one thread, the scheduler's queue runs in post order
  static constexpr bool nested_submit = true;  // asio::post from a pool thread queues like any other

  explicit AsioThreadPool(std::size_t workers) : workers_(workers), pool_(workers) {}

  std::size_t workers() const { return workers_; }

  // Completion catches the exception (in asio::thread_pool it would escape the thread and
  // terminate) and counts the task finished even when the pool's destructor drops it unrun.
  void submit(std::function<void()> task) { asio::post(pool_, done_.track(std::move(task))); }
  void wait() { done_.wait(); }

 private:
  std::size_t workers_;
  conformance::Completion done_;
  asio::thread_pool pool_;  // last: destroyed first (stop + join) while the counters still exist
};

static_assert(conformance::ThreadPoolAdapter<AsioThreadPool>);

class AsioIoContext {
 public:
  static constexpr bool fifo = true;  // one thread runs the loop: handlers run in post order

  void post(std::function<void()> h) { asio::post(ctx_, std::move(h)); }

  void post_after(std::chrono::nanoseconds d, std::function<void()> h) { start_timer(d, std::move(h)); }

  // A cancellable timer. asio's cancel() cannot recall a handler already queued with success
  // (a timer that expired in the same iteration), so the handler also checks a flag.
  struct Timer {
    explicit Timer(asio::io_context& ctx) : timer(ctx) {}
    asio::steady_timer timer;
    std::atomic<bool> cancelled{false};
  };
  using TimerId = std::shared_ptr<Timer>;

  TimerId start_timer(std::chrono::nanoseconds d, std::function<void()> h) {
    // The expiry is computed here, on the caller's thread, when the timer is started.
    auto t = std::make_shared<Timer>(ctx_);
    t->timer.expires_after(d);
    t->timer.async_wait([t, h = std::move(h)](boost::system::error_code ec) {
      if (!ec && !t->cancelled.load()) h();
    });
    return t;
  }

  void cancel_timer(const TimerId& t) {
    t->cancelled = true;
    asio::post(ctx_, [t] { t->timer.cancel(); });  // frees the wait early; the timer object is the loop's
  }

  void run() { ctx_.run(); }  // a handler's exception propagates out of run()
  void stop() { ctx_.stop(); }

 private:
  asio::io_context ctx_;
  asio::executor_work_guard<asio::io_context::executor_type> keep_running_ = asio::make_work_guard(ctx_);
};

static_assert(conformance::EventLoopAdapter<AsioIoContext>);

}  // namespace conkit::adapters
