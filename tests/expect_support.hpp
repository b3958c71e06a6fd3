// expect_support.hpp — what the grader's and the reports' tests build their cases from: an expected
// file parsed from a body (a parse error fails the test, with every error shown) and hand-made
// output lines.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "conkit/expect.hpp"
#include "conkit/run.hpp"

namespace conkit::test_support {

// The expected file "scenario: SCENARIO\nmodel: MODEL\n" + body, named t.expect (so the body's
// first line is line 3).
inline ExpectFile parse_case(const std::string& scenario, const std::string& model, const std::string& body) {
  ParseResult p = parse_expect("scenario: " + scenario + "\nmodel: " + model + "\n" + body, "t.expect");
  std::string errors;
  for (const auto& e : p.errors) errors += e.to_string() + "\n";
  EXPECT_TRUE(p.ok()) << errors;
  return p.file;
}

// A line on stdout (stderr) at `t` ms.
inline Line out(double t, std::string text) { return Line{Stream::out, t, std::move(text)}; }
inline Line err(double t, std::string text) { return Line{Stream::err, t, std::move(text)}; }

}  // namespace conkit::test_support
