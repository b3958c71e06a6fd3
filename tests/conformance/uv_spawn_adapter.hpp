// uv_spawn_adapter.hpp — a process pool built on libuv: uv_spawn children running conkit's worker
// program, their stdin/stdout as uv_pipe_t, driven by a uv_loop_t on its own thread. Mapped onto
// the process-pool adapter concept.
//
// submit() hands the job to the loop thread (inbox + uv_async_send); the loop gives each idle child
// one framed job and reads its framed answer (job.hpp). A child that exits mid-job fails that job's
// future and is replaced. Answers are read by length, never to EOF: a grandchild may hold stdout.
// Shutdown: once every submitted job is answered, each child's stdin is closed (the worker exits at
// EOF); libuv reaps it (SIGCHLD) and the loop ends when the last handle is closed.
#pragma once

#include <csignal>
#include <deque>
#include <future>
#include <list>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include <uv.h>

#include <conkit/conformance/job.hpp>
#include <conkit/conformance/process_pool.hpp>

#include "uv_common.hpp"

namespace conkit::adapters {

class UvProcessPool {
 public:
  static std::string unsupported() { return uv::spawn_tsan_reason(); }

  explicit UvProcessPool(conformance::ProcessPoolOptions options) : options_(std::move(options)) {
    // A write to a child that just died must fail with EPIPE (on_exit then fails its job), not kill
    // the whole process: libuv writes pipes with write(2). Process-wide, as every libuv program does.
    std::signal(SIGPIPE, SIG_IGN);
    uv::check(uv_loop_init(&loop_), "uv_loop_init");
    uv::check(uv_async_init(&loop_, &wake_, on_wake), "uv_async_init");
    wake_.data = this;
    for (std::size_t i = 0; i < options_.workers; ++i) spawn();  // before the loop thread exists
    thread_ = std::thread([this] { uv_run(&loop_, UV_RUN_DEFAULT); });
  }

  UvProcessPool(const UvProcessPool&) = delete;
  UvProcessPool& operator=(const UvProcessPool&) = delete;

  ~UvProcessPool() {
    {
      std::lock_guard lock(mutex_);  // held across the send: the loop cannot close wake_ before it
      closing_ = true;
      uv_async_send(&wake_);
    }
    thread_.join();
    uv_loop_close(&loop_);
  }

  std::future<std::string> submit(std::string job) {
    Job j{std::move(job), {}};
    auto answer = j.promise.get_future();
    {
      std::lock_guard lock(mutex_);
      inbox_.push_back(std::move(j));
    }
    uv_async_send(&wake_);
    return answer;
  }

 private:
  struct Job {
    std::string request;
    std::promise<std::string> promise;
  };
  struct Child {
    UvProcessPool* pool = nullptr;
    uv_process_t process{};
    uv_pipe_t in{}, out{};
    std::string frame;                // the request being written (uv_write needs it alive)
    uv_write_t write{};
    std::string received;             // answer bytes so far
    std::optional<Job> current;       // the job this child is doing
    bool stdin_closed = false;
    int open_handles = 3;
  };

