// The reference process pool: one slot thread per worker process; see reference_process_pool.hpp.
#include "reference_process_pool.hpp"

#include <chrono>
#include <csignal>
#include <memory>
#include <stdexcept>

#include <boost/asio.hpp>
#include <boost/process/v2.hpp>

#include <unistd.h>  // close_range

#include <conkit/conformance/job.hpp>

namespace conkit::reference {
namespace {

namespace asio = boost::asio;
namespace bp = boost::process::v2;
using namespace std::chrono_literals;

// How long to keep reading a dead worker's stdout for an answer it wrote before dying.
constexpr auto kDrainGrace = 100ms;

// Closes every fd above stdio that the launcher does not keep, in the child before exec. Boost 1.81's
// own close_all() (close_handles.ipp, close_range variant) compares each whitelist entry with itself
// instead of the next one, so it leaves open every fd between stderr and the launcher's exec-error
// pipe — pipes to the other workers among them. Async-signal-safe: no allocation, only close_range.
struct close_unlisted_fds {
  bp::error_code on_exec_setup(bp::posix::default_launcher& launcher, const bp::filesystem::path&,
                               const char* const*) {
    unsigned low = 3;
    for (;;) {
      int keep = -1;  // the smallest whitelisted fd >= low
      for (int fd : launcher.fd_whitelist) {
        if (fd >= static_cast<int>(low) && (keep < 0 || fd < keep)) keep = fd;
      }
      if (keep < 0) {
        ::close_range(low, ~0u, 0);
        return {};
      }
      if (static_cast<unsigned>(keep) > low) ::close_range(low, static_cast<unsigned>(keep) - 1, 0);
      low = static_cast<unsigned>(keep) + 1;
    }
  }
};

// One running worker process and its pipes, owned by one slot thread.
class Worker {
 public:
  explicit Worker(const std::string& program)
      : in_(ctx_), out_(ctx_), process_(ctx_, program, {}, bp::process_stdio{in_, out_, {}}, close_unlisted_fds{}) {}

  ~Worker() {
    boost::system::error_code ignored;
    in_.close(ignored);                     // EOF on the worker's stdin: it exits
    process_.wait(ignored);                 // and is reaped; its stdout may stay held by a grandchild
    out_.close(ignored);
  }

  // Sends one job and reads its answer; throws if the worker dies first.
  std::string exchange(const std::string& job) {
    const std::string header = conformance::job::encode_length(job.size());
    boost::system::error_code ec;
    asio::write(in_, std::array{asio::buffer(header), asio::buffer(job)}, ec);
    if (ec) throw died("writing the job: " + ec.message());

    std::string answer_header(8, '\0'), answer;
    bool done = false;
    boost::system::error_code read_ec;
    asio::async_read(out_, asio::buffer(answer_header), [&](boost::system::error_code e, std::size_t) {
      if (e) {
        read_ec = e;
        done = true;
        return;
      }
      answer.resize(conformance::job::decode_length(answer_header));
      asio::async_read(out_, asio::buffer(answer), [&](boost::system::error_code e2, std::size_t) {
        read_ec = e2;
        done = true;
      });
    });
    ctx_.restart();
    // Run in slices so a worker that died (and whose stdout a grandchild holds open) is noticed.
    while (!done) {
      ctx_.run_for(10ms);
      if (!done && !process_.running()) {
        ctx_.run_for(kDrainGrace);
        if (!done) {
          out_.cancel();
          ctx_.run();
          throw died("it exited before answering");
        }
      }
    }
    if (read_ec) throw died("reading the answer: " + read_ec.message());
    return answer;
  }

  bool alive() { return process_.running(); }

 private:
  static std::runtime_error died(const std::string& why) {
    return std::runtime_error("conkit reference process pool: worker died: " + why);
  }

  asio::io_context ctx_;
  asio::writable_pipe in_;   // the worker's stdin
  asio::readable_pipe out_;  // the worker's stdout
  bp::process process_;
};

}  // namespace

ProcessPool::ProcessPool(conformance::ProcessPoolOptions options) : options_(std::move(options)) {
  std::signal(SIGPIPE, SIG_IGN);
  slots_.reserve(options_.workers);
  for (std::size_t i = 0; i < options_.workers; ++i) slots_.emplace_back([this] { serve(); });
}

ProcessPool::~ProcessPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : slots_) t.join();
}

std::future<std::string> ProcessPool::submit(std::string job) {
  Pending p{std::move(job), {}};
  auto answer = p.answer.get_future();
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(p));
  }
  ready_.notify_one();
  return answer;
}

void ProcessPool::serve() {
  std::unique_ptr<Worker> worker;  // (not std::optional: gcc 12 warns falsely through Asio's pipes)
  try {
    worker = std::make_unique<Worker>(options_.worker);
  } catch (...) {
    // Started lazily below; the first job reports the error.
  }
  for (;;) {
    Pending p;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping with nothing left: ~Worker reaps the process
      p = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      if (!worker || !worker->alive()) {
        worker.reset();
        worker = std::make_unique<Worker>(options_.worker);
      }
      p.answer.set_value(worker->exchange(p.job));
    } catch (...) {
      p.answer.set_exception(std::current_exception());
      worker.reset();  // reap the dead one now; a fresh worker takes the next job
    }
  }
}

}  // namespace conkit::reference
