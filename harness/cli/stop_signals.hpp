// stop_signals.hpp — SIGINT, SIGTERM, SIGHUP for check, run and verify (private to harness/cli).
// The three are handled alike: the handler stores the signal number, the runner (RunOptions::cancel)
// stops and reaps the running case, the command writes every requested report marked incomplete and
// exits 128 + the signal. A second signal (say, during report writing) exits at once.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <csignal>
#include <string>

#include "common/signals.hpp"

namespace conkit::cli {

inline volatile std::sig_atomic_t interrupted = 0;

extern "C" inline void on_stop_signal(int sig) {
  if (interrupted) ::_exit(128 + sig);
  interrupted = sig;
}

inline void handle_stop_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &sa, nullptr);
}

inline std::string interrupted_reason() { return "interrupted by " + signal_name(interrupted); }

// What the reports say after a stop signal; "" before one (the reports are then complete).
inline std::string stop_reason() { return interrupted ? interrupted_reason() : std::string(); }

// 128 + the signal after a stop signal (whatever the cases or claims said), else `code`.
inline int exit_status_after_stop(int code) { return interrupted ? 128 + interrupted : code; }

}  // namespace conkit::cli
