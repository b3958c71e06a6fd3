// conkit/report.hpp — render case results: terminal text with an annotated transcript, JSON, JUnit.
//
// Raw results are data (CaseResult); every format is rendered from the same data.
//
//   std::cout << conkit::render_text(result, /*transcript=*/result.status != conkit::Status::pass);
//   conkit::write_file("out.json", conkit::to_json(results).dump(2));
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "conkit/grade.hpp"

namespace conkit {

// How much of a transcript a report shows (`conkit check --dump`, `--keep-lines`).
enum class Dump {
  all,       // every line of each failing run
  failures,  // the first and last lines and the lines around each failure (FileCheck's -dump-input-filter)
  none       // no transcript, only the findings
};

struct ReportOptions {
  Dump dump = Dump::failures;
  std::size_t context = 3;        // lines shown before and after each failure
  std::size_t ends = 5;           // first and last lines shown
  std::size_t cut_bytes = 4096;   // a longer line is cut in the text dump, with its length shown
  // The JSON keeps at most this many lines per run (kAllLines: all): the lines around failures, the
  // head and tail, every annotated line as far as the budget goes. It says how many it left out.
  static constexpr std::size_t kAllLines = static_cast<std::size_t>(-1);
  std::size_t keep_lines = 10000;
};

// One summary line per case, then (if `transcript`) for each failing run the annotated transcript
// in the manner of FileCheck's --dump-input: the lines options.dump selects (a transcript of at
// most 200 lines is shown whole; "... N lines not shown" marks a gap) with their time in ms and in
// units, the directives they matched, where matching stopped, and every broken time bound with
// bound, value and miss.
std::string render_text(const CaseResult& result, bool transcript, const ReportOptions& options = {});

// The annotated transcript of one run alone.
std::string render_transcript(const CaseResult& result, std::size_t run_index, const ReportOptions& options = {});

// JSON: {"conkit": version, "cases": [...]} with every run, its facts, grades, and its lines up to
// options.keep_lines (each line with its index "i"; "lines_total" and "lines_left_out" per run).
nlohmann::json to_json(const std::vector<CaseResult>& results, const ReportOptions& options = {});

// JUnit XML: one <testcase> per case; FAIL/TIMEOUT/CRASH/FLOOD/FLAKY/ERROR/INVALID as <failure>,
// SKIP as <skipped>.
std::string to_junit(const std::vector<CaseResult>& results, const std::string& suite_name);

// Writes text to a file, creating parent directories; throws std::runtime_error on failure.
void write_file(const std::string& path, const std::string& text);

}  // namespace conkit
