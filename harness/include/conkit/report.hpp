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

// One summary line per case, then (if `transcript`) for each failing run the annotated transcript
// in the manner of FileCheck's --dump-input: every line with its time in ms and in units, the
// directives it matched, where matching stopped, and every broken time bound with bound, value
// and miss.
std::string render_text(const CaseResult& result, bool transcript);

// The annotated transcript of one run alone.
std::string render_transcript(const CaseResult& result, std::size_t run_index);

// JSON: {"conkit": version, "cases": [...]} with every run, its lines, facts, grades.
nlohmann::json to_json(const std::vector<CaseResult>& results);

// JUnit XML: one <testcase> per case; FAIL/TIMEOUT/CRASH/FLOOD/FLAKY/ERROR/INVALID as <failure>,
// SKIP as <skipped>.
std::string to_junit(const std::vector<CaseResult>& results, const std::string& suite_name);

// Writes text to a file, creating parent directories; throws std::runtime_error on failure.
void write_file(const std::string& path, const std::string& text);

}  // namespace conkit
