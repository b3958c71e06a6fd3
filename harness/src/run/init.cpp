// conkit-init — the minimal init conkit starts each case under (the way bubblewrap and bazel's
// linux-sandbox do): it joins the case's cgroups, makes a new PID namespace (through a new user
// namespace when it is not root), and forks the namespace's pid 1, which forks and execs the case
// and then reaps every process of the case that ends. Pid 1 exits once it has no child left (the
// case's main process and every orphan reaped), and this process once it has reaped pid 1: so when
// conkit has reaped conkit-init, nothing of the case is left, not even a zombie. To end a case
// early conkit kills its processes (SIGKILL to pid 1 kills the whole namespace; as a subreaper,
// every descendant of pid 1) and waits for conkit-init to exit. PR_SET_PDEATHSIG ties this process
// to conkit and pid 1 to this process, so a SIGKILLed conkit takes the namespace down too.
//
//   conkit-init --status-fd N --containment auto|pid-namespace|subreaper [--exe PATH]
//               [--cgroup DIR]... [--rlimit NAME=VALUE]... -- ARGV0 ARGS...
//
// It writes a few lines on the status fd (conkit reads them):
//   containment pid-namespace|subreaper [why]   how the case is contained
//   started PID                                  the case's pid as conkit sees it (outside the namespace)
//   exec-error ERRNO                             the case could not be executed (before its "exited 127")
//   exited CODE | signaled SIG                   the case's own ending, the moment pid 1 reaps it
// The case's main process joins the --cgroup directories before it execs (conkit-init and pid 1
// stay outside them, so a cgroup kill never takes the reaper with the case).
// Single-threaded: the forks here keep to the rule that a fork in a multithreaded process must exec.
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <linux/magic.h>
#include <linux/sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdint>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

int status_fd = -1;

void report(const std::string& line) {
  std::string l = line + "\n";
  // One write per line, below PIPE_BUF: conkit sees whole lines.
  while (::write(status_fd, l.data(), l.size()) < 0 && errno == EINTR) {}
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "conkit-init: %s: %s\n", what.c_str(), std::strerror(errno));
  report("init-error " + what + ": " + std::strerror(errno));
  ::_exit(125);
}

// Closes every fd but `keep` (sorted, all >= 3) and puts /dev/null on 0, 1 and 2: the init
// processes must not hold the case's stdout, stderr or facts pipe, or conkit would never see EOF.
void shed_fds(std::vector<int> keep) {
  unsigned lo = 0;
  keep.push_back(INT_MAX);
  for (int k : keep) {
    if (static_cast<unsigned>(k) > lo) {
      unsigned hi = static_cast<unsigned>(k) - 1;
      if (::syscall(SYS_close_range, lo, hi, 0) != 0)
        for (unsigned fd = lo; fd <= hi && fd < 65536; ++fd) ::close(static_cast<int>(fd));
    }
    lo = static_cast<unsigned>(k) + 1;
  }
  int null = ::open("/dev/null", O_RDWR);  // lowest free: 0
  while (null >= 0 && null < 2) null = ::dup(null);
}

bool write_file(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok;
}

// A new PID namespace for our children: directly as root, else inside a new user namespace that
// maps our uid and gid to themselves. Returns an empty string, or why it was not possible.
std::string enter_pid_namespace() {
  // CLONE_NEWNS too: pid 1 mounts the namespace's own /proc, so a case that reads /proc (its
  // children, its own pid) sees the pids it has (as `unshare --pid --mount-proc`).
  if (::unshare(CLONE_NEWPID | CLONE_NEWNS) == 0) return {};
  const int direct = errno;
  const uid_t uid = ::geteuid();
  const gid_t gid = ::getegid();
  if (::unshare(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS) != 0)
    return std::string("unshare(CLONE_NEWPID): ") + std::strerror(direct) +
           "; with a user namespace: " + std::strerror(errno);
  // Map ourselves to the same ids inside, so files and the case's view of its ids stay the same.
  write_file("/proc/self/setgroups", "deny");
  if (!write_file("/proc/self/uid_map", std::to_string(uid) + " " + std::to_string(uid) + " 1\n") ||
      !write_file("/proc/self/gid_map", std::to_string(gid) + " " + std::to_string(gid) + " 1\n"))
    return std::string("user namespace id maps: ") + std::strerror(errno);
  return {};
}

