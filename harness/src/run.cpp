// run.cpp — conkit::run(): start one case under conkit-init, read its streams and facts, enforce
// the timeout and the limits, and kill and reap everything the case started.
//
// Everything happens on one io_context on the calling thread: three pipe readers (stdout, stderr,
// facts), conkit-init's status pipe (how the case is contained, when its main process ended), a
// pidfd on conkit-init, and timers for the timeout, the term grace, the drain grace, the limits
// and a last-resort guard. conkit-init is observed with waitid(WNOWAIT) and stays a zombie until
// the end, so its pid cannot be reused while conkit still signals it; pid 1 is signalled through
// a pidfd for the same reason. To end a case conkit kills its processes, never its reapers:
// conkit-init exits by itself once pid 1 has reaped every process of the case, so when run()
// has reaped conkit-init nothing of the case is left, not even a zombie. Containment (PID
// namespace or subreaper sweep) and cgroups: run/init.cpp, run/procs.cpp, run/cgroup.cpp.
#include "conkit/run.hpp"
#include "run/stdio.hpp"

#include "common/signals.hpp"
#include "sanitizer.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
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
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <thread>
#include <utility>

#include <boost/asio.hpp>
#include <boost/process/v2.hpp>
#include <nlohmann/json.hpp>

#include "common/signals.hpp"
#include "fact_parse.hpp"
#include "run/cgroup.hpp"
#include "run/procs.hpp"

namespace conkit {
namespace {

namespace asio = boost::asio;
namespace bp = boost::process::v2;
using Clock = std::chrono::steady_clock;  // CLOCK_MONOTONIC on Linux

std::int64_t to_ns(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

std::string errno_text(int err) { return std::strerror(err); }

using detail::OwnedFd;

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
  detail::add_stdio_environment(o.stdio, env);
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
  int stdin_fd, stdout_fd, stderr_fd, facts_fd, status_fd;
  const char* cwd;  // nullptr: keep ours
  pid_t conkit;     // our pid, to see whether we died before PR_SET_PDEATHSIG took hold

  template <class Launcher>
  bp::error_code on_setup(Launcher& launcher, const bp::filesystem::path&, const char* const*) {
    launcher.env = envp;
    launcher.fd_whitelist.push_back(facts_fd);  // Boost closes every other inherited fd
    launcher.fd_whitelist.push_back(status_fd);
    return {};
  }

  template <class Launcher>
  bp::error_code on_exec_setup(Launcher& launcher, const bp::filesystem::path&, const char* const*) {
    // conkit-init (and through it pid 1 of the case's namespace) dies with us, even by SIGKILL.
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) == -1) return last_error();
    if (::getppid() != conkit) ::_exit(125);
    if (::setsid() == -1) return last_error();
    if (::dup2(stdin_fd, STDIN_FILENO) == -1 || ::dup2(stdout_fd, STDOUT_FILENO) == -1 ||
        ::dup2(stderr_fd, STDERR_FILENO) == -1)
      return last_error();
    for (int fd : {facts_fd, status_fd}) {
      int flags = ::fcntl(fd, F_GETFD);
      if (flags == -1 || ::fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) == -1) return last_error();
    }
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

constexpr double kCloseAfterKillMs = 250;  // after the drain kill, a holder outside the case may remain
constexpr double kGuardMarginMs = 5000;    // the guard fires only if every other limit failed
constexpr double kReapBudgetMs = 2000;     // SIGKILLed processes die in microseconds; this is generous
constexpr double kInitExitMs = 1000;       // conkit-init still there this long after the kill: SIGKILL it
constexpr int kSweepEveryMs = 10;          // while conkit-init waits for the case, kill what appeared since
constexpr int kWatchEveryMs = 20;          // how often the limits and the cancel flag are looked at
constexpr std::size_t kBadFactsKept = 100; // malformed fact lines kept as examples (all are counted)

// "256 MiB": sizes in limit messages.
std::string size_text(std::uint64_t bytes) {
  const char* unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) v /= 1024, ++u;
  char buf[64];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : (v < 10 ? "%.2f %s" : "%.0f %s"), v, unit[u]);
  return buf;
}

std::string ms_text(double ms) {
  char buf[64];
  if (ms >= 1000) std::snprintf(buf, sizeof buf, "%.3g s", ms / 1000);
  else std::snprintf(buf, sizeof buf, "%.0f ms", ms);
  return buf;
}

