// conkit/conformance/process_pool.hpp — the adapter concept a process pool implements to be checked
// by the process-pool conformance suite (process_pool_suite.hpp; contracts in
// docs/executor-contracts.md).
//
//   struct MyProcessPoolAdapter {
//     explicit MyProcessPoolAdapter(conkit::conformance::ProcessPoolOptions options);
//     std::future<std::string> submit(std::string job);  // runs `job` in a child process
//     ~MyProcessPoolAdapter();  // finishes the submitted jobs, then ends and reaps every child
//   };
//
// A job is bytes (job.hpp); the child answers with conkit::conformance::job::perform(job). The
// future holds the answer, or an exception if the child died without answering. Children are
// started by spawn/exec (never a fork that keeps running); `options.worker` is conkit's worker
// program (framed jobs on stdin, framed answers on stdout, until EOF), which an adapter may use
// or replace by its own binary that calls job::perform().
//
// Thread safety: the suite calls submit() and the destructor from one thread.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdlib>
#include <future>
#include <string>

namespace conkit::conformance {

struct ProcessPoolOptions {
  std::size_t workers = 2;
  std::string worker;  // path of conkit_conformance_worker
};

// The worker program: $CONKIT_CONFORMANCE_WORKER if set, else the one this build made.
inline std::string default_worker_path() {
  if (const char* p = std::getenv("CONKIT_CONFORMANCE_WORKER"); p != nullptr && *p != '\0') return p;
#ifdef CONKIT_CONFORMANCE_WORKER
  return CONKIT_CONFORMANCE_WORKER;
#else
  return "conkit_conformance_worker";
#endif
}

template <class A>
concept ProcessPoolAdapter = std::constructible_from<A, ProcessPoolOptions> && std::destructible<A> &&
                             requires(A& a, std::string job) {
  { a.submit(std::move(job)) } -> std::same_as<std::future<std::string>>;
};

}  // namespace conkit::conformance