bool set_rlimit(const std::string& spec) {
  auto eq = spec.find('=');
  if (eq == std::string::npos) return false;
  const std::string name = spec.substr(0, eq);
  const rlim_t value = std::strtoull(spec.c_str() + eq + 1, nullptr, 10);
  int resource = name == "as" ? RLIMIT_AS : name == "data" ? RLIMIT_DATA : name == "cpu" ? RLIMIT_CPU
               : name == "fsize" ? RLIMIT_FSIZE : name == "nproc" ? RLIMIT_NPROC : -1;
  if (resource < 0) return false;
  // CPU: the soft limit sends SIGXCPU (conkit reports LIMIT), the hard one a second later SIGKILL.
  rlimit rl{value, resource == RLIMIT_CPU ? value + 1 : value};
  return ::setrlimit(resource, &rl) == 0;
}

// fork(), but with the child born in the first cgroup v2 directory of `cgroups` when the kernel
// has clone3(CLONE_INTO_CGROUP) (Linux 5.7): moving a process in by writing cgroup.procs waits for
// an RCU grace period in the kernel (the cgroup threadgroup lock), a few milliseconds on a busy
// machine, while a process born inside pays nothing. `born_in` names that directory, or stays
// empty where this was not possible (cgroup v1, an old kernel, no permission): then it is a fork.
pid_t fork_into_cgroup(const std::vector<std::string>& cgroups, std::string& born_in) {
#if defined(SYS_clone3) && defined(CLONE_INTO_CGROUP)
  for (const auto& dir : cgroups) {
    struct statfs fs {};
    if (::statfs(dir.c_str(), &fs) != 0 || fs.f_type != CGROUP2_SUPER_MAGIC) continue;
    const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) break;
    clone_args args{};
    args.flags = CLONE_INTO_CGROUP;
    args.exit_signal = SIGCHLD;
    args.cgroup = static_cast<std::uint64_t>(dir_fd);
    const long pid = ::syscall(SYS_clone3, &args, sizeof args);
    if (pid >= 0) {
      if (pid > 0) ::close(dir_fd);
      born_in = dir;
      return static_cast<pid_t>(pid);
    }
    ::close(dir_fd);
    break;  // not allowed or not known here: fork and write cgroup.procs, as without it
  }
#else
  (void)cgroups;
#endif
  born_in.clear();
  return ::fork();
}

