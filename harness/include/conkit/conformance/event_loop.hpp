// conkit/conformance/event_loop.hpp — the adapter concept an event loop implements to be checked by
// the event-loop conformance suite (event_loop_suite.hpp; contracts in docs/executor-contracts.md).
//
//   struct MyLoopAdapter {
//     static constexpr bool fifo = true;  // handlers posted from one thread run in that order
//     MyLoopAdapter();
//     void post(std::function<void()> h);                            // any thread
//     void post_after(std::chrono::nanoseconds d, std::function<void()> h);  // a timer; any thread
//     void run();   // runs handlers on the calling thread (the loop thread) until stop();
//                   // a handler's exception leaves run() on the loop thread
//     void stop();  // any thread; run() returns soon after
//   };
//
// The suite calls run() on a thread it starts (the loop thread) and everything else from others.
// A timer must not fire before `d` has passed since post_after() was called (steady clock).
#pragma once

#include <chrono>
#include <concepts>
#include <functional>

namespace conkit::conformance {

template <class A>
concept EventLoopAdapter = std::default_initializable<A> &&
                           requires(A& a, std::function<void()> h, std::chrono::nanoseconds d) {
  { A::fifo } -> std::convertible_to<bool>;
  a.post(h);
  a.post_after(d, h);
  a.run();
  a.stop();
};

}  // namespace conkit::conformance
