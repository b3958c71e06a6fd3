// The expected-file model's text forms (conkit/expect.hpp): each to_string prints what the
// parser (expect/parser.cpp) reads back, and the sanitizer table names each tool once for
// printing, for sanitizer_tool() and for the options variable and defaults.
#include <string>

#include "conkit/expect.hpp"

#include "common/signals.hpp"
#include "expect/literals.hpp"
#include "expect/scanner.hpp"

namespace conkit {

namespace {

std::string escape_exact(const std::string& text) {
  std::string out;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (auto letter = expect_detail::escape_letter(ch)) {
      out += '\\';
      out += *letter;
    } else if (c < 0x20 || c == 0x7f) {
      out += expect_detail::hex_byte(c);
    } else {
      out += ch;
    }
  }
  return out;
}

}  // namespace

std::string SourceLoc::to_string() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(col);
}

std::string Matcher::to_string() const {
  std::string out;
  std::size_t u = 0;
  auto uses_at = [&](std::size_t i) {
    for (; u < uses.size() && uses[u].at <= i; ++u) out += "${" + uses[u].name + "}";
  };
  if (kind != Kind::regex) {
    out = kind == Kind::substring ? "~\"" : "\"";
    for (std::size_t i = 0; i < text.size(); ++i) {
      uses_at(i);
      if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') out += "\\$";
      else out += escape_exact(text.substr(i, 1));
    }
    uses_at(text.size());
    return out + "\"";
  }
  out = "/";
  for (std::size_t i = 0; i < text.size(); ++i) {
    uses_at(i);
    if (text[i] == '\\' && i + 1 < text.size()) {
      out += text.substr(i, 2);
      ++i;
    } else if (text[i] == '/') {
      out += "\\/";
    } else {
      out += text[i];
    }
  }
  uses_at(text.size());
  return out + "/";
}

std::string to_string(Adjacency a) {
  switch (a) {
    case Adjacency::after: return "";
    case Adjacency::next: return "-next";
    case Adjacency::same: return "-same";
    case Adjacency::empty: return "-empty";
  }
  return "";
}

namespace {
struct ToolNames {
  SanitizerTool tool;
  const char* name;
  const char* short_name;
  const char* variable;
  // conkit's defaults, before any `sanitizer-options:` (docs/expected-format.md says why each).
  const char* defaults;
};
constexpr ToolNames kTools[] = {
    {SanitizerTool::thread, "ThreadSanitizer", "tsan", "TSAN_OPTIONS",
     "exitcode=66:atexit_sleep_ms=0:second_deadlock_stack=1"},
    {SanitizerTool::address, "AddressSanitizer", "asan", "ASAN_OPTIONS",
     "exitcode=66:detect_leaks=1:abort_on_error=0"},
    {SanitizerTool::leak, "LeakSanitizer", "lsan", "LSAN_OPTIONS", "exitcode=66"},
    {SanitizerTool::undefined, "UndefinedBehaviorSanitizer", "ubsan", "UBSAN_OPTIONS",
     "exitcode=66:print_stacktrace=1"},
};
const ToolNames& tool_names(SanitizerTool t) {
  for (const auto& n : kTools)
    if (n.tool == t) return n;
  return kTools[0];
}
}  // namespace

std::string to_string(SanitizerTool t) { return tool_names(t).name; }
std::string short_name(SanitizerTool t) { return tool_names(t).short_name; }
std::string sanitizer_defaults(SanitizerTool t) { return tool_names(t).defaults; }
std::string sanitizer_options_variable(SanitizerTool t) { return tool_names(t).variable; }
std::optional<SanitizerTool> sanitizer_tool(const std::string& name) {
  for (const auto& n : kTools)
    if (name == n.name || name == n.short_name) return n.tool;
  return std::nullopt;
}

std::string ReportExpectation::to_string() const {
  std::string s = "report " + short_name(tool);
  if (kind) s += " " + kind->to_string();
  if (min != 1 || max != -1) {
    s += " x" + std::to_string(min);
    if (max != min) s += ".." + (max < 0 ? std::string() : std::to_string(max));
  }
  if (match) s += " match " + match->to_string();
  return s;
}

std::string to_string(CmpOp op) {
  switch (op) {
    case CmpOp::eq: return "==";
    case CmpOp::ne: return "!=";
    case CmpOp::lt: return "<";
    case CmpOp::le: return "<=";
    case CmpOp::gt: return ">";
    case CmpOp::ge: return ">=";
    case CmpOp::in_range: return "in";
  }
  return "?";
}

std::string EventRef::to_string() const {
  switch (kind) {
    case Kind::start: return "start";
    case Kind::end: return "end";
    case Kind::label: break;
  }
  return "@" + label + (last ? ".last" : "");
}

std::string to_string(OutcomeClass c) {
  static constexpr const char* kNames[] = {"ACCEPTABLE", "INTERESTING", "FORBIDDEN"};  // OutcomeClass order
  return kNames[static_cast<int>(c)];
}

std::string ExitExpectation::to_string() const {
  switch (kind) {
    case Kind::any: return "any";
    case Kind::nonzero: return "nonzero";
    case Kind::signal:
      if (const std::string name = signal_name(signal); name.rfind("SIG", 0) == 0) return "signal " + name;
      return "signal " + std::to_string(signal);
    case Kind::codes: break;
  }
  std::string out;
  for (int c : codes) out += (out.empty() ? "" : ", ") + std::to_string(c);
  return out;
}

std::string ParseError::to_string() const { return loc.to_string() + ": " + message; }

}  // namespace conkit
