// task_span.hpp — the `span_ms` fact of the fetch and join scenarios: from the first task's start
// to the last task's end, on the cases' inner CLOCK_MONOTONIC stamps (conkit::now_ns()).
//
// Thread safety: none; feed it from one thread (the loop thread, or the parent after a join).
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>

#include <conkit/facts.hpp>

namespace conkit::cases {

struct task_span {
  std::int64_t first_start = std::numeric_limits<std::int64_t>::max();
  std::int64_t last_end = std::numeric_limits<std::int64_t>::min();

  void add(std::int64_t start_ns, std::int64_t end_ns) {
    first_start = std::min(first_start, start_ns);
    last_end = std::max(last_end, end_ns);
  }
  double ms() const { return static_cast<double>(last_end - first_start) / 1e6; }
};

}  // namespace conkit::cases
