// uv_common.hpp — what the libuv adapters share: turning a libuv error code into an exception, and
// why the uv_spawn pool is skipped under ThreadSanitizer (kThreadSanitizer: thread_sanitizer.hpp).
#pragma once

#include <stdexcept>
#include <string>

#include <uv.h>

#include "thread_sanitizer.hpp"

namespace conkit::adapters::uv {

inline void check(int rc, const char* what) {
  if (rc < 0) throw std::runtime_error(std::string(what) + ": " + uv_strerror(rc));
}

// Why uv_spawn cannot be checked under TSan (empty elsewhere). libuv (Debian's libuv1, not
// instrumented) learns of a child's exit from its own SIGCHLD handler; in a TSan build that exit
// callback never came for a child killed by SIGKILL, and the pool waited for it until the
// watchdog fired (3 of 3 runs). The loop and the threadpool do run under TSan: every handoff they
// make (pthread mutexes and condition variables, the eventfd behind uv_async_send) goes through
// calls TSan intercepts even from an uninstrumented library.
inline std::string spawn_tsan_reason() {
  if (!kThreadSanitizer) return {};
  return "libuv (libuv1-dev, not instrumented) never delivers uv_spawn's exit callback for a "
         "killed child under ThreadSanitizer (its SIGCHLD handling), so the pool would hang";
}

}  // namespace conkit::adapters::uv
