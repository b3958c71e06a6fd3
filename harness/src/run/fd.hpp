// run/fd.hpp — owned file descriptors for the runner (private): the one place that makes pipes and
// moves descriptors out of the way of a child's stdio.
//
// Every descriptor made here is close-on-exec and numbered >= 3, so the child's dup2() onto 0, 1
// and 2 never clobbers one, and none leaks into a case through exec.
#pragma once

#include <string>
#include <utility>

namespace conkit::detail {

// An owned descriptor (-1 when empty).
class OwnedFd {
 public:
  OwnedFd() = default;
  explicit OwnedFd(int fd) : fd_(fd) {}
  OwnedFd(OwnedFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  OwnedFd& operator=(OwnedFd&& o) noexcept;
  OwnedFd(const OwnedFd&) = delete;
  OwnedFd& operator=(const OwnedFd&) = delete;
  ~OwnedFd() { reset(); }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset();

 private:
  int fd_ = -1;
};

// Moves `fd` to a number >= 3, close-on-exec. False (errno set) if that failed.
bool lift_above_stdio(OwnedFd& fd);

// A close-on-exec pipe with both ends >= 3. Returns an error text ("pipe2: ...") or "" on success.
std::string open_pipe(OwnedFd& read_end, OwnedFd& write_end);

// "<what>: <strerror(errno)>", for the error texts above and their callers.
std::string errno_failure(const char* what);

}  // namespace conkit::detail
