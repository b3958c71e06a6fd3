// conkit/run.hpp — run one program as a case and record everything it did.
//
// `run()` starts a program from an argv vector (never through a shell) in its own session and
// process group, with stdin on /dev/null and an environment built explicitly from RunOptions.
// It reads stdout, stderr and the facts channel concurrently on one Asio io_context, stamps each
// line on arrival with CLOCK_MONOTONIC (std::chrono::steady_clock on Linux), enforces the timeout
// and the output cap, kills and reaps the whole process group, and returns a RunResult.
//
//   conkit::RunOptions opt;
//   opt.argv = {"/usr/bin/python3", "case.py"};
//   opt.unit_ms = 100;
//   conkit::RunResult r = conkit::run(opt);
//   for (conkit::LineView line : r.lines) ...
//
// Thread safety: run() is reentrant; each call owns its io_context. It is meant to be called from
// one thread at a time per process, because it makes the caller a child subreaper (so orphaned
// grandchildren can be reaped) and reaps by process group.
#pragma once

#include <csignal>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conkit/transcript.hpp"

namespace conkit {

// Stream, Line, LineView, Transcript, Fact, FactView and FactLog: see conkit/transcript.hpp.

// How the case's stdout and stderr are connected (the `stdio:` header, `--stdio`; conkit/stdio.hpp).
//   pipe:   two pipes (the default). Most stdio libraries then buffer stdout in blocks.
//   pty:    stdout is a pseudo-terminal (line-buffered by stdio libraries), stderr still a pipe.
//   merged: stdout and stderr on one pipe; lines are Stream::merged.
enum class StdioMode { pipe, pty, merged };

// A sanitizer report block found in stderr.
struct SanitizerReport {
  std::string tool;         // "ThreadSanitizer", "AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer"
  std::string kind;         // "data race", "heap-use-after-free", "signed integer overflow", ...
  std::string first_frame;  // "#0 increment(int) /src/case.cpp:12:5" (empty if none)
  std::string location;     // "global 'counter' of size 8 at ..." / "case.cpp:12:5" (empty if none)
  std::size_t first_line = 0;  // index into RunResult::lines of the report's first line
  std::size_t last_line = 0;   // index of its last line
  std::string text;         // the whole block
};

// How the run ended. Exactly one applies.
enum class Ending {
  exited,          // the main child exited; see exit_code
  signaled,        // the main child was killed by a signal it did not get from conkit; see signal
  timed_out,       // conkit killed the group after RunOptions::timeout_ms
  flooded,         // a stream passed RunOptions::output_cap; conkit killed the group
  failed_to_start, // exec failed (missing binary, not executable, ...); see start_error
  limited,         // the case passed a memory/process/CPU limit; conkit killed it; see limit
  interrupted      // RunOptions::cancel was set (conkit got a signal); conkit killed it; see signal
};

// How a case is kept from outliving its run. automatic: a PID namespace when the kernel allows one
// (as root, or through an unprivileged user namespace), else subreaper.
//   pid_namespace: the case runs under conkit-init as pid 1 of its own PID namespace; killing
//                  pid 1 kills everything the case started, wherever it went (setsid, double fork).
//   subreaper:     conkit-init is a child subreaper; at the end conkit stops and kills every
//                  remaining descendant it finds in /proc.
enum class Containment { automatic, pid_namespace, subreaper };
std::string to_string(Containment c);                          // "auto", "pid-namespace", "subreaper"
std::optional<Containment> parse_containment(const std::string& text);

// The documented defaults that keep a CI machine alive: half of physical memory, 4096 processes,
// 64 MiB per output stream. No CPU limit (the timeout bounds a run).
std::uint64_t default_memory_limit();
constexpr std::uint64_t kDefaultProcessLimit = 4096;
constexpr std::size_t kDefaultOutputLimit = 64u << 20;

// "64MiB", "512 KiB", "2GiB", "4096" (bytes): a size as the limit options and headers take it.
std::optional<std::uint64_t> parse_size(const std::string& text);
// "500ms", "2s", "1.5 s": a duration in ms.
std::optional<double> parse_duration_ms(const std::string& text);

struct RunOptions {
  std::vector<std::string> argv;               // argv[0] is a path or a name looked up in PATH
  std::map<std::string, std::string> env;      // set in the child (on top of the inherited ones)
  std::vector<std::string> inherit;            // names copied from our environment, besides PATH HOME LANG
  std::string cwd;                             // empty: our working directory
  double unit_ms = 100;                        // passed as CONKIT_UNIT_MS (rounded to an integer >= 1)
  double timeout_ms = 30000;                   // then SIGTERM to the group, then SIGKILL after term_grace_ms
  double term_grace_ms = 500;
  double drain_grace_ms = 500;                 // after the main child exits, how long to wait for EOF
  std::size_t output_cap = kDefaultOutputLimit; // the output limit: bytes per stream (stdout, stderr, facts each)
  // Limits on the case as a whole (every process it starts). 0: none. Enforced by a cgroup when
  // conkit can make one, else by rlimits and by counting in /proc; RunResult::limit_mechanism says.
  std::uint64_t memory_limit = default_memory_limit();  // bytes
  std::uint64_t process_limit = kDefaultProcessLimit;   // processes alive at once
  double cpu_limit_ms = 0;                              // CPU time of all its processes together
  Containment containment = Containment::automatic;
  bool sanitized = false;        // built with a sanitizer: no address-space rlimit (its shadow is huge)
  std::string init_program;      // conkit-init; empty: $CONKIT_INIT, else next to this executable
  StdioMode stdio = StdioMode::pipe;           // pty also sets TERM=dumb (unless env sets TERM)
  // When set and it becomes non-zero (a signal handler stores the signal number there), the run
  // ends as Ending::interrupted: the case is killed and reaped, RunResult::signal is the flag's value.
  const volatile std::sig_atomic_t* cancel = nullptr;
};

struct RunResult {
  Transcript lines;                // both streams, in arrival order
  FactLog facts;                   // in arrival order
  std::vector<std::string> bad_facts;  // facts-channel lines that were not valid fact JSON
  std::vector<SanitizerReport> sanitizer_reports;
  Ending ending = Ending::exited;
  int exit_code = -1;              // when ending == exited
  int signal = 0;                  // when ending == signaled or interrupted (or the signal that ended a timed-out/flooded run)
  std::string start_error;         // when ending == failed_to_start
  std::string limit;               // when ending == limited: "memory limit 256 MiB reached (peak 257 MiB, cgroup)"
  double end_ms = 0;               // main child's exit, ms since the spawn
  double wall_ms = 0;              // spawn to the end of reaping
  std::int64_t spawn_ns = 0;       // CLOCK_MONOTONIC at the spawn: converts case stamps to ms
  bool truncated_out = false, truncated_err = false, truncated_facts = false;
  bool pipe_held_after_exit = false;   // a descendant kept a stream open past drain_grace_ms
  int stray_processes_killed = 0;      // processes of the case still alive after the main child ended
  // A process of the case still alive when the main child had ended (and the streams drained).
  struct Stray {
    std::int64_t pid = 0;      // as conkit sees it
    std::string command;       // "sleep 300"
    bool left_group = false;   // not in the main child's process group (setsid, setpgid)
  };
  std::vector<Stray> strays;   // all of them, killed
  std::string containment;     // "pid-namespace" or "subreaper"
  std::string containment_note;  // why not a namespace (when automatic fell back), else empty
  std::string limit_mechanism;   // "memory: cgroup v1 memory; processes: cgroup v1 pids; cpu: cgroup v2 cpu.stat"
  std::optional<std::uint64_t> peak_memory_bytes;  // of the case as a whole (cgroup), else its largest process
  std::optional<double> cpu_ms;                    // CPU time of all its processes (cgroup, else getrusage)
  std::string usage_source;                        // "cgroup" or "getrusage"
  std::size_t bad_fact_lines = 0;                  // malformed facts-channel lines (bad_facts keeps the first 100)
  std::vector<std::string> notes;      // human-readable remarks for the report
  StdioMode stdio = StdioMode::pipe;   // how stdout and stderr were connected
};

// The remarks a reader must see with every status, PASS included: strays killed, streams held
// open, bad fact lines, truncation ("killed 1 stray: pid 1234 sleep 300 (left the process group)").
std::vector<std::string> run_remarks(const RunResult& result);

// Runs one program to completion. Never throws for anything the child does; throws
// std::invalid_argument for an empty argv.
RunResult run(const RunOptions& options);

}  // namespace conkit
