// sanitized.hpp — which sanitizer, if any, this case program was built with.
//
// A scale variant (hundreds of threads, dozens of processes or connections that must all start
// within a fraction of u) also measures start-up cost per task, which a sanitizer multiplies
// (TSan: shadow state and intercepted calls for every thread, process and socket). Where the
// measured cost breaks the bound, the variant skips under a sanitizer with that reason instead of
// reporting the sanitizer's cost as the model's; the same program still runs there at small N.
//
//   if (n > 100 && conkit::cases::sanitizer_name()) conkit::skip(...);
#pragma once

namespace conkit::cases {

// "ThreadSanitizer", "AddressSanitizer", or nullptr for a plain build.
constexpr const char* sanitizer_name() {
#if defined(__SANITIZE_THREAD__)
  return "ThreadSanitizer";
#elif defined(__SANITIZE_ADDRESS__)
  return "AddressSanitizer";
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
  return "ThreadSanitizer";
#elif __has_feature(address_sanitizer)
  return "AddressSanitizer";
#else
  return nullptr;
#endif
#else
  return nullptr;
#endif
}

}  // namespace conkit::cases
