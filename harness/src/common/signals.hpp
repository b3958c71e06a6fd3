// common/signals.hpp — signal names, one table for the whole harness: glibc's own
// (sigabbrev_np), so the expect parser, the runner and the reports agree on every name.
#pragma once

#include <string>

namespace conkit {

// "SIGSEGV" for a signal number; "signal N" for one glibc has no name for (real-time signals).
std::string signal_name(int sig);

// The number for "SIGSEGV", "segv", "SEGV" (any case, "SIG" optional; the aliases IOT, IO and
// CLD too); 0 if it names no signal.
int signal_number(const std::string& name);

}  // namespace conkit
