// reference_process_pool.hpp — conkit's reference process pool: N long-lived worker processes
// started by spawn/exec (Boost.Process v2, never fork-and-continue), each fed framed jobs over Asio
// pipes by its own slot thread. It meets the whole process-pool contract
// (docs/executor-contracts.md) and is the baseline the process-pool mutants break.
//
//   conkit::reference::ProcessPool pool({.workers = 3, .worker = "/path/conkit_conformance_worker"});
//   std::future<std::string> answer = pool.submit(conkit::conformance::job::make_echo("hi"));
//
// A worker that dies mid-job fails that job's future and is replaced for the next job. The
// destructor finishes every submitted job, closes each worker's stdin, and reaps it (waitpid):
// it never waits for EOF on a worker's stdout, which a grandchild may hold.
// Side effect: the constructor ignores SIGPIPE process-wide (a write to a dead worker must be an
// error, not a signal).
//
// Thread safety: submit() may be called from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <conkit/conformance/process_pool.hpp>

namespace conkit::reference {

class ProcessPool {
 public:
  explicit ProcessPool(conformance::ProcessPoolOptions options);
  ProcessPool(const ProcessPool&) = delete;
  ProcessPool& operator=(const ProcessPool&) = delete;
  ~ProcessPool();

  std::future<std::string> submit(std::string job);

 private:
  struct Pending {
    std::string job;
    std::promise<std::string> answer;
  };
  void serve();  // one slot thread: owns one worker process at a time

  conformance::ProcessPoolOptions options_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::vector<std::thread> slots_;  // last: started once the state above exists
};

static_assert(conformance::ProcessPoolAdapter<ProcessPool>);

}  // namespace conkit::reference
