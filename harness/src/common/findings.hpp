// common/findings.hpp — a grading finding as one line of text, the same in the grader's reasons
// and in every report.
#pragma once

#include <string>

#include "conkit/expect.hpp"
#include "conkit/grade.hpp"

namespace conkit {

// "file:line:col" (the column at least 1), "file" without a line, "" for no place at all.
std::string loc_text(const SourceLoc& loc);

// "file:line:col: message", or the message alone when the finding has no place.
std::string finding_text(const Finding& f);

}  // namespace conkit
