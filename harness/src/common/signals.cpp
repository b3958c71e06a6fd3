#include "common/signals.hpp"

#include <csignal>
#include <cstring>
#include <string.h>  // sigabbrev_np (glibc >= 2.32, _GNU_SOURCE)

namespace conkit {

std::string signal_name(int sig) {
  const char* abbrev = sig > 0 && sig < NSIG ? sigabbrev_np(sig) : nullptr;
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

int signal_number(const std::string& name) {
  std::string upper;
  for (char c : name) upper += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  if (upper.rfind("SIG", 0) == 0) upper.erase(0, 3);
  if (upper.empty()) return 0;
  for (int sig = 1; sig < NSIG; ++sig)
    if (const char* abbrev = sigabbrev_np(sig); abbrev && upper == abbrev) return sig;
  // Other names of the same numbers, which sigabbrev_np does not return.
  if (upper == "IOT") return SIGABRT;
  if (upper == "IO") return SIGIO;
  if (upper == "CLD") return SIGCHLD;
  return 0;
}

}  // namespace conkit
