// conkit/conformance/thread_pool.hpp — the adapter concept a thread pool implements to be checked
// by the thread-pool conformance suite (thread_pool_suite.hpp; contracts in
// docs/executor-contracts.md).
//
// An adapter is a small class that wraps one executor:
//
//   struct MyPoolAdapter {
//     static constexpr conkit::conformance::Shutdown shutdown = Shutdown::finish_pending;
//     static constexpr bool fifo = true;          // tasks start in submission order with 1 worker
//     explicit MyPoolAdapter(std::size_t workers); // ask for `workers` threads
//     std::size_t workers() const;                // the concurrency actually provided (N)
//     void submit(std::function<void()> task);    // from the thread that owns the adapter
//     void wait();   // returns once every submitted task ran; rethrows a task's exception
//     ~MyPoolAdapter();                           // shuts down by the declared policy
//   };
//
// Declare the traits honestly: the suite holds the executor to them. `shutdown` says what the
// destructor does with tasks that were submitted but not started: finish_pending runs them all
// before it returns; drop_pending destroys them without running them. Either way a task that
// started finishes before the destructor returns, and none runs after it.
//
// Thread safety: the suite calls submit(), wait() and the destructor from one thread.
//
// Optional, declared by the adapter (a property that needs what is not declared is skipped, with
// the reason):
//   static constexpr bool nested_submit = true;  // a running task may call submit() (concurrently
//                                                // with the owner) and block until that task ran
//   static std::string known_failure(std::string_view property);  // XFAIL (property.hpp)
//   static std::string unsupported();            // non-empty: skip the whole suite (watchdog.hpp)
#pragma once

#include <concepts>
#include <cstddef>
#include <functional>

namespace conkit::conformance {

enum class Shutdown { finish_pending, drop_pending };

inline const char* to_string(Shutdown s) {
  return s == Shutdown::finish_pending ? "finish_pending" : "drop_pending";
}

template <class A>
concept ThreadPoolAdapter = std::constructible_from<A, std::size_t> && std::destructible<A> &&
                            requires(A& a, const A& ca, std::function<void()> task) {
  { A::shutdown } -> std::convertible_to<Shutdown>;
  { A::fifo } -> std::convertible_to<bool>;
  { ca.workers() } -> std::convertible_to<std::size_t>;
  a.submit(std::move(task));
  a.wait();
};

// Whether adapter A declares that tasks may submit tasks and wait for them.
template <class A>
constexpr bool declares_nested_submit() {
  if constexpr (requires { { A::nested_submit } -> std::convertible_to<bool>; }) {
    return A::nested_submit;
  } else {
    return false;
  }
}

}  // namespace conkit::conformance
