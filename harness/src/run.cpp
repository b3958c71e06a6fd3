// run.cpp — conkit::run(): start one case, read its streams and facts, enforce the limits, and
// kill and reap its whole process group.
//
// Everything happens on one io_context on the calling thread: three pipe readers (stdout, stderr,
// facts), a pidfd that becomes readable when the main child exits, and timers for the timeout,
// the term grace, the drain grace and a last-resort guard. The main child is observed with
// waitid(WNOWAIT) and stays a zombie until the end, so its pid (the group id) cannot be reused
// while conkit still signals the group.
#include "conkit/run.hpp"

#include "common/signals.hpp"
#include "sanitizer.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <set>
#include <stdexcept>
#include <thread>
#include <utility>

#include <boost/asio.hpp>
#include <boost/process/v2.hpp>
#include <nlohmann/json.hpp>

#include "common/signals.hpp"
#include "fact_parse.hpp"

namespace conkit {
namespace {

namespace asio = boost::asio;
namespace bp = boost::process::v2;
using Clock = std::chrono::steady_clock;  // CLOCK_MONOTONIC on Linux

std::int64_t to_ns(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

std::string errno_text(int err) { return std::strerror(err); }

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) { reset(); fd_ = std::exchange(o.fd_, -1); }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// Moves `fd` to a number >= 3 (close-on-exec), so dup2() onto stdio in the child never clobbers it.
bool lift_above_stdio(Fd& fd) {
  if (fd.get() >= 3) return true;
  int lifted = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3);
  if (lifted < 0) return false;
  fd = Fd(lifted);
  return true;
}

// A close-on-exec pipe with both ends above stdio. Returns an errno text on failure.
std::string make_pipe(Fd& read_end, Fd& write_end) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return "pipe2: " + errno_text(errno);
  read_end = Fd(p[0]);
  write_end = Fd(p[1]);
  if (!lift_above_stdio(read_end) || !lift_above_stdio(write_end)) return "fcntl: " + errno_text(errno);
  return {};
}

// Looks `name` up in `path` (the child's PATH) like execvp would: the first executable regular file.
std::string find_in_path(const std::string& name, const std::string& path) {
  std::size_t begin = 0;
  while (begin <= path.size()) {
    std::size_t end = path.find(':', begin);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(begin, end - begin);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    begin = end + 1;
  }
  return {};
}

// The child's whole environment: PATH HOME LANG and the named ones from ours, then the declared
// ones, then conkit's own. Nothing else leaks in (no PYTHONUNBUFFERED, no *SAN_OPTIONS).
std::map<std::string, std::string> child_environment(const RunOptions& o, int facts_fd) {
  std::map<std::string, std::string> env;
  std::vector<std::string> names = {"PATH", "HOME", "LANG"};
  names.insert(names.end(), o.inherit.begin(), o.inherit.end());
  for (const auto& name : names)
    if (const char* v = std::getenv(name.c_str())) env[name] = v;
  for (const auto& [k, v] : o.env) env[k] = v;
  double unit = std::isfinite(o.unit_ms) ? std::max(1.0, std::round(o.unit_ms)) : 100.0;
  env["CONKIT_UNIT_MS"] = std::to_string(static_cast<long long>(unit));
  env["CONKIT_FACTS_FD"] = std::to_string(facts_fd);
  return env;
}

// The Boost.Process initializer that makes the child a case: environment, stdio, facts fd, its
// own session, working directory. on_exec_setup runs in the forked child: syscalls only.
struct CaseSetup {
  const char* const* envp;
  int stdin_fd, stdout_fd, stderr_fd, facts_fd;
  const char* cwd;  // nullptr: keep ours

  template <class Launcher>
  bp::error_code on_setup(Launcher& launcher, const bp::filesystem::path&, const char* const*) {
    launcher.env = envp;
    launcher.fd_whitelist.push_back(facts_fd);  // Boost closes every other inherited fd
    return {};
  }