// Pid 1 of the namespace (or the subreaper): start the case, report its ending, reap the rest,
// and exit once no child is left.
[[noreturn]] void be_init(const char* exe, char** cmd, const std::vector<std::string>& cgroups, int life_pipe,
                          int exec_pipe) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  // Did our parent die before the line above? (getppid() is 0 for pid 1 of a new namespace, so
  // ask the pipe only the parent holds open: it hangs up when the parent is gone.)
  pollfd pf{life_pipe, POLLIN, 0};
  if (::poll(&pf, 1, 0) > 0 && (pf.revents & POLLHUP)) ::_exit(125);
  ::close(life_pipe);
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);       // a no-op as pid 1; in subreaper mode it keeps orphans here
  if (::getpid() == 1) {  // pid 1 of a new PID namespace: /proc as the case sees it (not fatal)
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0)
      ::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
  }
  std::string born_in;  // the cgroup v2 directory the case was cloned into, if any
  pid_t child = fork_into_cgroup(cgroups, born_in);
  if (child < 0) die("fork");
  if (child == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // the case's main process dies with its init
    // Joined before the exec: every process of the case is born inside these cgroups.
    for (const auto& dir : cgroups)
      if (dir != born_in && !write_file(dir + "/cgroup.procs", "0\n")) {
        report("init-error join cgroup " + dir + ": " + std::strerror(errno));  // before "started"
        ::_exit(125);
      }
    ::setsid();                           // its own session and group, as without conkit-init
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(exe, cmd);
    // Said here, before pid 1 can reap us and report "exited 127": conkit sees this line first.
    report("exec-error " + std::to_string(errno));
    ::_exit(127);
  }
  ::close(exec_pipe);
  shed_fds({status_fd});
  for (;;) {
    int st = 0;
    pid_t p = ::waitpid(-1, &st, 0);
    if (p < 0) {
      if (errno == EINTR) continue;
      // No child left: the main process (our only child until it ends) and every orphan, which
      // came to us before its parent could be reaped, are reaped. Nothing of the case is left.
      if (errno == ECHILD) ::_exit(0);
      die("waitpid");
    }
    if (p != child) continue;
    if (WIFEXITED(st)) report("exited " + std::to_string(WEXITSTATUS(st)));
    else if (WIFSIGNALED(st)) report("signaled " + std::to_string(WTERMSIG(st)));
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = "auto";
  const char* exe = nullptr;
  std::vector<std::string> cgroups, rlimits;
  int i = 1;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") { ++i; break; }
    if (i + 1 >= argc) break;
    if (a == "--status-fd") status_fd = std::atoi(argv[++i]);
    else if (a == "--containment") mode = argv[++i];
    else if (a == "--exe") exe = argv[++i];
    else if (a == "--cgroup") cgroups.push_back(argv[++i]);
    else if (a == "--rlimit") rlimits.push_back(argv[++i]);
    else break;
  }
  if (status_fd < 0 || i >= argc || (mode != "auto" && mode != "pid-namespace" && mode != "subreaper")) {
    std::fprintf(stderr, "usage: conkit-init --status-fd N [--containment auto|pid-namespace|subreaper] [--exe PATH] "
                         "[--cgroup DIR]... [--rlimit NAME=VALUE]... -- CMD ARGS...\n");
    return 125;
  }
  ::fcntl(status_fd, F_SETFD, FD_CLOEXEC);  // the case must not hold the status channel
  char** cmd = argv + i;
  if (!exe) exe = cmd[0];

  for (const auto& spec : rlimits)
    if (!set_rlimit(spec)) die("setrlimit " + spec);

  std::string contained = "subreaper";
  std::string why;
  if (mode != "subreaper") {
    why = enter_pid_namespace();
    if (why.empty()) contained = "pid-namespace";
    else if (mode == "pid-namespace") {
      report("init-error cannot make a PID namespace: " + why);
      return 125;
    }
  }
  report("containment " + contained + (why.empty() ? "" : " " + why));

  int exec_pipe[2], life_pipe[2];
  if (::pipe2(exec_pipe, O_CLOEXEC) != 0 || ::pipe2(life_pipe, O_CLOEXEC) != 0) die("pipe2");
  pid_t init = ::fork();
  if (init < 0) die("fork");
  if (init == 0) {
    ::close(exec_pipe[0]);
    ::close(life_pipe[1]);
    be_init(exe, cmd, cgroups, life_pipe[0], exec_pipe[1]);
  }
  ::close(exec_pipe[1]);
  ::close(life_pipe[0]);  // the write end stays open as long as we live
  {
    std::vector<int> keep = {status_fd, exec_pipe[0], life_pipe[1]};
    std::sort(keep.begin(), keep.end());
    shed_fds(keep);
  }
  // The case's pid as seen from outside: pid 1's first child. In a namespace we only know pid 1's
  // outer pid; its child is found by conkit through /proc (NSpid). Report what we know.
  report("init " + std::to_string(init));
  // The exec pipe closes when the case's exec succeeded (close-on-exec) or it gave up.
  char byte;
  while (::read(exec_pipe[0], &byte, 1) < 0 && errno == EINTR) {}
  ::close(exec_pipe[0]);
  report("started");
  // Stay until pid 1 ends and reap it (if conkit kills us instead, PDEATHSIG ends pid 1).
  for (;;) {
    int st = 0;
    pid_t p = ::waitpid(init, &st, 0);
    if (p == init) return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (p < 0 && errno != EINTR) return 125;
  }
}
