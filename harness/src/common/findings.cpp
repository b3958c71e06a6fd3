#include "common/findings.hpp"

#include <algorithm>

namespace conkit {

std::string loc_text(const SourceLoc& l) {
  if (l.file.empty() && l.line <= 0) return "";
  std::string s = l.file;
  if (l.line > 0) s += ":" + std::to_string(l.line) + ":" + std::to_string(std::max(l.col, 1));
  return s;
}

std::string finding_text(const Finding& f) {
  const std::string loc = loc_text(f.loc);
  return loc.empty() ? f.message : loc + ": " + f.message;
}

}  // namespace conkit
