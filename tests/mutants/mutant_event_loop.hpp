// mutant_event_loop.hpp — an Asio io_context loop with one deliberate bug switched in per instance,
// to prove the event-loop suite catches each bug class. Mutations are marked `MUTANT(<bug>)`.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <thread>
#include <utility>

#include <boost/asio.hpp>

#include <conkit/conformance/event_loop.hpp>
#include <conkit/conformance/watchdog.hpp>

namespace conkit::mutants {

enum class LoopBug {
  none,
  blocking_timer,        // a timer is a handler that sleeps on the loop thread (a synchronous call)
  early_timer,           // a timer expires after half its delay
  runs_off_loop,         // post() runs the handler right away on the posting thread
  timers_in_post_order,  // timers wait in one FIFO list: a later deadline posted first fires first
  coarse_timer_tick,     // timers are checked only every 8u (delays rounded up to a multiple of 8u)
  cancel_too_late,       // cancel_timer() only cancels the Asio timer (no flag the handler checks)
  stop_before_run_lost,  // run() restarts the context first, forgetting a stop() that came before
  swallows_exceptions,   // a handler's exception is caught and forgotten
};

template <LoopBug Bug>
class MutantEventLoop {
 public:
  static constexpr bool fifo = true;
  struct Timer {
    explicit Timer(boost::asio::io_context& ctx) : timer(ctx) {}
    boost::asio::steady_timer timer;
    std::atomic<bool> cancelled{false};
  };
  using TimerId = std::shared_ptr<Timer>;

  void post(std::function<void()> h) {
    if constexpr (Bug == LoopBug::runs_off_loop) {  // MUTANT(runs_off_loop)
      h();
      return;
    }
    if constexpr (Bug == LoopBug::swallows_exceptions) {  // MUTANT(swallows_exceptions)
      boost::asio::post(ctx_, [h = std::move(h)] {
        try {
          h();
        } catch (...) {
        }
      });
      return;
    }
    boost::asio::post(ctx_, std::move(h));
  }

  void post_after(std::chrono::nanoseconds d, std::function<void()> h) {
    if constexpr (Bug == LoopBug::blocking_timer) {  // MUTANT(blocking_timer)
      boost::asio::post(ctx_, [d, h = std::move(h)] {
        std::this_thread::sleep_for(d);
        h();
      });
      return;
    }
    if constexpr (Bug == LoopBug::timers_in_post_order) {  // MUTANT(timers_in_post_order)
      boost::asio::post(ctx_, [this, due = Clock::now() + d, h = std::move(h)]() mutable {
        fifo_timers_.push_back({due, std::move(h)});
        if (fifo_timers_.size() == 1) arm_head();
      });
      return;
    }
    start_timer(d, std::move(h));
  }

  TimerId start_timer(std::chrono::nanoseconds d, std::function<void()> h) {
    if constexpr (Bug == LoopBug::early_timer) d /= 2;  // MUTANT(early_timer)
    if constexpr (Bug == LoopBug::coarse_timer_tick) {  // MUTANT(coarse_timer_tick)
      const auto tick = std::chrono::duration_cast<std::chrono::nanoseconds>(8 * conformance::unit());
      d = (d + tick - std::chrono::nanoseconds(1)) / tick * tick;
    }
    auto t = std::make_shared<Timer>(ctx_);
    t->timer.expires_after(d);
    t->timer.async_wait([t, h = std::move(h)](boost::system::error_code ec) {
      if (ec) return;
      if (Bug != LoopBug::cancel_too_late && t->cancelled.load()) return;  // MUTANT(cancel_too_late): no check
      h();
    });
    return t;
  }

  void cancel_timer(const TimerId& t) {
    if constexpr (Bug != LoopBug::cancel_too_late) t->cancelled = true;  // MUTANT(cancel_too_late)
    boost::asio::post(ctx_, [t] { t->timer.cancel(); });  // the timer object belongs to the loop thread
  }

  void run() {
    if constexpr (Bug == LoopBug::stop_before_run_lost) ctx_.restart();  // MUTANT(stop_before_run_lost)
    ctx_.run();
  }
  void stop() { ctx_.stop(); }

 private:
  using Clock = std::chrono::steady_clock;
  struct Pending {
    Clock::time_point due;
    std::function<void()> handler;
  };

  void arm_head() {  // loop thread
    head_.expires_at(fifo_timers_.front().due);
    head_.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      auto h = std::move(fifo_timers_.front().handler);
      fifo_timers_.pop_front();
      if (!fifo_timers_.empty()) arm_head();
      h();
    });
  }

  boost::asio::io_context ctx_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> keep_ = boost::asio::make_work_guard(ctx_);
  boost::asio::steady_timer head_{ctx_};
  std::deque<Pending> fifo_timers_;  // loop thread only
};

}  // namespace conkit::mutants
