// run/stdio.hpp — the descriptors behind a case's stdout and stderr (private to the runner).
//
// open_case_stdio() makes what RunOptions::stdio asks for: two pipes, a pseudo-terminal for
// stdout plus a pipe for stderr, or one pipe for both. The runner dup2()s `child_out` and
// `child_err` onto the child's 1 and 2, closes its own copies right after the spawn (so end of
// output comes once the case's whole tree has closed them) and reads `out` and `err`.
//
// Thread safety: none needed; one StdioEnds per run.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "conkit/run.hpp"
#include "run/fd.hpp"

namespace conkit::detail {

// Every descriptor is close-on-exec and numbered >= 3, so dup2() onto stdio never clobbers one.
struct StdioEnds {
  OwnedFd out, err;              // conkit's read ends; `out` is the pty master under pty; no `err` when merged
  OwnedFd child_out, child_err;  // the child's 1 and 2; under merged `child_err` is a second copy of `child_out`
  bool out_is_terminal = false;  // lines on `out` may end in a CR of the terminal's making
};

// Opens the descriptors for `mode`. Returns an error text ("posix_openpt: ...") or "" on success.
std::string open_case_stdio(StdioMode mode, StdioEnds& ends);

// The environment a mode adds to the child's (before the case's own `env`): TERM=dumb under pty.
void add_stdio_environment(StdioMode mode, std::map<std::string, std::string>& env);

// Removes the CR of a CRLF line ending from `line`, as a terminal that still translated
// newlines would leave it (conkit turns that translation off; this is the second defence).
void strip_terminal_cr(std::string_view& line);

}  // namespace conkit::detail
