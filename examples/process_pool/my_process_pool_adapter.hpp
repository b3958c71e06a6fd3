// my_process_pool_adapter.hpp — my::ProcessPool as conkit's ProcessPoolAdapter
// (conkit/conformance/process_pool.hpp): each child is conkit's worker program in one-job mode,
// spoken to with conkit's length framing (conkit/conformance/job.hpp).
#pragma once

#include <future>
#include <stdexcept>
#include <string>

#include <conkit/conformance/job.hpp>
#include <conkit/conformance/process_pool.hpp>

#include "my_process_pool.hpp"

class my_process_pool_adapter {
 public:
  explicit my_process_pool_adapter(conkit::conformance::ProcessPoolOptions options)
      : pool_(options.worker, {"--once"}, [](int to_child, int from_child, const std::string& job) {
          namespace j = conkit::conformance::job;
          if (!j::framed_write(to_child, job)) throw std::runtime_error("the child did not take the job");
          auto answer = j::framed_read(from_child);  // by length: never read to EOF (a grandchild may hold it)
          if (!answer) throw std::runtime_error("the child died without answering");
          return *answer;
        }) {}

  std::future<std::string> submit(std::string job) { return pool_.submit(std::move(job)); }

 private:
  my::ProcessPool pool_;
};

static_assert(conkit::conformance::ProcessPoolAdapter<my_process_pool_adapter>);
