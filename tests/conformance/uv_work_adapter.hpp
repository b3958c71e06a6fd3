// uv_work_adapter.hpp — libuv's threadpool (uv_queue_work) mapped onto the thread-pool adapter
// concept.
//
// The threadpool is process-wide: its size is UV_THREADPOOL_SIZE (default 4), read once when it is
// first used, so the N the suite asks for is ignored and workers() reports the real size. The
// adapter owns a uv_loop_t on the suite's thread: submit() queues the work there, and wait() runs
// the loop until every uv_work_t's after-work callback ran, i.e. every task finished. Completion
// tracking is conkit's helper (conkit::conformance::Completion): a task's exception is caught on
// the pool thread and rethrown from wait(). The destructor runs the loop
// dry as well (libuv cannot drop queued work without uv_cancel), so the policy is finish_pending.
// Not FIFO: with more than one thread start order is not observable, and the size cannot be 1.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include <uv.h>

#include <conkit/conformance/completion.hpp>
#include <conkit/conformance/thread_pool.hpp>

#include "uv_common.hpp"

namespace conkit::adapters {

class UvWorkQueue {
 public:
  static constexpr conformance::Shutdown shutdown = conformance::Shutdown::finish_pending;
  static constexpr bool fifo = false;

  explicit UvWorkQueue(std::size_t /*requested: the size is global, see above*/) {
    uv::check(uv_loop_init(&loop_), "uv_loop_init");
  }

  UvWorkQueue(const UvWorkQueue&) = delete;
  UvWorkQueue& operator=(const UvWorkQueue&) = delete;

  ~UvWorkQueue() {
    uv_run(&loop_, UV_RUN_DEFAULT);  // every queued task runs; then no request is left
    uv_loop_close(&loop_);
  }

  // libuv's own rule (src/threadpool.c, 1.44): UV_THREADPOOL_SIZE, 0 means 1, at most 1024.
  std::size_t workers() const {
    static const std::size_t size = [] {
      const char* v = std::getenv("UV_THREADPOOL_SIZE");
      long n = v != nullptr ? std::atol(v) : 4;
      if (n <= 0) n = 1;  // atoi of junk is 0: libuv takes that as 1
      return static_cast<std::size_t>(n > 1024 ? 1024 : n);
    }();
    return size;
  }

  void submit(std::function<void()> task) {
    auto job = std::make_unique<Job>(Job{{}, done_.track(std::move(task))});
    job->req.data = job.get();
    uv::check(uv_queue_work(&loop_, &job->req, run_job, job_done), "uv_queue_work");
    job.release();  // job_done owns it now
  }

  void wait() {
    uv_run(&loop_, UV_RUN_DEFAULT);  // returns when no uv_work_t is left in flight
    done_.wait();                    // so every task finished: rethrows the first exception
  }

 private:
  struct Job {
    uv_work_t req;
    std::function<void()> task;  // tracked by done_
  };

  static void run_job(uv_work_t* req) {  // on a threadpool thread
    // Catches the task's exception and releases what the task holds before counting it finished.
    static_cast<Job*>(req->data)->task();
  }

  static void job_done(uv_work_t* req, int /*status: UV_ECANCELED only after uv_cancel*/) {  // loop thread
    delete static_cast<Job*>(req->data);
  }

  uv_loop_t loop_{};
  conformance::Completion done_;
};

static_assert(conformance::ThreadPoolAdapter<UvWorkQueue>);

}  // namespace conkit::adapters
