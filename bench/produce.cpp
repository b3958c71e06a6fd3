// produce.cpp — the output the benchmarks capture, written as fast as the kernel takes it.
//
//   produce lines N LEN      N lines of LEN bytes each, the newline included ("x...x\n")
//   produce data N           N lines "data <i>" (the 1M-line grading input)
//   produce stamps N GAP_US  N lines "stamp <CLOCK_MONOTONIC ns>", each stamped just before its
//                            own write(2), GAP_US microseconds apart (arrival-stamp lag)
//   produce facts N          N facts {"fact":"n","value":i,...} on $CONKIT_FACTS_FD
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

namespace {

// Writes everything, retrying short writes.
void write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w <= 0) std::exit(w == 0 ? 0 : 1);  // EPIPE/closed: the reader stopped (a flood cap)
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

// Collects output in 64 KiB blocks: one write(2) per block, as a fast producer does.
class Out {
 public:
  explicit Out(int fd) : fd_(fd) {}
  ~Out() { flush(); }
  void put(const char* p, std::size_t n) {
    if (used_ + n > sizeof buf_) flush();
    if (n > sizeof buf_) return write_all(fd_, p, n);
    std::memcpy(buf_ + used_, p, n);
    used_ += n;
  }
  void flush() {
    write_all(fd_, buf_, used_);
    used_ = 0;
  }

 private:
  int fd_;
  std::size_t used_ = 0;
  char buf_[64 * 1024];
};

long long now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: produce lines N LEN | data N | stamps N GAP_US | facts N\n");
    return 2;
  }
  const std::string mode = argv[1];
  const long long n = std::atoll(argv[2]);
  if (mode == "lines" && argc >= 4) {
    const std::size_t len = static_cast<std::size_t>(std::atoll(argv[3]));
    std::string line(len > 0 ? len - 1 : 0, 'x');
    line += '\n';
    Out out(STDOUT_FILENO);
    for (long long i = 0; i < n; ++i) out.put(line.data(), line.size());
    return 0;
  }
  if (mode == "data") {
    Out out(STDOUT_FILENO);
    char buf[32];
    for (long long i = 0; i < n; ++i) {
      int k = std::snprintf(buf, sizeof buf, "data %lld\n", i);
      out.put(buf, static_cast<std::size_t>(k));
    }
    return 0;
  }
  if (mode == "stamps" && argc >= 4) {
    const long long gap_us = std::atoll(argv[3]);
    char buf[64];
    for (long long i = 0; i < n; ++i) {
      int k = std::snprintf(buf, sizeof buf, "stamp %lld\n", now_ns());
      write_all(STDOUT_FILENO, buf, static_cast<std::size_t>(k));
      if (gap_us > 0) ::usleep(static_cast<useconds_t>(gap_us));
    }
    return 0;
  }
  if (mode == "facts") {
    const char* fd_text = std::getenv("CONKIT_FACTS_FD");
    if (!fd_text) return 2;
    Out out(std::atoi(fd_text));
    const long long pid = ::getpid(), t0 = now_ns();
    char buf[160];
    for (long long i = 0; i < n; ++i) {
      int k = std::snprintf(buf, sizeof buf, "{\"fact\":\"n\",\"value\":%lld,\"t_ns\":%lld,\"pid\":%lld,\"tid\":%lld}\n",
                            i, t0 + i, pid, pid);
      out.put(buf, static_cast<std::size_t>(k));
    }
    return 0;
  }
  std::fprintf(stderr, "produce: unknown mode %s\n", mode.c_str());
  return 2;
}
