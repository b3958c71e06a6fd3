// worker_pipes.hpp — two small pipes a process-model case shares with its workers, next to stdout
// (which carries the lines conkit grades, so it cannot carry anything else):
//
//   start_gate: workers block on it until the parent opens it, after every spawn is done; they then
//               start together, so the cost of spawning N processes stays out of their overlap
//               (spawn_overhead is the scenario that measures that cost).
//   stamp_channel: each worker sends "start_ns end_ns" of its task; CLOCK_MONOTONIC is system-wide,
//               so the parent computes span_ms from the workers' own inner stamps.
//
//   start_gate gate; stamp_channel stamps;
//   spawn_worker(ctx, {"fetch", gate.arg(), stamps.arg()}, gate.pass(), stamps.pass());  // xN
//   gate.open();  ... wait for the workers ...  auto s = stamps.collect();
//   // worker: wait_at_gate(fd); ...task...; send_stamps(fd, start, end);
//
// The worker's end of each pipe is inherited across exec (no FD_CLOEXEC) and whitelisted for
// Boost.Process, which closes every other fd in the child. Records are one write(2) shorter than
// PIPE_BUF, so records from different workers never tear.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <boost/process/v2.hpp>

namespace conkit::cases {

// A Boost.Process initializer: keep `fd` open in the child.
struct pass_fd {
  int fd;
  template <class Launcher>
  boost::process::v2::error_code on_setup(Launcher& launcher, const boost::process::v2::filesystem::path&,
                                          const char* const*) {
    launcher.fd_whitelist.push_back(fd);
    return {};
  }
};

// One pipe; end `child_end` (0 = read, 1 = write) is inherited by workers.
class inherited_pipe {
 public:
  explicit inherited_pipe(int child_end) : child_end_(child_end) {
    if (::pipe2(fds_, O_CLOEXEC) != 0 || ::fcntl(fds_[child_end_], F_SETFD, 0) != 0)
      throw std::system_error(errno, std::generic_category(), "inherited_pipe");
  }
  inherited_pipe(const inherited_pipe&) = delete;
  inherited_pipe& operator=(const inherited_pipe&) = delete;
  ~inherited_pipe() {
    close_end(0);
    close_end(1);
  }

  std::string arg() const { return std::to_string(fds_[child_end_]); }
  pass_fd pass() const { return {fds_[child_end_]}; }

 protected:
  void close_end(int end) {
    if (fds_[end] >= 0) ::close(fds_[end]);
    fds_[end] = -1;
  }
  int fds_[2] = {-1, -1};
  int child_end_;
};

class start_gate : public inherited_pipe {
 public:
  start_gate() : inherited_pipe(0) {}
  // Closing both parent ends gives every waiting worker EOF at once.
  void open() {
    close_end(0);
    close_end(1);
  }
};

inline void wait_at_gate(int fd) {
  char c;
  while (::read(fd, &c, 1) < 0 && errno == EINTR) {
  }
  ::close(fd);
}

class stamp_channel : public inherited_pipe {
 public:
  stamp_channel() : inherited_pipe(1) {}
  // Call after every worker has been spawned: reads records until all workers have exited.
  std::vector<std::pair<std::int64_t, std::int64_t>> collect() {
    close_end(1);
    std::string text;
    char buf[4096];
    for (ssize_t n; (n = ::read(fds_[0], buf, sizeof buf)) != 0;) {
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) break;
      text.append(buf, static_cast<std::size_t>(n));
    }
    std::vector<std::pair<std::int64_t, std::int64_t>> stamps;
    long long start = 0, end = 0;
    int used = 0;
    for (const char* p = text.c_str(); std::sscanf(p, "%lld %lld\n%n", &start, &end, &used) == 2; p += used)
      stamps.emplace_back(start, end);
    return stamps;
  }
};

inline void send_stamps(int fd, std::int64_t start_ns, std::int64_t end_ns) {
  const std::string record = std::to_string(start_ns) + " " + std::to_string(end_ns) + "\n";
  if (::write(fd, record.data(), record.size()) < 0) std::perror("send_stamps");
  ::close(fd);
}

}  // namespace conkit::cases
