// cpu_work.hpp — a fixed amount of CPU work the compiler cannot fold away, sized in time.
//
// spin(n) runs n rounds of a 64-bit mixing step whose state stays in a register: no memory traffic,
// so tasks running it share nothing and sanitizers (which instrument loads and stores) barely slow
// it. rounds_for(d) calibrates how many rounds take about d in this build on this machine, so a case
// asks for "2u of CPU work" and gets about that in every build; cases grade ratios of times measured
// on the same rounds, never the absolute time.
//
//   const auto rounds = conkit::cases::rounds_for(2 * conkit::unit());
//   conkit::cases::spin(rounds);
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>

#include <conkit/facts.hpp>

namespace conkit::cases {

// Returns the final state, so the work has an observable result.
inline std::uint64_t spin(std::uint64_t rounds, std::uint64_t state = 0x9e3779b97f4a7c15) {
  for (std::uint64_t i = 0; i < rounds; ++i) {
    state ^= state >> 31;
    state *= 0xbf58476d1ce4e5b9;
    state ^= i;
    asm volatile("" : "+r"(state));  // opaque to the optimizer: no folding, no vectorizing
  }
  return state;
}

// Rounds that take about `target` of CPU time; the best of 5 probes skips a slow first clock step.
inline std::uint64_t rounds_for(std::chrono::nanoseconds target) {
  constexpr std::uint64_t probe = 1 << 20;
  std::int64_t best = std::numeric_limits<std::int64_t>::max();
  for (int i = 0; i < 5; ++i) {
    const std::int64_t t0 = now_ns();
    spin(probe);
    best = std::min(best, now_ns() - t0);
  }
  const auto rounds = static_cast<double>(target.count()) * probe / static_cast<double>(std::max<std::int64_t>(best, 1));
  return std::max<std::uint64_t>(1, static_cast<std::uint64_t>(rounds));
}

// Milliseconds between two now_ns() stamps.
inline double ms_between(std::int64_t t0, std::int64_t t1) { return static_cast<double>(t1 - t0) / 1e6; }

}  // namespace conkit::cases
