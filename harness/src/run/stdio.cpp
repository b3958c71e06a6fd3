// run/stdio.cpp — pipes or a pseudo-terminal for a case's stdout and stderr, and the exit-burst
// check that tells when a program's output arrived only as it exited.
//
// The pseudo-terminal is a plain output device for the case, not its controlling terminal: the
// slave is opened with O_NOCTTY and never made the session's terminal, so no SIGHUP goes to the
// group when the main child exits (a stray is found and killed the same way as over a pipe), and
// opening /dev/tty fails as it would under a pipe. Output processing (OPOST, hence ONLCR) is off,
// so a line arrives as the program wrote it, without a CR.
#include "run/stdio.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "common/names.hpp"
#include "conkit/stdio.hpp"

namespace conkit {
namespace detail {
namespace {

std::string failed(const char* what) { return errno_failure(what); }

// The slave side of `master`: TIOCGPTPEER where the kernel has it (no path lookup), else by name.
OwnedFd open_slave(int master) {
  constexpr int flags = O_RDWR | O_NOCTTY | O_CLOEXEC;
#ifdef TIOCGPTPEER
  int peer = ::ioctl(master, TIOCGPTPEER, flags);
  if (peer >= 0) return OwnedFd(peer);
#endif
  char name[128];
  if (::ptsname_r(master, name, sizeof name) != 0) return OwnedFd();
  return OwnedFd(::open(name, flags));
}

std::string open_pty(OwnedFd& master, OwnedFd& slave) {
  master = OwnedFd(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (master.get() < 0) return failed("posix_openpt");
  if (::grantpt(master.get()) != 0) return failed("grantpt");
  if (::unlockpt(master.get()) != 0) return failed("unlockpt");
  slave = open_slave(master.get());
  if (slave.get() < 0) return failed("opening the pseudo-terminal's slave");
  termios tio{};
  if (::tcgetattr(slave.get(), &tio) != 0) return failed("tcgetattr");
  tio.c_oflag &= ~static_cast<tcflag_t>(OPOST | ONLCR | OCRNL);  // lines as written: no CR added
  tio.c_lflag &= ~static_cast<tcflag_t>(ECHO);                    // nothing is typed; echo nothing
  if (::tcsetattr(slave.get(), TCSANOW, &tio) != 0) return failed("tcsetattr");
  winsize ws{};
  ws.ws_row = 24;  // a classic terminal's size, for programs that ask
  ws.ws_col = 80;
  ::ioctl(slave.get(), TIOCSWINSZ, &ws);
  if (!lift_above_stdio(master) || !lift_above_stdio(slave)) return failed("fcntl");
  return {};
}

}  // namespace

std::string open_case_stdio(StdioMode mode, StdioEnds& ends) {
  ends.out_is_terminal = mode == StdioMode::pty;
  switch (mode) {
    case StdioMode::pipe:
      if (auto e = open_pipe(ends.out, ends.child_out); !e.empty()) return e;
      return open_pipe(ends.err, ends.child_err);
    case StdioMode::pty:
      if (auto e = open_pty(ends.out, ends.child_out); !e.empty()) return e;
      return open_pipe(ends.err, ends.child_err);
    case StdioMode::merged: {
      if (auto e = open_pipe(ends.out, ends.child_out); !e.empty()) return e;
      ends.child_err = OwnedFd(::fcntl(ends.child_out.get(), F_DUPFD_CLOEXEC, 3));
      if (ends.child_err.get() < 0) return failed("fcntl");
      return {};
    }
  }
  return "unknown stdio mode";
}

void add_stdio_environment(StdioMode mode, std::map<std::string, std::string>& env) {
  // A terminal with no capabilities: programs line-buffer but print no colours or cursor moves.
  if (mode == StdioMode::pty) env["TERM"] = "dumb";
}

void strip_terminal_cr(std::string_view& line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
}

}  // namespace detail

namespace {
// Each mode with its name in options, headers and reports; one table for both directions.
constexpr detail::NameTable<StdioMode, 3> kStdioNames = {
    {StdioMode::pipe, "pipe"}, {StdioMode::pty, "pty"}, {StdioMode::merged, "merged"}};
}  // namespace

std::string to_string(StdioMode mode) { return detail::name_of(kStdioNames, mode); }

std::optional<StdioMode> parse_stdio_mode(std::string_view text) { return detail::value_named(kStdioNames, text); }

std::vector<OutputBurst> find_exit_bursts(const RunResult& run) {
  // Two passes in order: the transcript's iterator does not seek (random access to each of a
  // flood's 30M lines cost seconds), and no per-line index is kept.
  struct PerStream {
    std::size_t n = 0;            // lines
    double last = 0;              // the last line's stamp
    std::size_t suffix_from = 0;  // position of the first line of the final run within the window
    std::size_t first_line = 0;   // its index in the transcript
    bool fresh = true;            // the next line within the window starts that run
  };
  PerStream per[3];
  auto slot = [](Stream s) { return s == Stream::out ? 0 : s == Stream::err ? 1 : 2; };
  for (LineView l : run.lines) {
    PerStream& p = per[slot(l.stream)];
    ++p.n;
    p.last = l.t_ms;
  }
  std::size_t i = 0, pos[3] = {0, 0, 0};
  for (LineView l : run.lines) {
    const int k = slot(l.stream);
    PerStream& p = per[k];
    if (l.t_ms < p.last - kBurstWindowMs) {
      p.suffix_from = pos[k] + 1;
      p.fresh = true;
    } else if (p.fresh) {
      p.first_line = i;
      p.fresh = false;
    }
    ++pos[k];
    ++i;
  }
  std::vector<OutputBurst> bursts;
  for (Stream s : {Stream::out, Stream::err, Stream::merged}) {
    const PerStream& p = per[slot(s)];
    if (p.n < kBurstMinLines) continue;
    const double last = p.last;
    const bool at_exit = last >= run.end_ms - kBurstAtExitMs || last >= kBurstLateShare * run.end_ms;
    if (!at_exit) continue;  // the stream went quiet early in the run
    const std::size_t n = p.n - p.suffix_from;
    if (n < kBurstMinLines || static_cast<double>(n) < kBurstShare * static_cast<double>(p.n)) continue;
    bursts.push_back(OutputBurst{s, n, p.n, run.lines[p.first_line].t_ms, last, p.first_line});
  }
  return bursts;
}

bool in_burst(const OutputBurst& burst, const RunResult& run, std::size_t index) {
  return index < run.lines.size() && index >= burst.first_line && run.lines[index].stream == burst.stream &&
         run.lines[index].t_ms >= burst.first_ms;
}

std::string burst_note(const OutputBurst& b, StdioMode mode) {
  const char* name = b.stream == Stream::out ? "stdout" : b.stream == Stream::err ? "stderr" : "merged output";
  const double spread = b.last_ms - b.first_ms;
  std::string within = spread < 0.05 ? "within 0.1 ms" : fmt::format("within {:.1f} ms", std::ceil(spread * 10) / 10);
  std::string count = b.lines == b.total ? fmt::format("{} lines", b.lines) : fmt::format("{} of {} lines", b.lines, b.total);
  return fmt::format("{} arrived in one burst at exit ({} {}): the program buffers its output; time bounds on these "
                     "lines measure nothing \u2014 flush per line{}",
                     name, count, within, mode == StdioMode::pty ? "" : ", or use stdio: pty");
}

}  // namespace conkit
