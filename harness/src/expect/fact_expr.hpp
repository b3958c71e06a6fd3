// expect/fact_expr.hpp — the expected-file parser's fact expressions (private to the harness):
// the conditions of `outcome` and `require` lines (docs/expected-format.md, "Fact expressions").
#pragma once

#include <cstddef>
#include <string>

#include "conkit/expect.hpp"
#include "expect/scanner.hpp"

namespace conkit::expect_detail {

// An expression being built, with what the type checks and messages need.
struct PExpr {
  ExprPtr e;
  bool boolean = false;
  int depth = 1;
  std::size_t begin = 0, end = 0;  // source span in the line
};

// A whole condition at the cursor (it must be boolean: a comparison, or comparisons joined by
// and/or/not); the expression's locations name `path`. Fails the line on a malformed or
// non-boolean condition, or one nested deeper than the parser allows.
PExpr parse_condition(Scanner& sc, const std::string& path);

}  // namespace conkit::expect_detail