// One run in progress: owns the io_context objects and fills the RunResult.
//
// The case runs under conkit-init (run/init.cpp), the "main child" conkit spawns: it reports on a
// status pipe how the case is contained, when it started and how its main process ended. The main
// process's own group gets the SIGTERM of a timeout; every SIGKILL goes to the whole case (pid 1
// of its namespace, or every descendant found in /proc, and its cgroups).
class Session {
 public:
  Session(const RunOptions& o, RunResult& r) : opt_(o), r_(r) {}

  void run() {
    if (opt_.cancel && *opt_.cancel) {  // told to stop before the start: do not start
      r_.ending = Ending::interrupted;
      r_.signal = *opt_.cancel;
      r_.notes.push_back("not started: conkit got " + signal_name(r_.signal));
      return;
    }
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);  // orphans of conkit-init come to us, so we can reap them
    if (!spawn()) return;
    try {
      watch();
      ctx_.run();
    } catch (const std::exception& e) {
      r_.notes.push_back(std::string("conkit error while running: ") + e.what());
      kill_case();
    }
    reap_case();
    r_.wall_ms = since_spawn();
    close_readers();
  }

 private:
  enum Kind { out = 0, err = 1, facts = 2 };
  struct Reader {
    explicit Reader(asio::io_context& ctx) : pipe(ctx) {}
    asio::posix::stream_descriptor pipe;  // a pipe, or the pty master (whose EIO at the end is EOF)
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

  // conkit-init's arguments: containment, cgroups, rlimits, then the case.
  std::vector<std::string> init_argv(const std::string& init, const std::string& exe, int status_fd) {
    std::vector<std::string> a = {init, "--status-fd", std::to_string(status_fd), "--containment",
                                  to_string(opt_.containment), "--exe", exe};
    std::string why_not;
    cgroup_ = detail::CaseCgroup::create({opt_.memory_limit, opt_.process_limit}, why_not);
    for (const auto& d : cgroup_.dirs()) a.insert(a.end(), {"--cgroup", d});
    std::vector<std::string> mech;
    if (opt_.memory_limit) {
      if (cgroup_.limits_memory()) {
        mech.push_back("memory: " + cgroup_.memory_mechanism());
      } else {
        // Counted in /proc every kWatchEveryMs; the data rlimit at twice the limit stops a runaway
        // allocation between two looks (not under a sanitizer: its shadow mappings count as data).
        mech.push_back(std::string("memory: /proc rss") + (opt_.sanitized ? "" : " + RLIMIT_DATA backstop"));
        if (!opt_.sanitized) a.insert(a.end(), {"--rlimit", "data=" + std::to_string(2 * opt_.memory_limit)});
      }
    }
    if (opt_.process_limit) {
      if (cgroup_.limits_processes()) {
        mech.push_back("processes: " + cgroup_.pids_mechanism());
      } else {
        // RLIMIT_NPROC does not bind root; for others it counts per user (per user namespace).
        mech.push_back(std::string("processes: /proc count") + (::geteuid() != 0 ? " + RLIMIT_NPROC" : ""));
        if (::geteuid() != 0) a.insert(a.end(), {"--rlimit", "nproc=" + std::to_string(opt_.process_limit)});
      }
    }
    if (opt_.cpu_limit_ms > 0) {
      if (cgroup_.measures_cpu()) {
        mech.push_back("cpu: " + cgroup_.cpu_mechanism());
      } else {
        mech.push_back("cpu: RLIMIT_CPU per process");
        a.insert(a.end(), {"--rlimit", "cpu=" + std::to_string(static_cast<long long>(std::ceil(opt_.cpu_limit_ms / 1000)))});
      }
    }
    for (const auto& m : mech) r_.limit_mechanism += (r_.limit_mechanism.empty() ? "" : "; ") + m;
    if (!why_not.empty() && (opt_.memory_limit || opt_.process_limit)) r_.notes.push_back("limits: " + why_not);
    a.push_back("--");
    a.insert(a.end(), opt_.argv.begin(), opt_.argv.end());
    return a;
  }

  bool spawn() {
    r_.stdio = opt_.stdio;
    OwnedFd read_end[4], write_end[4];  // stdout, stderr, facts, conkit-init's status
    detail::StdioEnds stdio;  // stdout and stderr as RunOptions::stdio asks (run/stdio.cpp)
    if (auto e = detail::open_case_stdio(opt_.stdio, stdio); !e.empty()) return fail_start(e), false;
    read_end[out] = std::move(stdio.out);
    read_end[err] = std::move(stdio.err);  // none when merged
    write_end[out] = std::move(stdio.child_out);
    write_end[err] = std::move(stdio.child_err);
    for (int k = facts; k < 4; ++k) {
      if (auto e = detail::open_pipe(read_end[k], write_end[k]); !e.empty()) return fail_start(e), false;
    }
    OwnedFd dev_null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (dev_null.get() < 0 || !detail::lift_above_stdio(dev_null))
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
    if (::access(exe.c_str(), X_OK) != 0)
      return fail_start("cannot execute '" + exe + "': " + errno_text(errno)), false;
    if (!opt_.cwd.empty()) {
      struct stat st {};
      if (::stat(opt_.cwd.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        return fail_start("working directory '" + opt_.cwd + "' is not a directory"), false;
    }
    const std::string init = detail::find_init_program(opt_.init_program);
    if (init.empty())
      return fail_start("conkit-init not found (install it next to conkit, or set CONKIT_INIT)"), false;
    const std::vector<std::string> args = init_argv(init, exe, write_end[3].get());
    // argv as given (argv[0] unchanged); Boost uses a const char** argument vector verbatim.
    std::vector<const char*> argv;
    for (std::size_t i = 1; i < args.size(); ++i) argv.push_back(args[i].c_str());
    argv.insert(argv.begin(), args[0].c_str());
    argv.push_back(nullptr);
    const char** argv_ptr = argv.data();

    CaseSetup setup{envp.data(), dev_null.get(), write_end[out].get(), write_end[err].get(),
                    write_end[facts].get(), write_end[3].get(), opt_.cwd.empty() ? nullptr : opt_.cwd.c_str(),
                    ::getpid()};
    bp::posix::default_launcher launcher;
    bp::error_code ec;
    spawn_time_ = Clock::now();
    r_.spawn_ns = to_ns(spawn_time_);
    auto proc = launcher(ctx_.get_executor(), ec, bp::filesystem::path(init), argv_ptr, setup);
    if (ec) {
      if (launcher.pid > 0) ::waitpid(launcher.pid, nullptr, 0);  // the fork that failed to exec
      r_.wall_ms = since_spawn();
      return fail_start("cannot execute '" + init + "': " + ec.message()), false;
    }
    pid_ = proc.id();
    proc.detach();            // conkit waits and reaps itself; Boost must not kill or reap it
    for (int k = 0; k < 4; ++k) {
      write_end[k].reset();   // EOF comes only once every holder in the child's tree closed them
      if (read_end[k].get() < 0) continue;  // stderr under merged: it comes with stdout
      boost::system::error_code assign_ec;
      auto& pipe = k < 3 ? readers_[k].pipe : status_.pipe;
      pipe.assign(read_end[k].get(), assign_ec);
      if (assign_ec) {
        r_.notes.push_back(std::string("cannot watch ") + (k < 3 ? kStreamName[k] : "conkit-init") + ": " +
                           assign_ec.message());
        continue;  // read_end closes it; the case's writes then fail with EPIPE
      }
      read_end[k].release();
      (k < 3 ? readers_[k].open : status_.open) = true;
    }
    return true;
  }

  void watch() {
    for (int k = 0; k < 3; ++k)
      if (readers_[k].open) read_next(static_cast<Kind>(k));
    if (status_.open) read_status();
    int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
    boost::system::error_code assign_ec;
    if (pidfd >= 0) pidfd_.assign(pidfd, assign_ec);
    if (pidfd >= 0 && !assign_ec) {
      wait_for_init();
    } else {
      if (pidfd >= 0) ::close(pidfd);
      poll_for_init();  // kernels without pidfd_open
    }
    watch_limits();
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
        ++r_.bad_fact_lines;  // torn by writers that passed PIPE_BUF, or not a fact at all
        if (r_.bad_facts.size() < kBadFactsKept) r_.bad_facts.emplace_back(text);
      }
    } else {
      const bool merged = opt_.stdio == StdioMode::merged;
      if (k == out && opt_.stdio == StdioMode::pty) detail::strip_terminal_cr(text);
      r_.lines.add(merged ? Stream::merged : k == out ? Stream::out : Stream::err, t, text);
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
    for (auto* pipe : {&readers_[0].pipe, &readers_[1].pipe, &readers_[2].pipe, &status_.pipe}) {
      boost::system::error_code ignored;
      pipe->close(ignored);  // pending reads complete with operation_aborted
    }
  }

  // ---- conkit-init's status lines ----
  void read_status() {
    status_.pipe.async_read_some(asio::buffer(status_.buf), [this](boost::system::error_code ec, std::size_t n) {
      status_.partial.append(status_.buf.data(), n);
      for (std::size_t nl; (nl = status_.partial.find('\n')) != std::string::npos;) {
        std::string line = status_.partial.substr(0, nl);
        status_.partial.erase(0, nl + 1);
        on_status(line);
      }
      // Done once the case is over: conkit-init keeps the pipe open while strays of the case live.
      if (ec || (main_exited_ && !any_reader_open())) {
        boost::system::error_code ignored;
        status_.pipe.close(ignored);
        status_.open = false;
        return;
      }
      read_status();
    });
  }

  void on_status(const std::string& line) {
    const auto sp = line.find(' ');
    const std::string word = line.substr(0, sp);
    const std::string rest = sp == std::string::npos ? "" : line.substr(sp + 1);
    if (word == "containment") {
      const auto sp2 = rest.find(' ');
      r_.containment = rest.substr(0, sp2);
      namespaced_ = r_.containment == "pid-namespace";
      if (sp2 != std::string::npos) r_.containment_note = "no PID namespace: " + rest.substr(sp2 + 1);
    } else if (word == "init") {
      init_pid_ = static_cast<pid_t>(std::atol(rest.c_str()));
      // conkit-init reaps it (and its pid may then be reused): signalled through this pidfd only.
      init_pidfd_ = OwnedFd(static_cast<int>(::syscall(SYS_pidfd_open, init_pid_, 0)));
    } else if (word == "started") {
      started_ = true;
      case_pid_ = first_child(init_pid_);
    } else if (word == "exec-error") {
      exec_errno_ = std::atoi(rest.c_str());
      if (!main_exited_) on_main_exit();
    } else if (word == "init-error") {
      init_error_ = rest;
      if (!started_) {  // before the exec: nothing of the case ran
        init_failed_ = true;
        if (!main_exited_) on_main_exit();
      }
    } else if (word == "exited" || word == "signaled") {
      if (main_exited_) return;
      record_status(word == "exited", std::atoi(rest.c_str()));
      on_main_exit();
    }
  }

  static pid_t first_child(pid_t parent) {
    if (parent <= 0) return -1;
    std::ifstream in("/proc/" + std::to_string(parent) + "/task/" + std::to_string(parent) + "/children");
    long pid = -1;
    if (in >> pid) return static_cast<pid_t>(pid);
    for (const auto& p : detail::descendants(parent))  // kernels without the children file
      if (p.ppid == parent) return p.pid;
    return -1;
  }

  // ---- conkit-init itself: it ends once nothing of the case is left (or if it failed) ----
  void wait_for_init() {
    pidfd_.async_wait(asio::posix::stream_descriptor::wait_read, [this](boost::system::error_code ec) {
      if (ec == asio::error::operation_aborted) return;
      if (!check_init()) wait_for_init();
    });
  }

  void poll_for_init() {
    poll_timer_.expires_after(std::chrono::milliseconds(2));
    poll_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec && !check_init()) poll_for_init();
    });
  }

  // Looks at conkit-init's status without reaping it (WNOWAIT): it stays a zombie until the end.
  bool check_init() {
    siginfo_t si{};
    if (::waitid(P_PID, static_cast<id_t>(pid_), &si, WEXITED | WNOHANG | WNOWAIT) != 0) {
      if (errno == EINTR) return false;
      r_.notes.push_back("cannot wait for conkit-init: " + errno_text(errno));
    } else if (si.si_pid == 0) {
      return false;  // still running
    }
    // Its status lines may still be in the pipe: read them first, then decide.
    drain_status();
    if (!main_exited_) {
      if (!started_ && !init_error_.empty()) init_failed_ = true;
      else if (!conkit_ending_) r_.notes.push_back("conkit-init ended before the case's main process did");
      on_main_exit();
    }
    return true;
  }

  void drain_status() {
    if (!status_.open) return;
    char buf[4096];
    int fd = status_.pipe.native_handle();
    int flags = ::fcntl(fd, F_GETFL);
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) status_.partial.append(buf, static_cast<std::size_t>(n));
    for (std::size_t nl; (nl = status_.partial.find('\n')) != std::string::npos;) {
      std::string line = status_.partial.substr(0, nl);
      status_.partial.erase(0, nl + 1);
      on_status(line);
    }
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
    if (exec_errno_ || init_failed_) {  // nothing of the case ran: end now
      kill_case();
      close_readers_on_start_failure();
    }
    if (any_reader_open() && !drain_started_) {
      drain_started_ = true;
      drain_timer_.expires_after(ms(opt_.drain_grace_ms));
      drain_timer_.async_wait([this](boost::system::error_code ec) { if (!ec) on_drain_expired(); });
    }
    finish_if_done();
  }

  void close_readers_on_start_failure() {
    for (int k = 0; k < 3; ++k) end_of_stream(static_cast<Kind>(k));
  }

  void finish_if_done() {
    if (!main_exited_ || any_reader_open()) return;
    for (auto* t : {&timeout_timer_, &term_timer_, &drain_timer_, &close_timer_, &guard_timer_, &poll_timer_,
                    &watch_timer_})
      t->cancel();
    boost::system::error_code ignored;
    pidfd_.cancel(ignored);
    status_.pipe.cancel(ignored);
  }

  // ---- signals to the case ----
  // The main process's own group: where a polite SIGTERM goes. Only while the main process runs
  // (once pid 1 has reaped it, its pid and group id may be reused).
  void signal_main_group(int sig) {
    if (case_pid_ > 0 && !main_exited_) ::kill(-case_pid_, sig);
  }

  // SIGKILL to everything of the case, but not to its reapers: pid 1 of its namespace (the kernel
  // kills the rest and pid 1 reaps them as it dies), or every descendant of pid 1 (stopped first,
  // so none can fork while we look; pid 1 reaps them), and its cgroups. conkit-init then reaps
  // pid 1 and exits: reap_case() waits for that.
  void kill_case() {
    signal_main_group(SIGKILL);
    if (namespaced_ && init_pid_ > 0) {
      signal_init(SIGKILL);
    } else if (pid_ > 0) {
      // Under pid 1 only: conkit-init's own helpers (a sanitizer's exit-time tracer) are no part
      // of the case.
      const pid_t root = init_pid_ > 0 ? init_pid_ : pid_;
      std::set<pid_t> stopped;
      for (int round = 0; round < 100; ++round) {
        bool fresh = false;
        for (const auto& p : detail::descendants(root))
          if (p.pid != init_pid_ && stopped.insert(p.pid).second) {
            ::kill(p.pid, SIGSTOP);
            fresh = true;
          }
        if (!fresh) break;
      }
      for (pid_t p : stopped) ::kill(p, SIGKILL);
      swept_.insert(stopped.begin(), stopped.end());
    }
    cgroup_.kill_all();
  }

  // The last resort, when conkit-init did not exit after the case was killed: SIGKILL to it and
  // to pid 1 (what they had not reaped comes to us, the subreaper, and is reaped by reap_case).
  void kill_reapers() {
    signal_init(SIGKILL);
    if (pid_ > 0) ::kill(pid_, SIGKILL);
  }

  void signal_init(int sig) {
    if (init_pidfd_.get() >= 0) ::syscall(SYS_pidfd_send_signal, init_pidfd_.get(), sig, nullptr, 0);
    else if (init_pid_ > 0) ::kill(init_pid_, sig);  // no pidfds: as before them, by pid
  }

  // The processes of the case other than conkit-init, pid 1 and (while it runs) the main process.
  std::vector<detail::ProcInfo> case_processes() const {
    std::vector<detail::ProcInfo> found;
    const auto all = namespaced_ && init_pid_ > 0 ? detail::namespace_members(init_pid_)
                                                  : detail::descendants(init_pid_ > 0 ? init_pid_ : pid_);
    for (const auto& p : all)
      if (p.pid != init_pid_ && p.pid != pid_) found.push_back(p);
    return found;
  }

  void note_strays() {
    for (const auto& p : case_processes()) {
      if (p.pid == case_pid_ && !main_exited_) continue;
      if (strays_.count(p.pid)) continue;
      strays_[p.pid] = RunResult::Stray{p.pid, detail::command_line(p.pid), case_pid_ > 0 && p.pgid != case_pid_};
    }
  }

  // ---- limits and the cancel flag, looked at every kWatchEveryMs ----
  void watch_limits() {
    watch_timer_.expires_after(std::chrono::milliseconds(kWatchEveryMs));
    watch_timer_.async_wait([this](boost::system::error_code ec) {
      if (ec || (main_exited_ && !any_reader_open())) return;
      if (opt_.cancel && *opt_.cancel && !conkit_ending_) {
        cancel_signal_ = *opt_.cancel;
        stop_case(Ending::interrupted, "cancelled: conkit got " + signal_name(cancel_signal_));
      }
      if (!conkit_ending_) check_limits(false);
      watch_limits();
    });
  }

  // Sets the LIMIT ending if a limit was passed; at the end (`final`), also from the counters the
  // kernel kept. Returns true if it did.
  bool check_limits(bool final) {
    std::string hit;
    if (opt_.memory_limit) {
      if (cgroup_.limits_memory()) {
        if (cgroup_.oom_killed())
          hit = "memory limit " + size_text(opt_.memory_limit) + " reached (peak " +
                size_text(cgroup_.memory_peak().value_or(opt_.memory_limit)) + ", " + cgroup_.memory_mechanism() + ")";
      } else if (!final) {
        std::uint64_t rss = 0;
        for (const auto& p : case_processes()) rss += p.rss_bytes;
        peak_rss_seen_ = std::max(peak_rss_seen_, rss);
        if (rss > opt_.memory_limit)
          hit = "memory limit " + size_text(opt_.memory_limit) + " reached (peak " + size_text(rss) + ", /proc rss)";
      }
    }
    if (hit.empty() && opt_.process_limit) {
      if (cgroup_.limits_processes()) {
        if (cgroup_.pids_limit_hit())
          hit = "process limit " + std::to_string(opt_.process_limit) + " reached (peak " +
                std::to_string(cgroup_.pids_peak().value_or(opt_.process_limit)) + ", " + cgroup_.pids_mechanism() + ")";
      } else if (!final) {
        const std::size_t n = case_processes().size();
        if (n >= opt_.process_limit)
          hit = "process limit " + std::to_string(opt_.process_limit) + " reached (" + std::to_string(n) +
                " processes, /proc count)";
      }
    }
    if (hit.empty() && opt_.cpu_limit_ms > 0) {
      if (auto used = cgroup_.cpu_ms(); used && *used > opt_.cpu_limit_ms)
        hit = "cpu limit " + ms_text(opt_.cpu_limit_ms) + " reached (used " + ms_text(*used) + ", " +
              cgroup_.cpu_mechanism() + ")";
      else if (final && !cgroup_.measures_cpu() && signal_ == SIGXCPU)
        hit = "cpu limit " + ms_text(opt_.cpu_limit_ms) + " reached (SIGXCPU, RLIMIT_CPU)";
    }
    if (hit.empty()) return false;
    conkit_ending_ = Ending::limited;
    r_.limit = hit;
    if (!final) {
      r_.notes.push_back(hit + ": SIGKILL to the case");
      kill_case();
    }
    return true;
  }

  void on_timeout() {
    stop_case(Ending::timed_out, "timed out after " + std::to_string(static_cast<long long>(opt_.timeout_ms)) + " ms");
  }

  // Ends the run for `why`: SIGTERM to the main process's group, SIGKILL to the case after the
  // term grace.
  void stop_case(Ending why, const std::string& note) {
    if (main_exited_) return;
    if (!conkit_ending_) conkit_ending_ = why;
    r_.notes.push_back(note + ": SIGTERM to the process group");
    signal_main_group(SIGTERM);
    term_timer_.expires_after(ms(opt_.term_grace_ms));
    term_timer_.async_wait([this](boost::system::error_code ec) {
      if (ec || main_exited_) return;
      r_.notes.push_back("still running " + std::to_string(static_cast<long long>(opt_.term_grace_ms)) +
                         " ms after SIGTERM: SIGKILL to the case");
      kill_case();
    });
  }

  void on_flood(Kind k) {
    readers_[k].truncated = true;
    (k == out ? r_.truncated_out : k == err ? r_.truncated_err : r_.truncated_facts) = true;
    if (!conkit_ending_ && !main_exited_) conkit_ending_ = Ending::flooded;
    r_.notes.push_back(std::string(kStreamName[k]) + " passed the output limit of " + size_text(opt_.output_cap) +
                       ": SIGKILL to the case");
    if (main_exited_) note_strays();
    kill_case();
  }

  void on_drain_expired() {
    if (!any_reader_open()) return;
    r_.pipe_held_after_exit = true;
    std::string held;
    for (int k = 0; k < 3; ++k)
      if (readers_[k].open) held += std::string(held.empty() ? "" : ", ") + kStreamName[k];
    r_.notes.push_back("the main child exited but a descendant kept " + held + " open for " +
                       std::to_string(static_cast<long long>(opt_.drain_grace_ms)) + " ms: SIGKILL to the case");
    note_strays();
    kill_case();
    close_timer_.expires_after(ms(kCloseAfterKillMs));
    close_timer_.async_wait([this](boost::system::error_code ec) {
      if (ec || !any_reader_open()) return;
      r_.notes.push_back("a process outside the case still held a stream open: stopped reading");
      close_readers();
    });
  }

  void on_guard() {
    if (main_exited_ && !any_reader_open()) return;  // finished while this handler was queued
    r_.notes.push_back("conkit gave up waiting for the case (every limit had passed): stopped");
    kill_case();
    ctx_.stop();
  }

  // ---- the end ----
  // Kills what is left of the case and waits until conkit-init has exited (pid 1 exits once it has
  // reaped every process of the case, conkit-init once it has reaped pid 1), killing again what
  // appeared meanwhile; then reaps conkit-init and whatever came to us, the subreaper, if a
  // reaper died early. Never waitpid(-1), which would steal other children of ours.
  // Up to 1 ms between the reaping rounds: woken at once when conkit-init exits (its pidfd turns
  // readable), so the common case, conkit-init ending right after the case, costs no sleep.
  void wait_a_moment(bool init_reaped) {
    if (!init_reaped && pidfd_.is_open()) {
      pollfd pf{pidfd_.native_handle(), POLLIN, 0};
      ::poll(&pf, 1, 1);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  void reap_case() {
    if (pid_ <= 0) return;
    if (main_exited_ && !exec_errno_ && !init_failed_) note_strays();
    if (!conkit_ending_) check_limits(true);  // before the kill: the counters are the case's own
    if (conkit_ending_ == Ending::limited) r_.notes.push_back(r_.limit);
    kill_case();
    for (const auto& [p, s] : strays_) swept_.insert(static_cast<pid_t>(p));
    const auto start = Clock::now();
    const auto deadline = start + ms(kReapBudgetMs);
    auto next_sweep = start + std::chrono::milliseconds(kSweepEveryMs);
    bool reapers_killed = false;
    rusage ru{};
    bool init_reaped = false;
    for (;;) {
      if (!init_reaped) {
        int status = 0;
        pid_t p = ::wait4(pid_, &status, WNOHANG, &ru);
        if (p == pid_ || (p == -1 && errno == ECHILD)) {
          init_reaped = true;
          // It exited by itself after reaping pid 1, which had reaped everything: as a subreaper
          // pid 1 exits 0 when no child is left; as pid 1 of a namespace, however it ended, the
          // kernel killed and reaped the rest first. Otherwise a reaper died early and what it
          // had not reaped came to us.
          const int code = p == pid_ && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
          if (!(code == 0 || (namespaced_ && code > 0 && code != 125))) {
            left_ = swept_;
            if (init_pid_ > 0) left_.insert(init_pid_);
          }
        }
      }
      if (!init_reaped && Clock::now() >= next_sweep) {  // a process that was moving between parents
        kill_case();
        next_sweep = Clock::now() + std::chrono::milliseconds(kSweepEveryMs);
      }
      if (!init_reaped && !reapers_killed && Clock::now() > start + ms(kInitExitMs)) {
        r_.notes.push_back("conkit-init had not exited " + ms_text(kInitExitMs) + " after the case was killed: SIGKILL to it");
        kill_reapers();
        reapers_killed = true;
      }
      // Swept descendants come to us (the subreaper) once their parent is dead: reap them; one
      // that still exists but is not ours yet is waited for too.
      bool left = false;
      for (auto it = left_.begin(); it != left_.end();) {
        pid_t r = ::waitpid(*it, nullptr, WNOHANG);
        bool gone = r == *it || (r == -1 && errno == ECHILD && ::kill(*it, 0) == -1 && errno == ESRCH);
        if (gone) it = left_.erase(it);
        else ++it, left = true;
      }
      if (init_reaped && !left && (cgroup_.empty() || !cgroup_.kill_all())) break;
      if (Clock::now() > deadline) {
        r_.notes.push_back("some processes of the case could not be reaped");
        break;
      }
      wait_a_moment(init_reaped);
    }
    r_.strays.clear();
    for (const auto& [p, s] : strays_) r_.strays.push_back(s);
    r_.stray_processes_killed = static_cast<int>(strays_.size());
    // Usage: the cgroup's figures for the whole case, else what the kernel summed for the reaped tree.
    if (auto peak = cgroup_.memory_peak()) {
      r_.peak_memory_bytes = peak;
      r_.usage_source = "cgroup";
    } else if (init_reaped && ru.ru_maxrss > 0) {
      r_.peak_memory_bytes = std::max<std::uint64_t>(static_cast<std::uint64_t>(ru.ru_maxrss) * 1024, peak_rss_seen_);
      r_.usage_source = "getrusage";
    }
    if (auto cpu = cgroup_.cpu_ms()) {
      r_.cpu_ms = cpu;
    } else if (init_reaped) {
      r_.cpu_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
      if (r_.usage_source.empty()) r_.usage_source = "getrusage";
    }
    cgroup_ = detail::CaseCgroup();  // removes the directories

    if (exec_errno_) {
      fail_start("cannot execute '" + opt_.argv[0] + "': " + errno_text(exec_errno_));
    } else if (init_failed_) {
      fail_start("conkit-init: " + init_error_);
    } else if (conkit_ending_) {
      r_.ending = *conkit_ending_;
      // The signal the main process died of; SIGKILL if pid 1 went down before it could say.
      r_.signal = *conkit_ending_ == Ending::interrupted ? cancel_signal_ : signal_ ? signal_ : SIGKILL;
    } else if (signal_ != 0) {
      r_.ending = Ending::signaled;
      r_.signal = signal_;
    } else {
      r_.ending = Ending::exited;
      r_.exit_code = exit_code_;
    }
  }

  struct StatusReader {
    explicit StatusReader(asio::io_context& ctx) : pipe(ctx) {}
    asio::posix::stream_descriptor pipe;  // the stream readers' type (one may be a pty master)
    std::vector<char> buf = std::vector<char>(4096);
    std::string partial;
    bool open = false;
  };

  const RunOptions& opt_;
  RunResult& r_;
  asio::io_context ctx_;
  std::array<Reader, 3> readers_{Reader(ctx_), Reader(ctx_), Reader(ctx_)};
  StatusReader status_{ctx_};
  asio::posix::stream_descriptor pidfd_{ctx_};
  asio::steady_timer timeout_timer_{ctx_}, term_timer_{ctx_}, drain_timer_{ctx_}, close_timer_{ctx_},
      guard_timer_{ctx_}, poll_timer_{ctx_}, watch_timer_{ctx_};
  Clock::time_point spawn_time_{};
  pid_t pid_ = -1;        // conkit-init
  pid_t init_pid_ = -1;   // pid 1 of the case's namespace (or the subreaper), as we see it
  OwnedFd init_pidfd_;    // a pidfd on it (-1: the kernel has no pidfd_open)
  pid_t case_pid_ = -1;   // the case's main process (leader of its own session and group)
  bool namespaced_ = false, started_ = false, init_failed_ = false;
  bool main_exited_ = false, drain_started_ = false;
  int exit_code_ = -1, signal_ = 0, cancel_signal_ = 0, exec_errno_ = 0;
  std::string init_error_;
  std::uint64_t peak_rss_seen_ = 0;
  std::optional<Ending> conkit_ending_;
  std::map<std::int64_t, RunResult::Stray> strays_;
  std::set<pid_t> swept_, left_;
  detail::CaseCgroup cgroup_;
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
