// my_loop_adapter.hpp — my::Loop as conkit's EventLoopAdapter (conkit/conformance/event_loop.hpp),
// with its cancellable timers declared (start_timer / cancel_timer).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <utility>

#include <conkit/conformance/event_loop.hpp>

#include "my_loop.hpp"

class my_loop_adapter {
 public:
  static constexpr bool fifo = true;  // one queue, drained in order on the loop thread
  using TimerId = std::uint64_t;

  void post(std::function<void()> h) { loop_.post(std::move(h)); }
  void post_after(std::chrono::nanoseconds d, std::function<void()> h) { start_timer(d, std::move(h)); }
  TimerId start_timer(std::chrono::nanoseconds d, std::function<void()> h) {
    return loop_.at(my::Loop::Clock::now() + d, std::move(h));  // the deadline counts from this call
  }
  void cancel_timer(TimerId id) { loop_.cancel(id); }
  void run() { loop_.run(); }
  void stop() { loop_.stop(); }

 private:
  my::Loop loop_;
};

static_assert(conkit::conformance::EventLoopAdapter<my_loop_adapter>);
static_assert(conkit::conformance::CancellableTimers<my_loop_adapter>);
