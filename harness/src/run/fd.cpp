// run/fd.cpp — see run/fd.hpp.
#include "run/fd.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace conkit::detail {

OwnedFd& OwnedFd::operator=(OwnedFd&& o) noexcept {
  if (this != &o) {
    reset();
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

void OwnedFd::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string errno_failure(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

bool lift_above_stdio(OwnedFd& fd) {
  if (fd.get() >= 3) return true;
  int lifted = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3);
  if (lifted < 0) return false;
  fd = OwnedFd(lifted);
  return true;
}

std::string open_pipe(OwnedFd& read_end, OwnedFd& write_end) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return errno_failure("pipe2");
  read_end = OwnedFd(p[0]);
  write_end = OwnedFd(p[1]);
  if (!lift_above_stdio(read_end) || !lift_above_stdio(write_end)) return errno_failure("fcntl");
  return {};
}

}  // namespace conkit::detail
