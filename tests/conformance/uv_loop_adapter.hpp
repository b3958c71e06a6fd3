// uv_loop_adapter.hpp — a libuv loop (uv_loop_t) mapped onto the event-loop adapter concept.
//
// libuv is single-threaded: only the loop thread may touch the loop. post() and post_after() from
// other threads append to a mutex-guarded inbox and wake the loop with uv_async_send; the async
// callback runs handlers and arms uv_timer_t timers on the loop thread. A handler's exception is
// caught (it must not unwind through libuv's C frames), the loop is stopped, and run() rethrows it.
//
// Timers: libuv's loop clock (uv_now) is whole milliseconds, floored, of CLOCK_MONOTONIC_COARSE
// (libuv uses it when its resolution is <= 1 ms), and it is cached at the start of the iteration.
// Against std::chrono::steady_clock (CLOCK_MONOTONIC) a uv timer therefore fires early: by however
// stale the cache is (measured: up to 2 ms; uv_update_time() fixes that), and then by up to 2 ms
// more (< 1 ms the coarse clock lags, < 1 ms the flooring). The adapter refreshes the cache and
// asks for 2 ms more than is left; TimersDoNotFireEarly checks that this is enough.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include <uv.h>

#include <conkit/conformance/event_loop.hpp>

#include "uv_common.hpp"

namespace conkit::adapters {

class UvLoop {
 public:
  static constexpr bool fifo = true;  // one inbox, drained in order on the one loop thread

  UvLoop() {
    uv::check(uv_loop_init(&loop_), "uv_loop_init");
    uv::check(uv_async_init(&loop_, &wake_, on_wake), "uv_async_init");
    wake_.data = this;
  }

  UvLoop(const UvLoop&) = delete;
  UvLoop& operator=(const UvLoop&) = delete;

  ~UvLoop() {  // after run() returned: close every handle, let the close callbacks run, close the loop
    uv_walk(&loop_, [](uv_handle_t* h, void*) {
      if (!uv_is_closing(h)) uv_close(h, on_closed);
    }, nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
  }

  void post(std::function<void()> h) { push({std::nullopt, std::move(h), nullptr}); }

  void post_after(std::chrono::nanoseconds d, std::function<void()> h) { start_timer(d, std::move(h)); }

  // Cancellable timers: the timer callback checks the flag, so a cancel from any thread (or from a
  // callback of the same iteration) wins as long as the callback has not started.
  using TimerId = std::shared_ptr<std::atomic<bool>>;
  TimerId start_timer(std::chrono::nanoseconds d, std::function<void()> h) {
    auto cancelled = std::make_shared<std::atomic<bool>>(false);
    push({Clock::now() + d, std::move(h), cancelled});  // the deadline counts from this call
    return cancelled;
  }
  void cancel_timer(const TimerId& id) { *id = true; }  // the uv timer still fires, and does nothing

  void run() {
    uv_run(&loop_, UV_RUN_DEFAULT);  // returns on uv_stop: wake_ keeps it alive otherwise
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

  void stop() {
    stopping_ = true;
    uv_async_send(&wake_);
  }

 private:
  using Clock = std::chrono::steady_clock;
  static constexpr long long kClockLagMs = 2;  // how far uv_now() may be behind Clock (see above)
  struct Item {
    std::optional<Clock::time_point> due;  // none: run as soon as possible
    std::function<void()> handler;
    TimerId cancelled;  // timers only
  };
  struct Timer {
    uv_timer_t handle;
    UvLoop* owner;
    std::function<void()> handler;
    TimerId cancelled;
  };

  void push(Item item) {
    {
      std::lock_guard lock(mutex_);
      inbox_.push_back(std::move(item));
    }
    uv_async_send(&wake_);
  }

  static void on_wake(uv_async_t* async) {
    auto* self = static_cast<UvLoop*>(async->data);
    std::deque<Item> items;
    {
      std::lock_guard lock(self->mutex_);
      items.swap(self->inbox_);
    }
    while (!items.empty() && !self->error_) {
      Item item = std::move(items.front());
      items.pop_front();
      if (item.due) self->arm(*item.due, std::move(item.handler), std::move(item.cancelled));
      else self->call(item.handler);
    }
    if (!items.empty()) {  // stopped by an exception: keep the rest, in order, for a later run()
      std::lock_guard lock(self->mutex_);
      self->inbox_.insert(self->inbox_.begin(), std::make_move_iterator(items.begin()),
                          std::make_move_iterator(items.end()));
      uv_async_send(&self->wake_);  // pending for the next run()
    }
    if (self->stopping_) uv_stop(&self->loop_);
  }

  void arm(Clock::time_point due, std::function<void()> handler, TimerId cancelled) {
    auto* timer = new Timer{{}, this, std::move(handler), std::move(cancelled)};
    uv_timer_init(&loop_, &timer->handle);
    timer->handle.data = timer;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(due - Clock::now());  // before the update
    uv_update_time(&loop_);  // else the timer counts from the iteration's stale start
    const long long ms = std::max<long long>(0, left.count()) + kClockLagMs;
    uv_timer_start(&timer->handle, on_timer, static_cast<std::uint64_t>(ms), 0);
  }

  static void on_timer(uv_timer_t* handle) {
    auto* timer = static_cast<Timer*>(handle->data);
    if (!timer->cancelled->load()) timer->owner->call(timer->handler);
    uv_close(reinterpret_cast<uv_handle_t*>(handle), on_closed);
  }

  static void on_closed(uv_handle_t* h) {
    if (h->type == UV_TIMER) delete static_cast<Timer*>(h->data);
  }

  void call(const std::function<void()>& handler) {
    try {
      handler();
    } catch (...) {
      error_ = std::current_exception();  // run() rethrows it once the loop has stopped
      uv_stop(&loop_);
    }
  }

  uv_loop_t loop_{};
  uv_async_t wake_{};
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::deque<Item> inbox_;
  std::exception_ptr error_;  // loop thread only
};

static_assert(conformance::EventLoopAdapter<UvLoop>);

}  // namespace conkit::adapters
