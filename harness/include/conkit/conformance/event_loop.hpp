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
// A stop() that comes before run() is not lost: run() then returns soon after it starts.
//
// Optional, declared by the adapter (properties that need what is absent are skipped, with the
// reason):
//   using TimerId = ...;  // cancellable timers: copyable
//   TimerId start_timer(std::chrono::nanoseconds d, std::function<void()> h);  // any thread
//   void cancel_timer(TimerId id);  // any thread. After it returns on the loop thread, h never
//                                   // runs (even if its deadline already passed in this
//                                   // iteration); from another thread, h never runs if the
//                                   // cancel returned before the deadline
//   static std::string known_failure(std::string_view property);  // XFAIL (property.hpp)
//   static std::string unsupported();                             // skip the suite (watchdog.hpp)
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

// Whether adapter A declares cancellable timers (start_timer / cancel_timer).
template <class A>
concept CancellableTimers = requires(A& a, std::function<void()> h, std::chrono::nanoseconds d) {
  a.cancel_timer(a.start_timer(d, h));
};

}  // namespace conkit::conformance
