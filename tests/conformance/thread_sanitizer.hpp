// thread_sanitizer.hpp — whether this build runs under ThreadSanitizer, for the adapters of
// libraries the distribution ships uninstrumented (oneTBB, libuv): where TSan cannot see such a
// library's synchronization, or the library misbehaves under it, the adapter's unsupported() says
// why and the suite is skipped with that reason (conkit/conformance/thread_pool.hpp).
#pragma once

namespace conkit::adapters {

// GCC defines __SANITIZE_THREAD__ under -fsanitize=thread; clang answers __has_feature.
inline constexpr bool kThreadSanitizer =
#if defined(__SANITIZE_THREAD__)
    true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
    true;
#else
    false;
#endif
#else
    false;
#endif

}  // namespace conkit::adapters
