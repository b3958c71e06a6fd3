// run/procs.hpp — what /proc says about the processes of a case (private to the runner).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace conkit::detail {

struct ProcInfo {
  pid_t pid = 0, ppid = 0, pgid = 0;
  char state = '?';
  std::uint64_t rss_bytes = 0;
};

// Every live (non-zombie) process, from /proc/<pid>/stat.
std::vector<ProcInfo> all_processes();
// The live processes in the PID namespace `init` is pid 1 of, `init` itself left out.
std::vector<ProcInfo> namespace_members(pid_t init);
// The live descendants of `root` (children, their children, ...), `root` left out.
std::vector<ProcInfo> descendants(pid_t root);
// "sleep 300": the command line, arguments joined by spaces; "[comm]" if it has none.
std::string command_line(pid_t pid);

}  // namespace conkit::detail

namespace conkit::detail {
// The conkit-init program: `configured` if set, else $CONKIT_INIT, else conkit-init next to this
// executable (or in ../libexec/conkit/, or ../bin/ for a build tree's tests). Empty if none is
// executable.
std::string find_init_program(const std::string& configured);
}  // namespace conkit::detail
