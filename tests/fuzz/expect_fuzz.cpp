// libFuzzer target for the expected-file parser: any bytes must parse to a result, never a crash,
// hang, leak or UB (ASan + UBSan), and what the parser reports must hold up:
//   - every error reads "FILE:LINE:COL: expected ..." and there are at most 50;
//   - every matcher it built prints (Matcher::to_string) as text that parses back to the same matcher.
// Run by ctest as fuzz.expect_parser (tests/fuzz/CMakeLists.txt), or by hand:
//   build/asan/tests/fuzz/expect_fuzz -max_total_time=60 -dict=tests/fuzz/expect.dict CORPUS_DIR
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "conkit/expect.hpp"

namespace {

void require(bool ok, const char* what, const std::string& detail) {
  if (ok) return;
  std::fprintf(stderr, "invariant broken: %s: %s\n", what, detail.c_str());
  std::abort();
}

// A matcher printed into `out M` must come back unchanged. The captures it uses are bound first,
// by one regex line, as the file it came from did (an unbound ${name} is an error).
void check_round_trip(const conkit::Matcher& m) {
  std::string binder;
  for (const auto& u : m.uses)
    if (binder.find("(?<" + u.name + ">") == std::string::npos) binder += "(?<" + u.name + ">.)";
  std::string text = "scenario: s\nmodel: m\n";
  if (!binder.empty()) text += "out /" + binder + "/\n";
  text += "out " + m.to_string() + "\n";
  conkit::ParseResult again = conkit::parse_expect(text, "rt");
  require(again.ok(), "printed matcher parses", m.to_string());
  const std::size_t steps = binder.empty() ? 1 : 2;
  require(again.file.steps.size() == steps, "printed matcher gives one step", m.to_string());
  const auto& back = std::get<conkit::LineCheck>(again.file.steps.back()).matcher;
  require(back.kind == m.kind && back.text == m.text && back.uses == m.uses, "matcher round trip", m.to_string());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  conkit::ParseResult r = conkit::parse_expect(text, "fuzz.expect");

  require(r.errors.size() <= 50, "error cap", std::to_string(r.errors.size()));
  for (const auto& e : r.errors) {
    std::string s = e.to_string();
    require(s.rfind("fuzz.expect:", 0) == 0 && e.loc.line >= 1 && e.loc.col >= 1, "error location", s);
    require(e.message.rfind("expected ", 0) == 0, "error wording", s);
  }
  for (const auto& step : r.file.steps) {
    if (const auto* line = std::get_if<conkit::LineCheck>(&step)) check_round_trip(line->matcher);
    else if (const auto* group = std::get_if<conkit::AnyOrderGroup>(&step))
      for (const auto& l : group->lines) check_round_trip(l.matcher);
    else
      check_round_trip(std::get<conkit::RangedNot>(step).matcher);
  }
  for (const auto& n : r.file.nots) check_round_trip(n.matcher);
  (void)r.file.exit.to_string();
  for (const auto& t : r.file.times) (void)(t.a.to_string() + t.b.to_string() + conkit::to_string(t.op));
  for (const auto& o : r.file.outcomes) (void)conkit::to_string(o.cls);
  return 0;
}
