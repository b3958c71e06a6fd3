// sanitizer.cpp — finds sanitizer report blocks in a run's stderr.
//
// Report shapes (compiler-rt):
//   TSan   "WARNING: ThreadSanitizer: data race (pid=N)" ... "SUMMARY: ThreadSanitizer: ..." "=================="
//   ASan   "==N==ERROR: AddressSanitizer: heap-use-after-free on address ..." ... "SUMMARY: ..." ... "==N==ABORTING"
//   LSan   "==N==ERROR: LeakSanitizer: detected memory leaks" ... "SUMMARY: AddressSanitizer: 4 byte(s) leaked ..."
//   UBSan  "file:line:col: runtime error: message" [frames] ["SUMMARY: UndefinedBehaviorSanitizer: ..."]
#include "sanitizer.hpp"

#include <signal.h>

#include <algorithm>
#include <cctype>
#include <string_view>
#include <utility>

namespace conkit {
namespace {

constexpr std::string_view kUbsanMarker = ": runtime error: ";

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// "==================" (TSan) or "=====...=====" (ASan): a separator around a report.
bool is_separator(std::string_view s) {
  s = trim(s);
  return s.size() >= 10 && s.find_first_not_of('=') == std::string_view::npos;
}

// "==123==ABORTING"
bool is_aborting(std::string_view s) {
  s = trim(s);
  return starts_with(s, "==") && s.size() > 10 && s.substr(s.size() - 10) == "==ABORTING";
}

// A report's first line: "(WARNING|ERROR): <Tool>Sanitizer: <rest>". Returns {tool, rest}.
std::optional<std::pair<std::string, std::string>> report_start(std::string_view line) {
  for (std::string_view level : {"WARNING: ", "ERROR: "}) {
    std::size_t at = line.find(level);
    if (at == std::string_view::npos) continue;
    std::string_view after = line.substr(at + level.size());
    std::size_t colon = after.find(": ");
    if (colon == std::string_view::npos) continue;
    std::string_view tool = after.substr(0, colon);
    bool word = !tool.empty() && std::all_of(tool.begin(), tool.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c));
    });
    if (!word || tool.size() <= 9 || tool.substr(tool.size() - 9) != "Sanitizer") continue;
    if (level == "WARNING: " && tool != "ThreadSanitizer") continue;  // ASan WARNINGs are not reports
    return std::pair{std::string(tool), std::string(trim(after.substr(colon + 2)))};
  }
  return std::nullopt;
}

bool is_ubsan_start(std::string_view line) { return line.find(kUbsanMarker) != std::string_view::npos; }

// "heap-use-after-free on address 0x.. at pc .." -> "heap-use-after-free"; "data race (pid=1)" -> "data race".
std::string kind_of(std::string_view rest) {
  if (std::size_t pid = rest.rfind(" (pid="); pid != std::string_view::npos) rest = rest.substr(0, pid);
  if (std::size_t on = rest.find(" on "); on != std::string_view::npos) rest = rest.substr(0, on);
  return std::string(trim(rest));
}

// "SUMMARY: AddressSanitizer: heap-use-after-free /src/a.cpp:5:10 in main" -> "/src/a.cpp:5:10 in main".
std::string summary_location(std::string_view summary, const std::string& tool, const std::string& kind) {
  std::string head = "SUMMARY: ";
  std::size_t at = summary.find(head);
  if (at == std::string_view::npos) return {};
  std::string_view rest = summary.substr(at + head.size());
  if (std::size_t colon = rest.find(": "); colon != std::string_view::npos) rest = rest.substr(colon + 2);
  if (!kind.empty() && starts_with(rest, kind)) rest.remove_prefix(kind.size());
  else if (tool == "LeakSanitizer") return {};  // "4 byte(s) leaked ..." names no place
  return std::string(trim(rest));
}

struct Block {
  std::size_t first, last;  // positions in the stderr index list
};

}  // namespace

std::vector<SanitizerReport> find_sanitizer_reports(const Transcript& lines) {
  std::vector<std::size_t> err;  // indices of stderr lines in `lines` (merged lines hold stderr too)
  std::size_t i = 0;
  for (LineView l : lines) {  // in order: the iterator does not seek (a flood has 30M lines)
    if (l.stream == Stream::err || l.stream == Stream::merged) err.push_back(i);
    ++i;
  }
  auto text = [&](std::size_t e) -> std::string_view { return lines[err[e]].text; };
  auto starts_report = [&](std::size_t e) { return report_start(text(e)) || is_ubsan_start(text(e)); };

  std::vector<SanitizerReport> reports;
  std::size_t e = 0;
  while (e < err.size()) {
    SanitizerReport rep;
    std::size_t end = e;  // last line of the block
    std::string summary;
    if (auto start = report_start(text(e))) {
      rep.tool = start->first;
      rep.kind = kind_of(start->second);
      // The block runs to its terminator, or to the line before the next report.
      std::size_t limit = e + 1;
      while (limit < err.size() && !starts_report(limit)) ++limit;  // first line not in the block
      end = limit - 1;
      std::optional<std::size_t> summary_at, terminator_at;
      for (std::size_t j = e + 1; j < limit; ++j) {
        std::string_view t = text(j);
        if (!summary_at && starts_with(trim(t), "SUMMARY: ")) summary_at = j;
        if (rep.tool == "ThreadSanitizer" && is_separator(t)) { terminator_at = j; break; }
        if (rep.tool != "ThreadSanitizer" && is_aborting(t)) { terminator_at = j; break; }
      }
      if (terminator_at) end = *terminator_at;
      else if (summary_at) end = *summary_at;
      if (summary_at) summary = text(*summary_at);
    } else if (is_ubsan_start(text(e))) {
      std::string_view t = text(e);
      std::size_t at = t.find(kUbsanMarker);
      rep.tool = "UndefinedBehaviorSanitizer";
      rep.location = std::string(trim(t.substr(0, at)));
      std::string_view message = t.substr(at + kUbsanMarker.size());
      std::size_t colon = message.find(": ");
      rep.kind = std::string(trim(colon == std::string_view::npos ? message : message.substr(0, colon)));
      // Frames, notes and the summary that follow belong to it.
      while (end + 1 < err.size() && !starts_report(end + 1)) {
        std::string_view next = trim(text(end + 1));
        if (!(starts_with(next, "#") || next.find(": note: ") != std::string_view::npos ||
              starts_with(next, "SUMMARY: UndefinedBehaviorSanitizer")))
          break;
        ++end;
      }
    } else {
      ++e;
      continue;
    }

    std::size_t first = e;
    if (first > 0 && is_separator(text(first - 1)) && rep.tool != "UndefinedBehaviorSanitizer") --first;
    rep.first_line = err[first];
    rep.last_line = err[end];
    for (std::size_t j = first; j <= end; ++j) {
      std::string_view t = text(j);
      std::string_view tt = trim(t);
      if (rep.first_frame.empty() && starts_with(tt, "#0 ")) rep.first_frame = std::string(tt);
      if (rep.location.empty() && starts_with(tt, "Location is "))
        rep.location = std::string(tt.substr(std::string_view("Location is ").size()));
      if (!rep.text.empty()) rep.text += '\n';
      rep.text += t;
    }
    if (rep.location.empty() && !summary.empty()) rep.location = summary_location(summary, rep.tool, rep.kind);
    reports.push_back(std::move(rep));
    e = end + 1;
  }
  return reports;
}

}  // namespace conkit