  template <class Launcher>
  bp::error_code on_exec_setup(Launcher& launcher, const bp::filesystem::path&, const char* const*) {
    if (::setsid() == -1) return last_error();
    if (::dup2(stdin_fd, STDIN_FILENO) == -1 || ::dup2(stdout_fd, STDOUT_FILENO) == -1 ||
        ::dup2(stderr_fd, STDERR_FILENO) == -1)
      return last_error();
    int flags = ::fcntl(facts_fd, F_GETFD);
    if (flags == -1 || ::fcntl(facts_fd, F_SETFD, flags & ~FD_CLOEXEC) == -1) return last_error();
    if (cwd && ::chdir(cwd) == -1) return last_error();
    close_unlisted(launcher.fd_whitelist);
    return {};
  }

  // Boost 1.81's close_all_fds skips the gaps between whitelisted fds (an off-by-one in
  // close_handles.ipp), so fds conkit inherited without CLOEXEC would leak into the case. Close
  // every fd that is not whitelisted (stdio, the facts fd, Boost's exec-error pipe) here.
  static void close_unlisted(std::vector<int>& keep) {
    std::sort(keep.begin(), keep.end());
    unsigned lo = 0;
    for (int fd : keep) {
      if (fd < 0 || static_cast<unsigned>(fd) < lo) continue;
      if (static_cast<unsigned>(fd) > lo) close_fds(lo, static_cast<unsigned>(fd) - 1);
      lo = static_cast<unsigned>(fd) + 1;
    }
    close_fds(lo, ~0u);
  }
  static void close_fds(unsigned lo, unsigned hi) {
#ifdef SYS_close_range
    if (::syscall(SYS_close_range, lo, hi, 0) == 0) return;
#endif
    const long open_max = ::sysconf(_SC_OPEN_MAX);
    for (long fd = lo; fd <= static_cast<long>(hi) && fd < (open_max > 0 ? open_max : 1024); ++fd) ::close(static_cast<int>(fd));
  }

  // Boost 1.81 calls exit() in the child after a failed exec, which would run the parent's atexit
  // handlers (and sanitizer leak checks) in the fork. Leave at once instead; the errno is already
  // sent to the parent. (Variadic: 1.81 probes this with a different argument list than it calls.)
  template <class... Args>
  void on_exec_error(Args&&...) { ::_exit(127); }

  static bp::error_code last_error() { return bp::error_code(errno, bp::system_category()); }
};

// Live (non-zombie) members of process group `pgid`, from /proc.
std::vector<pid_t> live_group_members(pid_t pgid) {
  std::vector<pid_t> members;
  DIR* dir = ::opendir("/proc");
  if (!dir) return members;
  while (dirent* e = ::readdir(dir)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE* f = std::fopen(path, "re");
    if (!f) continue;
    char buf[1024];
    std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = '\0';
    const char* close_paren = std::strrchr(buf, ')');  // comm may contain spaces and parens
    char state = 0;
    int ppid = 0, pgrp = 0;
    if (close_paren && std::sscanf(close_paren + 1, " %c %d %d", &state, &ppid, &pgrp) == 3 &&
        pgrp == pgid && state != 'Z' && state != 'X')
      members.push_back(static_cast<pid_t>(pid));
  }
  ::closedir(dir);
  return members;
}

constexpr double kCloseAfterKillMs = 250;  // after the drain kill, a holder outside the group may remain
constexpr double kGuardMarginMs = 5000;    // the guard fires only if every other limit failed
constexpr double kReapBudgetMs = 2000;     // SIGKILLed processes die in microseconds; this is generous

// One run in progress: owns the io_context objects and fills the RunResult.
class Session {
 public:
  Session(const RunOptions& o, RunResult& r) : opt_(o), r_(r) {}

