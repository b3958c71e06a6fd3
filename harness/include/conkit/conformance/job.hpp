// conkit/conformance/job.hpp — the jobs the process-pool suite sends, how a worker performs them,
// and the length framing the reference pool and worker speak.
//
// A job is bytes: "<verb>\n<payload>". The suite builds them with the make_* functions; a worker
// process answers with perform(job). A user whose process pool runs its own worker binary links
// this header into that binary and calls perform() on the job bytes it receives.
//
//   verb        payload    answer
//   echo        bytes      the payload, unchanged (any size; the suite sends 1 MiB)
//   pid         -          the worker's pid, decimal
//   fds         -          one line per open fd above 2: "<fd> <target>" (empty: nothing leaked)
//   crash       -          none: the worker kills itself with SIGKILL
//   grandchild  seconds    starts `sleep <seconds>` holding the worker's stdout; answers its pid
//
// Framing (framed_read / framed_write): an 8-byte little-endian length, then that many bytes.
// Thread safety: all functions are reentrant.
#pragma once

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

extern char** environ;

namespace conkit::conformance::job {

inline std::string make_echo(std::string_view payload) { return "echo\n" + std::string(payload); }
inline std::string make_pid() { return "pid\n"; }
inline std::string make_fds() { return "fds\n"; }
inline std::string make_crash() { return "crash\n"; }
inline std::string make_grandchild(int seconds) { return "grandchild\n" + std::to_string(seconds); }

// Starts `sleep <seconds>` with stdin and stderr on /dev/null and our stdout: it holds the pipe.
inline pid_t start_grandchild(const std::string& seconds) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::string arg0 = "sleep", arg1 = seconds;
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, "sleep", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("posix_spawnp(sleep) failed");
  return pid;
}

inline std::string open_fds_above_stdio() {
  std::string out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    const std::string name = entry.path().filename().string();
    const int fd = std::stoi(name);
    if (fd <= 2) continue;
    std::error_code link_ec;
    const auto target = std::filesystem::read_symlink(entry.path(), link_ec).string();
    if (target.rfind("/proc/", 0) == 0 && target.find("/fd") != std::string::npos) continue;  // the listing itself
    out += name + " " + target + "\n";
  }
  return out;
}

// Performs one job in the worker process and returns the answer.
inline std::string perform(std::string_view request) {
  const auto nl = request.find('\n');
  const std::string_view verb = request.substr(0, nl);
  const std::string_view payload = nl == std::string_view::npos ? std::string_view{} : request.substr(nl + 1);
  if (verb == "echo") return std::string(payload);
  if (verb == "pid") return std::to_string(::getpid());
  if (verb == "fds") return open_fds_above_stdio();
  if (verb == "crash") {
    std::raise(SIGKILL);
    return {};
  }
  if (verb == "grandchild") return std::to_string(start_grandchild(std::string(payload)));
  throw std::invalid_argument("unknown job verb: " + std::string(verb));
}

// Blocking framed I/O on raw fds (for workers). read returns nullopt at a clean EOF.
// All n bytes through `io` (::read or ::write), retried after EINTR and short transfers; false at an
// error or end of file.
template <class Byte, class Io>
bool transfer_all(Io io, int fd, Byte* data, std::size_t n) {
  while (n > 0) {
    const ssize_t done = io(fd, data, n);
    if (done < 0 && errno == EINTR) continue;
    if (done <= 0) return false;
    data += done;
    n -= static_cast<std::size_t>(done);
  }
  return true;
}

inline bool write_all(int fd, const char* data, std::size_t n) { return transfer_all(::write, fd, data, n); }
inline bool read_all(int fd, char* data, std::size_t n) { return transfer_all(::read, fd, data, n); }

inline std::string encode_length(std::uint64_t n) {
  std::string header(8, '\0');
  for (int i = 0; i < 8; ++i) header[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return header;
}

inline std::uint64_t decode_length(std::string_view header) {
  std::uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= std::uint64_t(static_cast<unsigned char>(header[i])) << (8 * i);
  return n;
}

inline bool framed_write(int fd, std::string_view message) {
  const std::string header = encode_length(message.size());
  return write_all(fd, header.data(), header.size()) && write_all(fd, message.data(), message.size());
}

inline std::optional<std::string> framed_read(int fd) {
  char header[8];
  if (!read_all(fd, header, sizeof header)) return std::nullopt;
  std::string message(decode_length(std::string_view(header, 8)), '\0');
  if (!read_all(fd, message.data(), message.size())) return std::nullopt;
  return message;
}

}  // namespace conkit::conformance::job
