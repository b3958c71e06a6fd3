// report_demo.cpp — one known bug per mode, so that the expected files beside this program can
// expect the sanitizer report each bug causes (docs/expected-format.md, "Sanitizer reports"):
//
//   race            two threads add to one int without a lock            ThreadSanitizer data race
//   race_locked     the same, under a mutex (the negative control)       none
//   tsan_uaf        a thread reads an int another thread freed           ThreadSanitizer heap-use-after-free
//   asan_uaf        main reads an int it freed                           AddressSanitizer heap-use-after-free
//   asan_uaf_lie    the same, but prints a wrong address (negative control for captures)
//   leak            64 bytes allocated and lost                          LeakSanitizer
//   ubsan_overflow  INT_MAX + 1 in int                                   UBSan signed integer overflow
//
// A mode whose sanitizer is not compiled in exits 77 (SKIP) and says why. The asan preset builds
// with -fsanitize=address,undefined, so AddressSanitizer stands for LeakSanitizer and UBSan too.
#include <atomic>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

namespace {

#if defined(__SANITIZE_THREAD__)
constexpr const char* kBuiltWith = "tsan";
#elif defined(__SANITIZE_ADDRESS__)
constexpr const char* kBuiltWith = "asan";
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
constexpr const char* kBuiltWith = "tsan";
#elif __has_feature(address_sanitizer)
constexpr const char* kBuiltWith = "asan";
#else
constexpr const char* kBuiltWith = "none";
#endif
#else
constexpr const char* kBuiltWith = "none";
#endif

int shared_total = 0;  // the racy counter; its name is in the TSan report
std::mutex total_lock;

void add_many(bool locked) {
  for (int i = 0; i < 1000; ++i) {
    if (locked) {
      std::lock_guard<std::mutex> hold(total_lock);
      ++shared_total;
    } else {
      ++shared_total;
    }
  }
}

int race(bool locked) {
  std::thread a(add_many, locked), b(add_many, locked);
  a.join();
  b.join();
  std::printf("total=%d\n", shared_total);
  return 0;
}

// The free and the read are in different threads with nothing ordering them (a relaxed flag does
// not synchronize), which is what TSan reports as heap-use-after-free.
int tsan_uaf() {
  int* p = new int(7);
  std::printf("allocated at %p\n", static_cast<void*>(p));
  std::fflush(stdout);
  std::atomic<bool> freed{false};
  std::thread freer([&] {
    delete p;
    freed.store(true, std::memory_order_relaxed);
  });
  while (!freed.load(std::memory_order_relaxed)) std::this_thread::yield();
  volatile int v = *p;
  freer.join();
  std::printf("read %d\n", v);
  return 0;
}

int asan_uaf(bool lie) {
  int* p = new int(7);
  std::printf("allocated at %p\n", static_cast<void*>(lie ? p + 64 : p));
  std::fflush(stdout);
  delete p;
  volatile int v = *p;
  std::printf("read %d\n", v);
  return 0;
}

void* volatile lost = nullptr;

int leak() {
  lost = std::malloc(64);
  std::memset(lost, 1, 64);
  std::printf("leaking 64 bytes\n");
  std::fflush(stdout);
  lost = nullptr;
  return 0;
}

int ubsan_overflow() {
  volatile int one = 1;
  int big = INT_MAX;
  int sum = big + one;
  std::printf("sum=%d\n", sum);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  const std::string built = kBuiltWith;
  const bool needs_tsan = mode == "race" || mode == "race_locked" || mode == "tsan_uaf";
  const bool needs_asan = mode == "asan_uaf" || mode == "asan_uaf_lie" || mode == "leak" || mode == "ubsan_overflow";
  if ((needs_tsan && built != "tsan") || (needs_asan && built != "asan")) {
    std::fprintf(stderr, "mode %s needs a %s build (this one: %s)\n", mode.c_str(), needs_tsan ? "tsan" : "asan",
                 built.c_str());
    return 77;
  }
  if (mode == "race") return race(false);
  if (mode == "race_locked") return race(true);
  if (mode == "tsan_uaf") return tsan_uaf();
  if (mode == "asan_uaf") return asan_uaf(false);
  if (mode == "asan_uaf_lie") return asan_uaf(true);
  if (mode == "leak") return leak();
  if (mode == "ubsan_overflow") return ubsan_overflow();
  std::fprintf(stderr, "usage: report_demo race|race_locked|tsan_uaf|asan_uaf|asan_uaf_lie|leak|ubsan_overflow\n");
  return 2;
}