  // Loop thread (or the constructor, before it starts): one more child.
  void spawn() {
    auto& child = children_.emplace_back();
    child.pool = this;
    child.process.data = child.in.data = child.out.data = child.write.data = &child;
    uv_pipe_init(&loop_, &child.in, 0);
    uv_pipe_init(&loop_, &child.out, 0);
    uv_stdio_container_t stdio[3];
    stdio[0].flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | UV_READABLE_PIPE);
    stdio[0].data.stream = reinterpret_cast<uv_stream_t*>(&child.in);
    stdio[1].flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | UV_WRITABLE_PIPE);
    stdio[1].data.stream = reinterpret_cast<uv_stream_t*>(&child.out);
    stdio[2].flags = UV_INHERIT_FD;
    stdio[2].data.fd = 2;
    std::string file = options_.worker;
    char* args[] = {file.data(), nullptr};
    uv_process_options_t opts{};
    opts.exit_cb = on_exit;
    opts.file = file.c_str();
    opts.args = args;
    opts.stdio_count = 3;
    opts.stdio = stdio;
    uv::check(uv_spawn(&loop_, &child.process, &opts), "uv_spawn");
    uv_read_start(reinterpret_cast<uv_stream_t*>(&child.out), on_alloc, on_read);
  }

  static void on_wake(uv_async_t* async) {
    auto* self = static_cast<UvProcessPool*>(async->data);
    {
      std::lock_guard lock(self->mutex_);
      while (!self->inbox_.empty()) {
        self->queue_.push_back(std::move(self->inbox_.front()));
        self->inbox_.pop_front();
      }
      self->shutting_down_ = self->closing_;
    }
    self->dispatch();
  }

  // Gives idle children the next jobs; when shutting down with nothing left, closes their stdin.
  void dispatch() {
    for (auto& child : children_) {
      if (child.current || child.stdin_closed) continue;
      if (!queue_.empty()) {
        child.current.emplace(std::move(queue_.front()));
        queue_.pop_front();
        child.frame = conformance::job::encode_length(child.current->request.size()) + child.current->request;
        uv_buf_t buf = uv_buf_init(child.frame.data(), static_cast<unsigned>(child.frame.size()));
        uv_write(&child.write, reinterpret_cast<uv_stream_t*>(&child.in), &buf, 1, [](uv_write_t*, int) {
          // A failed write (the child died) is reported by on_exit, which fails the job.
        });
      } else if (shutting_down_) {
        child.stdin_closed = true;
        uv_close(reinterpret_cast<uv_handle_t*>(&child.in), on_closed);
      }
    }
    if (shutting_down_ && children_.empty() && !uv_is_closing(reinterpret_cast<uv_handle_t*>(&wake_))) {
      uv_close(reinterpret_cast<uv_handle_t*>(&wake_), nullptr);  // the last handle: uv_run returns
    }
  }

  static void on_alloc(uv_handle_t*, std::size_t suggested, uv_buf_t* buf) {
    *buf = uv_buf_init(new char[suggested], static_cast<unsigned>(suggested));
  }

  static void on_read(uv_stream_t* stream, ssize_t n, const uv_buf_t* buf) {
    auto& child = *static_cast<Child*>(stream->data);
    if (n > 0) child.received.append(buf->base, static_cast<std::size_t>(n));
    delete[] buf->base;
    if (n < 0) uv_read_stop(stream);  // EOF or error: the child's exit is handled by on_exit
    while (child.received.size() >= 8) {
      const auto length = conformance::job::decode_length(child.received);
      if (child.received.size() < 8 + length || !child.current) break;
      child.current->promise.set_value(child.received.substr(8, length));
      child.received.erase(0, 8 + length);
      child.current.reset();
    }
    child.pool->dispatch();
  }

  static void on_exit(uv_process_t* process, std::int64_t status, int signal) {
    auto& child = *static_cast<Child*>(process->data);
    UvProcessPool* self = child.pool;
    if (child.current) {
      child.current->promise.set_exception(std::make_exception_ptr(std::runtime_error(
          "worker exited mid-job (status " + std::to_string(status) + ", signal " + std::to_string(signal) + ")")));
      child.current.reset();
    }
    for (uv_handle_t* h : {reinterpret_cast<uv_handle_t*>(&child.in), reinterpret_cast<uv_handle_t*>(&child.out),
                           reinterpret_cast<uv_handle_t*>(process)}) {
      if (!uv_is_closing(h)) uv_close(h, on_closed);
    }
    if (!self->shutting_down_ || !self->queue_.empty()) self->spawn();  // replace it while work remains
  }

  static void on_closed(uv_handle_t* h) {
    auto& child = *static_cast<Child*>(h->data);
    if (--child.open_handles > 0) return;
    UvProcessPool* self = child.pool;
    self->children_.remove_if([&](const Child& c) { return &c == &child; });
    self->dispatch();
  }

  conformance::ProcessPoolOptions options_;
  uv_loop_t loop_{};
  uv_async_t wake_{};
  std::mutex mutex_;
  std::deque<Job> inbox_;   // submitted, not yet seen by the loop (guarded by mutex_)
  bool closing_ = false;    // the destructor started (guarded by mutex_)
  // Loop thread only:
  bool shutting_down_ = false;
  std::deque<Job> queue_;
  std::list<Child> children_;  // a list: handles must not move
  std::thread thread_;
};

static_assert(conformance::ProcessPoolAdapter<UvProcessPool>);

}  // namespace conkit::adapters