  void run() {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);  // orphaned grandchildren come to us, so we can reap them
    if (!spawn()) return;
    try {
      watch();
      ctx_.run();
    } catch (const std::exception& e) {
      r_.notes.push_back(std::string("conkit error while running: ") + e.what());
      kill_group(SIGKILL);
    }
    reap_group();
    r_.wall_ms = since_spawn();
    close_readers();
  }

 private:
  enum Kind { out = 0, err = 1, facts = 2 };
  struct Reader {
    explicit Reader(asio::io_context& ctx) : pipe(ctx) {}
    asio::readable_pipe pipe;
    std::vector<char> buf = std::vector<char>(64 * 1024);
    std::string partial;
    std::size_t bytes = 0;
    bool open = false;
    bool truncated = false;
  };
  static constexpr const char* kStreamName[] = {"stdout", "stderr", "facts"};

  double since_spawn() const {
    return std::chrono::duration<double, std::milli>(Clock::now() - spawn_time_).count();
  }
  static Clock::duration ms(double v) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(v));
  }
  void fail_start(std::string why) {
    r_.ending = Ending::failed_to_start;
    r_.start_error = std::move(why);
  }

  bool spawn() {
    Fd read_end[3], write_end[3];
    for (int k = 0; k < 3; ++k) {
      if (auto e = make_pipe(read_end[k], write_end[k]); !e.empty()) return fail_start(e), false;
    }
    Fd dev_null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (dev_null.get() < 0 || !lift_above_stdio(dev_null))
      return fail_start("/dev/null: " + errno_text(errno)), false;

    auto env = child_environment(opt_, write_end[facts].get());
    std::vector<std::string> env_strings;
    for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
    std::vector<const char*> envp;
    for (const auto& s : env_strings) envp.push_back(s.c_str());
    envp.push_back(nullptr);

    std::string exe = opt_.argv[0];
    if (exe.find('/') == std::string::npos) {
      exe = find_in_path(opt_.argv[0], env.count("PATH") ? env["PATH"] : std::string());
      if (exe.empty()) return fail_start("'" + opt_.argv[0] + "' not found in PATH"), false;
    }
    if (!opt_.cwd.empty()) {
      struct stat st {};
      if (::stat(opt_.cwd.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        return fail_start("working directory '" + opt_.cwd + "' is not a directory"), false;
    }
    // argv as given (argv[0] unchanged); Boost uses a const char** argument vector verbatim.
    std::vector<const char*> argv;
    for (const auto& a : opt_.argv) argv.push_back(a.c_str());
    argv.push_back(nullptr);
    const char** argv_ptr = argv.data();

    CaseSetup setup{envp.data(), dev_null.get(), write_end[out].get(), write_end[err].get(),
                    write_end[facts].get(), opt_.cwd.empty() ? nullptr : opt_.cwd.c_str()};
    bp::posix::default_launcher launcher;
    bp::error_code ec;
    spawn_time_ = Clock::now();
    r_.spawn_ns = to_ns(spawn_time_);
    auto proc = launcher(ctx_.get_executor(), ec, bp::filesystem::path(exe), argv_ptr, setup);
    if (ec) {
      if (launcher.pid > 0) ::waitpid(launcher.pid, nullptr, 0);  // the fork that failed to exec
      r_.wall_ms = since_spawn();
      return fail_start("cannot execute '" + exe + "': " + ec.message()), false;
    }
    pid_ = proc.id();
    pgid_ = pid_;             // setsid() made the child a group leader
    proc.detach();            // conkit waits and reaps itself; Boost must not kill or reap it
    for (int k = 0; k < 3; ++k) {
      write_end[k].reset();   // EOF comes only once every holder in the child's tree closed them
      boost::system::error_code assign_ec;
      readers_[k].pipe.assign(read_end[k].get(), assign_ec);
      if (assign_ec) {
        r_.notes.push_back(std::string("cannot watch ") + kStreamName[k] + ": " + assign_ec.message());
        continue;  // read_end closes it; the case's writes then fail with EPIPE
      }
      read_end[k].release();
      readers_[k].open = true;
    }
    return true;
  }

  void watch() {
    for (int k = 0; k < 3; ++k)
      if (readers_[k].open) read_next(static_cast<Kind>(k));
    int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
    boost::system::error_code assign_ec;
    if (pidfd >= 0) pidfd_.assign(pidfd, assign_ec);
    if (pidfd >= 0 && !assign_ec) {
      wait_for_exit();
    } else {
      if (pidfd >= 0) ::close(pidfd);
      poll_for_exit();  // kernels without pidfd_open
    }
    if (opt_.cancel) watch_cancel();
    if (std::isfinite(opt_.timeout_ms) && opt_.timeout_ms > 0) {
      timeout_timer_.expires_after(ms(opt_.timeout_ms));
      timeout_timer_.async_wait([this](boost::system::error_code ec) { if (!ec) on_timeout(); });
      guard_timer_.expires_after(
          ms(opt_.timeout_ms + opt_.term_grace_ms + opt_.drain_grace_ms + kCloseAfterKillMs + kGuardMarginMs));
      guard_timer_.async_wait([this](boost::system::error_code ec) { if (!ec) on_guard(); });
    }
  }

  // ---- streams ----
  void read_next(Kind k) {
    Reader& rd = readers_[k];
    rd.pipe.async_read_some(asio::buffer(rd.buf), [this, k](boost::system::error_code ec, std::size_t n) {
      if (n > 0) take(k, n);
      if (ec) return end_of_stream(k);
      read_next(k);
    });
  }

  void take(Kind k, std::size_t n) {
    Reader& rd = readers_[k];
    const double t = since_spawn();
    std::size_t keep = n;
    if (rd.bytes + n > opt_.output_cap) {
      keep = rd.bytes < opt_.output_cap ? opt_.output_cap - rd.bytes : 0;
      if (!rd.truncated) on_flood(k);
    }
    rd.bytes += n;
    std::string_view chunk(rd.buf.data(), keep);
    while (!chunk.empty()) {
      std::size_t nl = chunk.find('\n');
      if (nl == std::string_view::npos) {
        rd.partial.append(chunk);
        break;
      }
      if (rd.partial.empty()) {
        emit(k, t, chunk.substr(0, nl));  // the common case: the line is whole in this read
      } else {
        rd.partial.append(chunk.substr(0, nl));
        emit(k, t, rd.partial);
        rd.partial.clear();
      }
      chunk.remove_prefix(nl + 1);
    }
  }

  void emit(Kind k, double t, std::string_view text) {
    if (k == facts) {
      if (text.find_first_not_of(" \t\r") == std::string_view::npos) {
        // blank lines carry nothing
      } else if (!detail::add_fact_line(text, t, r_.spawn_ns, r_.facts)) {
        r_.bad_facts.emplace_back(text);
      }
    } else {
      r_.lines.add(k == out ? Stream::out : Stream::err, t, text);
    }
  }

  void end_of_stream(Kind k) {
    Reader& rd = readers_[k];
    if (!rd.open) return;
    if (!rd.partial.empty()) emit(k, since_spawn(), rd.partial);  // a final line without a newline
    rd.partial.clear();
    boost::system::error_code ignored;
    rd.pipe.close(ignored);
    rd.open = false;
    finish_if_done();
  }

  bool any_reader_open() const {
    for (const auto& rd : readers_) if (rd.open) return true;
    return false;
  }

  void close_readers() {
    for (auto& rd : readers_) {
      boost::system::error_code ignored;
      rd.pipe.close(ignored);  // pending reads complete with operation_aborted
    }
  }

  // ---- the main child ----
  void wait_for_exit() {
    pidfd_.async_wait(asio::posix::stream_descriptor::wait_read, [this](boost::system::error_code ec) {
      if (ec == asio::error::operation_aborted) return;
      if (!check_exit()) wait_for_exit();
    });
  }

  void poll_for_exit() {
    poll_timer_.expires_after(std::chrono::milliseconds(2));
    poll_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec && !check_exit()) poll_for_exit();
    });
  }

  // Looks at the main child's status without reaping it (WNOWAIT): it stays a zombie until the end.
  bool check_exit() {
    siginfo_t si{};
    if (::waitid(P_PID, static_cast<id_t>(pid_), &si, WEXITED | WNOHANG | WNOWAIT) != 0) {
      if (errno == EINTR) return false;
      r_.notes.push_back("cannot wait for the main child: " + errno_text(errno));
    } else if (si.si_pid == 0) {
      return false;  // not exited yet
    } else {
      record_status(si.si_code == CLD_EXITED, si.si_status);
    }
    on_main_exit();
    return true;
  }

  void record_status(bool exited, int value) {
    if (exited) exit_code_ = value;
    else signal_ = value;
  }

  void on_main_exit() {
    main_exited_ = true;
    r_.end_ms = since_spawn();
    timeout_timer_.cancel();
    term_timer_.cancel();
    if (any_reader_open() && !drain_started_) {
      drain_started_ = true;
      drain_timer_.expires_after(ms(opt_.drain_grace_ms));
      drain_timer_.async_wait([this](boost::system::error_code ec) { if (!ec) on_drain_expired(); });
    }
    finish_if_done();
  }

  void finish_if_done() {
    if (!main_exited_ || any_reader_open()) return;
    for (auto* t : {&timeout_timer_, &term_timer_, &drain_timer_, &close_timer_, &guard_timer_, &poll_timer_,
                    &cancel_timer_})
      t->cancel();
    boost::system::error_code ignored;
    pidfd_.cancel(ignored);
  }

  // ---- limits ----
  void kill_group(int sig) {
    if (pgid_ > 0) ::kill(-pgid_, sig);
  }

  void note_strays() {
    for (pid_t p : live_group_members(pgid_))
      if (p != pid_) strays_.insert(p);
  }

  // RunOptions::cancel is a signal handler's flag: look at it every 20 ms, and end the run like a
  // timeout once it is set.
  void watch_cancel() {
    cancel_timer_.expires_after(std::chrono::milliseconds(20));
    cancel_timer_.async_wait([this](boost::system::error_code ec) {
      if (ec || main_exited_) return;
      if (const int sig = *opt_.cancel) {
        stop_case(Ending::interrupted, "cancelled: conkit got " + signal_name(sig));
        cancel_signal_ = sig;
      } else {
        watch_cancel();
      }
    });
  }

  void on_timeout() {
    stop_case(Ending::timed_out, "timed out after " + std::to_string(static_cast<long long>(opt_.timeout_ms)) + " ms");
  }

  // Ends the run for `why`: SIGTERM to the case, SIGKILL after the term grace.
  void stop_case(Ending why, const std::string& note) {
    if (main_exited_) return;
    if (!conkit_ending_) conkit_ending_ = why;
    r_.notes.push_back(note + ": SIGTERM to the process group");
    kill_group(SIGTERM);
    term_timer_.expires_after(ms(opt_.term_grace_ms));
    term_timer_.async_wait([this](boost::system::error_code ec) {
      if (ec || main_exited_) return;
      r_.notes.push_back("still running " + std::to_string(static_cast<long long>(opt_.term_grace_ms)) +
                         " ms after SIGTERM: SIGKILL to the process group");
      kill_group(SIGKILL);
    });
  }

  void on_flood(Kind k) {
    readers_[k].truncated = true;
    (k == out ? r_.truncated_out : k == err ? r_.truncated_err : r_.truncated_facts) = true;
    if (!conkit_ending_ && !main_exited_) conkit_ending_ = Ending::flooded;
    r_.notes.push_back(std::string(kStreamName[k]) + " passed the output cap of " +
                       std::to_string(opt_.output_cap) + " bytes: SIGKILL to the process group");
    if (main_exited_) note_strays();
    kill_group(SIGKILL);
  }

  void on_drain_expired() {
    if (!any_reader_open()) return;
    r_.pipe_held_after_exit = true;
    std::string held;
    for (int k = 0; k < 3; ++k)
      if (readers_[k].open) held += std::string(held.empty() ? "" : ", ") + kStreamName[k];
    r_.notes.push_back("the main child exited but a descendant kept " + held + " open for " +
                       std::to_string(static_cast<long long>(opt_.drain_grace_ms)) +
                       " ms: SIGKILL to the process group");
    note_strays();
    kill_group(SIGKILL);
    close_timer_.expires_after(ms(kCloseAfterKillMs));
    close_timer_.async_wait([this](boost::system::error_code ec) {
      if (ec || !any_reader_open()) return;
      r_.notes.push_back("a process outside the group still held a stream open: stopped reading");
      close_readers();
    });
  }

  void on_guard() {
    if (main_exited_ && !any_reader_open()) return;  // finished while this handler was queued
    r_.notes.push_back("conkit gave up waiting for the case (every limit had passed): stopped");
    kill_group(SIGKILL);
    ctx_.stop();
  }

  // ---- the end ----
  // SIGKILLs what is left of the group and reaps it, the main child included. Only the group is
  // waited for (waitpid(-pgid)), never waitpid(-1), which would steal other children of ours.
  void reap_group() {
    if (pgid_ <= 0) return;
    note_strays();
    kill_group(SIGKILL);
    const auto deadline = Clock::now() + ms(kReapBudgetMs);
    bool main_reaped = false;
    for (;;) {
      int status = 0;
      pid_t p = ::waitpid(-pgid_, &status, WNOHANG);
      if (p > 0) {
        if (p == pid_) {
          main_reaped = true;
          if (!main_exited_) {  // the guard fired before the exit was seen
            record_status(WIFEXITED(status), WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
            main_exited_ = true;
            r_.end_ms = since_spawn();
          }
        }
        continue;
      }
      if (p == -1 && errno == EINTR) continue;
      bool group_gone = p == -1 && errno == ECHILD && ::kill(-pgid_, 0) == -1 && errno == ESRCH;
      if (group_gone) break;
      if (Clock::now() > deadline) {
        r_.notes.push_back("some processes of the group could not be reaped");
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (!main_reaped && main_exited_) ::waitpid(pid_, nullptr, WNOHANG);
    r_.stray_processes_killed = static_cast<int>(strays_.size());
    if (!strays_.empty())
      r_.notes.push_back("killed " + std::to_string(strays_.size()) +
                         " process(es) of the group still alive after the main child exited");

    if (conkit_ending_) {
      r_.ending = *conkit_ending_;
      r_.signal = *conkit_ending_ == Ending::interrupted ? cancel_signal_ : signal_;
    } else if (signal_ != 0) {
      r_.ending = Ending::signaled;
      r_.signal = signal_;
    } else {
      r_.ending = Ending::exited;
      r_.exit_code = exit_code_;
    }
  }

  const RunOptions& opt_;
  RunResult& r_;
  asio::io_context ctx_;
  std::array<Reader, 3> readers_{Reader(ctx_), Reader(ctx_), Reader(ctx_)};
  asio::posix::stream_descriptor pidfd_{ctx_};
  asio::steady_timer timeout_timer_{ctx_}, term_timer_{ctx_}, drain_timer_{ctx_}, close_timer_{ctx_},
      guard_timer_{ctx_}, poll_timer_{ctx_}, cancel_timer_{ctx_};
  Clock::time_point spawn_time_{};
  pid_t pid_ = -1, pgid_ = -1;
  bool main_exited_ = false, drain_started_ = false;
  int exit_code_ = -1, signal_ = 0, cancel_signal_ = 0;
  std::optional<Ending> conkit_ending_;
  std::set<pid_t> strays_;
};

}  // namespace

RunResult run(const RunOptions& options) {
  if (options.argv.empty())
    throw std::invalid_argument("conkit::run: empty argv");
  RunResult result;
  try {
    Session(options, result).run();
  } catch (const std::exception& e) {
    // Only conkit's own resources can fail here (allocation, pipes); the child was never started
    // or has been killed and reaped by Session.
    if (result.ending != Ending::failed_to_start && result.start_error.empty()) {
      result.ending = Ending::failed_to_start;
      result.start_error = std::string("conkit error: ") + e.what();
    }
  }
  result.sanitizer_reports = find_sanitizer_reports(result.lines);
  return result;
}

}  // namespace conkit
