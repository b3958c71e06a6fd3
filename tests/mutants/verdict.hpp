// verdict.hpp — reads one conformance-suite run (a conkit::RunResult) and says which properties
// caught the executor: a failed test ("RunsEachTaskExactlyOnce"), a watchdog line naming the
// property a hang broke ("NoLostWakeup"), a sanitizer report ("NoDataRaceInQueue (TSan, during
// <test>)"), a crash or a timeout (during <test>). Empty: nothing caught it.
#pragma once

#include <set>
#include <string>

#include <conkit/run.hpp>

#include "common/signals.hpp"

namespace conkit::mutants {

// "Prefix/Suite/0.TestName, where TypeParam = ... (3 ms)" -> "TestName".
inline std::string test_name_in(const std::string& line, std::size_t from) {
  std::string rest = line.substr(from);
  rest = rest.substr(0, rest.find_first_of(", "));
  const auto dot = rest.rfind('.');
  return dot == std::string::npos ? rest : rest.substr(dot + 1);
}

inline std::set<std::string> caught_by(const RunResult& r) {
  static const std::string run_tag = "[ RUN      ] ", failed_tag = "[  FAILED  ] ",
                           dog_tag = "conkit-conformance: watchdog: ", property_tag = "; property: ";
  std::set<std::string> caught;
  std::string current = "startup";
  for (std::size_t i = 0; i < r.lines.size(); ++i) {
    const std::string text(r.lines[i].text);
    if (text.rfind(run_tag, 0) == 0) current = test_name_in(text, run_tag.size());
    if (text.rfind(failed_tag, 0) == 0 && text.find(" ms)") != std::string::npos) {
      caught.insert(test_name_in(text, failed_tag.size()));
    }
    if (text.rfind(dog_tag, 0) == 0) {
      const auto at = text.find(property_tag);
      caught.insert(at == std::string::npos ? current : text.substr(at + property_tag.size()));
    }
    for (const auto& report : r.sanitizer_reports) {
      if (report.first_line != i) continue;
      const std::string what = report.tool == "ThreadSanitizer" && report.kind == "data race"
                                   ? "NoDataRaceInQueue"
                                   : report.tool + ": " + report.kind;
      caught.insert(what + " (during " + current + ")");
    }
  }
  const bool watchdog = r.ending == Ending::exited && r.exit_code == 3;
  if (r.ending == Ending::timed_out) caught.insert("timeout (during " + current + ")");
  if (r.ending == Ending::signaled) caught.insert(signal_name(r.signal) + " (during " + current + ")");
  if (r.ending == Ending::exited && r.exit_code != 0 && caught.empty() && !watchdog) {
    caught.insert("exit code " + std::to_string(r.exit_code) + " (during " + current + ")");
  }
  return caught;
}

// Whether `property` is among what caught it (a sanitizer catch reads "Property (during X)").
inline bool caught_by_property(const std::set<std::string>& caught, const std::string& property) {
  for (const auto& c : caught) {
    if (c == property || c.rfind(property + " (", 0) == 0) return true;
  }
  return false;
}

}  // namespace conkit::mutants
