// conkit/facts.hpp — the tiny header a case program includes (header-only, no dependencies).
//
// A case prints what a person would see on stdout and writes structured facts to the channel whose
// file descriptor conkit passes in CONKIT_FACTS_FD. Outside conkit (no CONKIT_FACTS_FD) facts are
// dropped, so a case runs fine by hand.
//
//   #include <conkit/facts.hpp>
//   auto u = conkit::unit();                    // CONKIT_UNIT_MS as std::chrono::milliseconds
//   conkit::say("Task 0 started...");           // one write(2) per line: lines never tear
//   conkit::fact("counter", 1234);              // {"fact":"counter","value":1234,"t_ns":...,"pid":...,"tid":...}
//   conkit::fact("model", "threads");
//   return conkit::skip("needs 2 cores");       // exit code 77: SKIP with a reason
//
// Thread safety: say() and fact() may be called from any thread or process at once; each line is
// one write(2) of at most PIPE_BUF bytes for facts, so lines from different writers never interleave.
#pragma once

#include <unistd.h>
#include <sys/syscall.h>

#include <climits>
#include <chrono>
#include <stdexcept>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <string_view>
#include <type_traits>

#include "conkit/exit_codes.hpp"

namespace conkit {

// CLOCK_MONOTONIC in nanoseconds: the clock conkit stamps output with.
inline std::int64_t now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// The time unit u (CONKIT_UNIT_MS, default 100 ms).
inline std::chrono::milliseconds unit() {
  const char* v = std::getenv("CONKIT_UNIT_MS");
  long ms = v ? std::strtol(v, nullptr, 10) : 0;
  return std::chrono::milliseconds(ms > 0 ? ms : 100);
}

namespace detail {
inline void write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n < 0) return;  // nothing sensible to do: the reader is gone
    s.remove_prefix(static_cast<std::size_t>(n));
  }
}
inline int facts_fd() {
  static const int fd = [] {
    const char* v = std::getenv("CONKIT_FACTS_FD");
    return v ? std::atoi(v) : -1;
  }();
  return fd;
}
inline void json_escape(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') { out += '\\'; out += static_cast<char>(c); }
    else if (c < 0x20) { out += "\\u00"; out += hex[c >> 4]; out += hex[c & 15]; }
    else out += static_cast<char>(c);
  }
}
template <class T>
void json_value(std::string& out, const T& v) {
  if constexpr (std::is_same_v<T, bool>) out += v ? "true" : "false";
  else if constexpr (std::is_integral_v<T>) out += std::to_string(v);
  else if constexpr (std::is_floating_point_v<T>) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", static_cast<double>(v));
    out += buf;
  } else {
    out += '"';
    json_escape(out, std::string_view(v));
    out += '"';
  }
}
}  // namespace detail

// Prints one line to stdout with a single write(2) (stdout's buffer is bypassed on purpose).
inline void say(std::string_view line) {
  std::string s(line);
  s += '\n';
  std::fflush(stdout);  // keep order with anything printed through stdio
  detail::write_all(STDOUT_FILENO, s);
}

// Writes a fact. `value` is a number, bool or string.
template <class T>
void fact(std::string_view name, const T& value) {
  const int fd = detail::facts_fd();
  if (fd < 0) return;
  std::string s = "{\"fact\":\"";
  detail::json_escape(s, name);
  s += "\",\"value\":";
  detail::json_value(s, value);
  s += ",\"t_ns\":" + std::to_string(now_ns());
  s += ",\"pid\":" + std::to_string(::getpid());
  s += ",\"tid\":" + std::to_string(static_cast<long>(::syscall(SYS_gettid)));
  s += "}\n";
  // One write of at most PIPE_BUF bytes is atomic on a pipe; a longer one could interleave with
  // another writer's and tear both lines.
  if (s.size() > PIPE_BUF)
    throw std::length_error("conkit::fact: the line for '" + std::string(name) + "' is " + std::to_string(s.size()) +
                            " bytes, more than PIPE_BUF (" + std::to_string(PIPE_BUF) + "); it could tear");
  detail::write_all(fd, s);
}
inline void fact(std::string_view name, const char* value) { fact(name, std::string_view(value)); }

// Ends the case as SKIP with a reason (exit code exit_code::skip, 77).
[[noreturn]] inline void skip(std::string_view reason) {
  fact("skip_reason", reason);
  std::string s = "SKIP: " + std::string(reason) + "\n";
  detail::write_all(STDERR_FILENO, s);
  std::_Exit(exit_code::skip);
}

}  // namespace conkit
