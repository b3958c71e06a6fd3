// expect/stream_uses.hpp — every place an expected file reads a stream (private to the harness):
// the parser checks them against `stdio:`, the checker against the mode a run had.
#pragma once

#include <variant>

#include "conkit/expect.hpp"

namespace conkit::expect_detail {

// Calls use(loc, stream) for every check of `e` that reads a stream: the output steps in order
// (a line check, a ranged not, each line of an any-order group), then the file-wide nots, then the
// counts. A report block's err checks are not among them: they read the report's own lines,
// whichever stream carried it.
template <class Use>
void for_each_stream_use(const ExpectFile& e, Use&& use) {
  for (const auto& step : e.steps) {
    if (const auto* lc = std::get_if<LineCheck>(&step)) use(lc->loc, lc->stream);
    else if (const auto* n = std::get_if<RangedNot>(&step)) use(n->loc, n->stream);
    else
      for (const auto& l : std::get<AnyOrderGroup>(step).lines) use(l.loc, l.stream);
  }
  for (const auto& n : e.nots) use(n.loc, n.stream);
  for (const auto& c : e.counts) use(c.loc, c.stream);
}

}  // namespace conkit::expect_detail
