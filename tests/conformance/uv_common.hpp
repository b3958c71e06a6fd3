// uv_common.hpp — what the libuv adapters share: turning a libuv error code into an exception, and
// the reason they are skipped under ThreadSanitizer.
#pragma once

#include <stdexcept>
#include <string>

#include <uv.h>

namespace conkit::adapters::uv {

inline void check(int rc, const char* what) {
  if (rc < 0) throw std::runtime_error(std::string(what) + ": " + uv_strerror(rc));
}

// Debian's libuv1 is not built with -fsanitize=thread: TSan sees neither its atomics (uv_async_send)
// nor its threadpool's handoff of a uv_work_t, so it would report races that are not there.
inline std::string tsan_reason() {
#if defined(__SANITIZE_THREAD__)
  return "libuv (libuv1-dev) is not instrumented for ThreadSanitizer: its synchronization is "
         "invisible to TSan, so TSan would report races that are not there";
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
  return "libuv (libuv1-dev) is not instrumented for ThreadSanitizer: its synchronization is "
         "invisible to TSan, so TSan would report races that are not there";
#endif
#endif
  return {};
}

}  // namespace conkit::adapters::uv
