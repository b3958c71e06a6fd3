// mutant_event_loop.hpp — an Asio io_context loop with one deliberate bug switched in per instance,
// to prove the event-loop suite catches each bug class. Mutations are marked `MUTANT(<bug>)`.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <utility>

#include <boost/asio.hpp>

#include <conkit/conformance/event_loop.hpp>

namespace conkit::mutants {

enum class LoopBug {
  none,
  blocking_timer,  // a timer is a handler that sleeps on the loop thread (a synchronous call)
  early_timer,     // a timer expires after half its delay
  runs_off_loop,   // post() runs the handler right away on the posting thread
};

template <LoopBug Bug>
class MutantEventLoop {
 public:
  static constexpr bool fifo = true;

  void post(std::function<void()> h) {
    if constexpr (Bug == LoopBug::runs_off_loop) {  // MUTANT(runs_off_loop)
      h();
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
    if constexpr (Bug == LoopBug::early_timer) d /= 2;  // MUTANT(early_timer)
    auto timer = std::make_shared<boost::asio::steady_timer>(ctx_, d);
    timer->async_wait([timer, h = std::move(h)](boost::system::error_code ec) {
      if (!ec) h();
    });
  }

  void run() { ctx_.run(); }
  void stop() { ctx_.stop(); }

 private:
  boost::asio::io_context ctx_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> keep_ = boost::asio::make_work_guard(ctx_);
};

}  // namespace conkit::mutants
