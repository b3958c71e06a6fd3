// task_span.hpp — the facts the fetch and join scenarios share: begin_tasks() reads --n and writes
// the facts each of their cases starts with; task_span is the `span_ms` fact at the end, from the
// first task's start to the last task's end, on the cases' inner CLOCK_MONOTONIC stamps
// (conkit::now_ns()).
//
// Thread safety: none; feed a task_span from one thread (the loop thread, or the parent after a join).
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>

#include <conkit/facts.hpp>

#include "case_args.hpp"

namespace conkit::cases {

// Reads --n (the tasks, default 2) and writes the facts model, unit_ms and n; returns n.
inline int begin_tasks(int argc, char** argv, const char* model) {
  const int n = int_arg(argc, argv, "--n", 2);
  fact("model", model);
  fact("unit_ms", unit().count());
  fact("n", n);
  return n;
}

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
