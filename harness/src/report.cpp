// report.cpp — render CaseResults: a summary line per case, the annotated transcript of a failing
// run (FileCheck --dump-input style), the complete raw JSON, and JUnit XML. Every format reads the
// same CaseResult; nothing here re-grades.
#include "conkit/report.hpp"
#include "conkit/version.hpp"
#include "conkit/stdio.hpp"

#include "common/atomic_file.hpp"

#include "common/findings.hpp"
#include "common/signals.hpp"
#include "common/text.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

namespace conkit {
namespace {

// ---- shared helpers -----------------------------------------------------------------------------

const char* stream_word(Stream s) { return s == Stream::out ? "out" : s == Stream::err ? "err" : "merged"; }

std::string ending_text(const RunResult& r) {
  switch (r.ending) {
    case Ending::exited: return "exit " + std::to_string(r.exit_code);
    case Ending::signaled: return "killed by " + signal_name(r.signal);
    case Ending::timed_out: return "timed out";
    case Ending::flooded: return "flooded";
    case Ending::failed_to_start: return "failed to start";
    case Ending::limited: return "limit reached";
    case Ending::interrupted: return "interrupted";
  }
  return "?";
}

const char* ending_key(Ending e) {
  switch (e) {
    case Ending::exited: return "exited";
    case Ending::signaled: return "signaled";
    case Ending::timed_out: return "timed_out";
    case Ending::flooded: return "flooded";
    case Ending::failed_to_start: return "failed_to_start";
    case Ending::limited: return "limited";
    case Ending::interrupted: return "interrupted";
  }
  return "?";
}

bool run_failed(const RunGrade& g) { return g.status != Status::pass && g.status != Status::skip; }

// Columns a shown string takes (code points; good enough to line up annotations).
std::size_t width(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// ---- text -----------------------------------------------------------------------------------

std::string summary_line(const CaseResult& r) {
  std::string status = to_string(r.status);
  status.resize(std::max<std::size_t>(status.size() + 1, 6), ' ');
  std::string s = status + escape_for_display(r.name);
  if (r.status != Status::invalid) {
    s += fmt::format("  {} {}  {} ms  (u={}ms)", r.runs.size(), r.runs.size() == 1 ? "run" : "runs",
                     format_number(r.wall_ms, 0), format_number(r.unit_ms, 3));
    if (r.attempts > 1) s += fmt::format("  {} attempts", r.attempts);
    if (r.sanitizer != Sanitizer::none) s += "  [" + to_string(r.sanitizer) + "]";
  }
  s += "\n";
  if (!r.reason.empty() && r.status != Status::pass) s += "      " + escape_for_display(r.reason) + "\n";
  // What the runner saw that a reader must know with every status, PASS included (once each).
  std::set<std::string> said;
  for (const auto& run : r.runs)
    for (const auto& remark : run_remarks(run))
      if (said.insert(remark).second) s += "      note: " + escape_for_display(remark) + "\n";
  for (const auto& n : r.notes) s += "      note: " + escape_for_display(n) + "\n";
  return s;
}

std::string time_line(const CaseResult& r, const TimeMeasure& m) {
  const TimeCheck* tc = m.check < r.expect.times.size() ? &r.expect.times[m.check] : nullptr;
  std::string src = tc ? tc->source : "time #" + std::to_string(m.check);
  if (src.rfind("time", 0) != 0) src = "time " + src;
  std::string where = tc ? loc_text(tc->loc) + ": " : "";
  if (!m.ms) return where + src + ": not measured";
  std::string s = where + src + ": " + format_number(*m.ms / r.unit_ms, 2) + "u (" + format_number(*m.ms, 1) + " ms)";
  if (m.ok) return s + "  ok";
  return s + "  MISSED by " + format_number(m.miss_ms / r.unit_ms, 2) + "u (" + format_number(m.miss_ms, 1) + " ms)";
}

// The lines a dump is about: where matching stopped, the lines findings point at, the lines that
// broke a rule (at most kMaxMarks of them: a `not` that every line breaks must not dump them all).
std::vector<std::size_t> failure_marks(const RunResult& run, const RunGrade& g, std::size_t& unmarked) {
  constexpr std::size_t kMaxMarks = 50;
  const std::size_t n = run.lines.size();
  std::vector<std::size_t> marks;
  if (g.stopped_at) marks.push_back(std::min(*g.stopped_at, n - 1));
  for (const auto& f : g.failures)
    if (f.line && *f.line < n) marks.push_back(*f.line);
  auto problems = g.annotations.problem_lines();
  unmarked = problems.size() > kMaxMarks ? problems.size() - kMaxMarks : 0;
  marks.insert(marks.end(), problems.begin(), problems.begin() + static_cast<std::ptrdiff_t>(problems.size() - unmarked));
  std::sort(marks.begin(), marks.end());
  marks.erase(std::unique(marks.begin(), marks.end()), marks.end());
  return marks;
}

// Which lines a dump shows: all of them, or (failures) the first and last lines and the lines
// around each failure, like FileCheck's -dump-input-filter=error. Short transcripts show whole.
std::vector<bool> shown_lines(const RunResult& run, const RunGrade& g, const ReportOptions& o, std::size_t& unmarked) {
  const std::size_t n = run.lines.size();
  constexpr std::size_t kShowAll = 200;
  unmarked = 0;
  std::vector<bool> show(n, o.dump == Dump::all || n <= kShowAll);
  if (n == 0 || o.dump == Dump::all || n <= kShowAll) return show;
  for (std::size_t i = 0; i < std::min(n, o.ends); ++i) show[i] = show[n - 1 - i] = true;
  for (std::size_t m : failure_marks(run, g, unmarked))
    for (std::size_t i = m >= o.context ? m - o.context : 0; i <= std::min(n - 1, m + o.context); ++i) show[i] = true;
  return show;
}

// A line's text for the dump: escaped, and cut after ReportOptions::cut_bytes with its length shown.
std::string dump_text(std::string_view raw, std::size_t cut_bytes) {
  if (cut_bytes == 0 || raw.size() <= cut_bytes) return escape_for_display(raw);
  std::size_t cut = cut_bytes;
  while (cut > 0 && (static_cast<unsigned char>(raw[cut]) & 0xC0) == 0x80) --cut;  // whole code points
  return escape_for_display(raw.substr(0, cut)) + fmt::format(" [... cut: the line has {} bytes]", raw.size());
}

std::string stop_marker(const RunGrade& g, std::size_t at, std::size_t lines, std::size_t indent) {
  std::string why;
  for (const auto& f : g.failures)
    if (f.line == at || (!f.line && at >= lines)) {
      why = finding_text(f);
      break;
    }
  std::string s(indent, ' ');
  s += at >= lines ? "^ matching stopped at the end of the output" : "v matching stopped here";
  if (!why.empty()) s += ": " + escape_for_display(why);
  return s + "\n";
}

}  // namespace

std::string render_transcript(const CaseResult& result, std::size_t run_index, const ReportOptions& options) {
  if (run_index >= result.runs.size()) return "";
  const RunResult& run = result.runs[run_index];
  static const RunGrade kNoGrade;
  const RunGrade& g = run_index < result.grades.size() ? result.grades[run_index] : kNoGrade;
  const double u = result.unit_ms > 0 ? result.unit_ms : 100;
  std::string s = fmt::format("--- {} run {} of {}: {}  ({}, end {} ms, wall {} ms)\n", escape_for_display(result.name),
                              run_index + 1, result.runs.size(), to_string(g.status), ending_text(run),
                              format_number(run.end_ms, 1), format_number(run.wall_ms, 1));
  if (run.ending == Ending::failed_to_start) s += "  " + escape_for_display(run.start_error) + "\n";
  if (!run.containment.empty() || run.peak_memory_bytes || run.cpu_ms)
    s += fmt::format("  containment {}{}; peak memory {}; cpu {} ms{}\n", run.containment.empty() ? "?" : run.containment,
                     run.containment_note.empty() ? "" : " (" + escape_for_display(run.containment_note) + ")",
                     run.peak_memory_bytes ? format_number(static_cast<double>(*run.peak_memory_bytes) / (1024.0 * 1024.0), 1) + " MiB" : "?",
                     run.cpu_ms ? format_number(*run.cpu_ms, 1) : "?",
                     run.limit_mechanism.empty() ? "" : "; limits by " + run.limit_mechanism);

  const std::size_t prefix = std::string("[  103.2 ms  1.03u] out| ").size();
  const std::size_t count = run.lines.size();
  std::size_t unmarked = 0;
  auto show = shown_lines(run, g, options, unmarked);
  std::size_t elided = 0;
  auto flush_elided = [&] {
    if (elided) s += fmt::format("  ... {} {} not shown\n", elided, elided == 1 ? "line" : "lines");
    elided = 0;
  };
  std::size_t i = 0;
  for (LineView l : run.lines) {
    if (g.stopped_at == i) {
      flush_elided();
      s += stop_marker(g, i, count, prefix);
    }
    if (!show[i++]) {
      ++elided;
      continue;
    }
    flush_elided();
    std::string text = dump_text(l.text, options.cut_bytes);
    std::string line = fmt::format("[{:>7.1f} ms {:>5.2f}u] {}| {}", l.t_ms, l.t_ms / u, stream_word(l.stream), text);
    auto notes = g.annotations.at(i - 1);
    if (!notes.empty()) {
      const std::size_t w = width(text);
      line += std::string(w < 36 ? 40 - w : 4, ' ') + "<- ";
      for (std::size_t k = 0; k < notes.size(); ++k) line += (k ? "; " : "") + escape_for_display(notes[k]);
    }
    s += line + "\n";
  }
  flush_elided();
  if (unmarked) s += fmt::format("  ({} more lines broke a rule; --dump all shows them)\n", unmarked);
  if (run.lines.empty()) s += "  (no output)\n";
  if (g.stopped_at && *g.stopped_at >= count) s += stop_marker(g, *g.stopped_at, count, prefix);

  for (const auto& f : g.failures) s += escape_for_display(finding_text(f)) + "\n";
  if (g.outcome_class) {
    std::string rule = "unlisted outcome";
    if (g.outcome_rule && *g.outcome_rule < result.expect.outcomes.size()) {
      const auto& o = result.expect.outcomes[*g.outcome_rule];
      rule = "\"" + o.description + "\" (" + loc_text(o.loc) + ")";
    }
    s += "outcome: " + to_string(*g.outcome_class) + " " + escape_for_display(rule) + ": " +
         escape_for_display(g.outcome_values) + "\n";
  }
  for (const auto& rep : run.sanitizer_reports) {
    std::string where = rep.location.empty() ? rep.first_frame : rep.location;
    s += fmt::format("sanitizer: {}: {}{} (lines {}..{})\n", rep.tool, rep.kind, where.empty() ? "" : " at " + where,
                     rep.first_line + 1, rep.last_line + 1);
  }
  if (!g.times.empty()) {
    s += "times:\n";
    for (const auto& m : g.times) s += "  " + escape_for_display(time_line(result, m)) + "\n";
  }
  for (const auto& n : g.notes) s += "note: " + escape_for_display(n) + "\n";
  for (const auto& n : run.notes) s += "note: " + escape_for_display(n) + "\n";
  return s;
}

std::string render_text(const CaseResult& result, bool transcript, const ReportOptions& o) {
  std::string s = summary_line(result);
  if (!transcript) return s;
  for (const auto& e : result.parse_errors) s += "  " + escape_for_display(e.to_string()) + "\n";
  for (const auto& f : result.failures) s += "  " + escape_for_display(finding_text(f)) + "\n";
  if (!result.median_times.empty()) {
    s += "  median times:\n";
    for (const auto& m : result.median_times) s += "    " + escape_for_display(time_line(result, m)) + "\n";
  }
  for (std::size_t i = 0; i < result.runs.size(); ++i)
    if (i < result.grades.size() && run_failed(result.grades[i])) {
      if (o.dump != Dump::none) s += render_transcript(result, i, o);
      else for (const auto& f : result.grades[i].failures) s += "  " + escape_for_display(finding_text(f)) + "\n";
    }
  return s;
}

// ---- JSON -------------------------------------------------------------------------------------

namespace {

using nlohmann::json;

std::string hex(std::string_view s) {
  std::string h;
  for (unsigned char c : s) h += fmt::format("{:02x}", c);
  return h;
}

json opt(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json loc_json(const SourceLoc& l) { return {{"file", json_text(l.file)}, {"line", l.line}, {"col", l.col}}; }

json finding_json(const Finding& f) {
  return {{"loc", loc_json(f.loc)}, {"message", json_text(f.message)},
          {"line", f.line ? json(*f.line) : json(nullptr)}, {"text", json_text(finding_text(f))}};
}

json measure_json(const TimeMeasure& m) {
  return {{"check", m.check}, {"ms", opt(m.ms)}, {"bound_lo_ms", m.bound_lo_ms}, {"bound_hi_ms", m.bound_hi_ms},
          {"ok", m.ok}, {"miss_ms", m.miss_ms}};
}

json strings(const std::vector<std::string>& v) {
  json a = json::array();
  for (const auto& s : v) a.push_back(json_text(s));
  return a;
}

// ---- the output section and the run environment of an expected file, echoed whole ----

json matcher_json(const Matcher& m) {
  static constexpr const char* kinds[] = {"exact", "regex", "substring"};
  json j = {{"kind", kinds[static_cast<int>(m.kind)]}, {"text", json_text(m.text)}, {"source", json_text(m.to_string())}};
  if (!m.uses.empty()) {
    j["uses"] = json::array();
    for (const auto& u : m.uses) j["uses"].push_back({{"at", u.at}, {"name", json_text(u.name)}});
  }
  if (!m.binds.empty()) j["binds"] = strings(m.binds);
  return j;
}

json count_json(const Count& c) { return c.fact.empty() ? json(c.value) : json("$" + c.fact); }

json line_check_json(const LineCheck& c) {
  return {{"loc", loc_json(c.loc)},
          {"check", std::string(stream_word(c.stream)) + to_string(c.adjacency)},
          {"matcher", c.adjacency == Adjacency::empty ? json(nullptr) : matcher_json(c.matcher)},
          {"times", count_json(c.times)},
          {"label", json_text(c.label)}};
}

json steps_json(const std::vector<OutputStep>& steps) {
  json a = json::array();
  for (const auto& step : steps) {
    if (auto* lc = std::get_if<LineCheck>(&step)) {
      a.push_back(line_check_json(*lc));
    } else if (auto* g = std::get_if<AnyOrderGroup>(&step)) {
      json lines = json::array();
      for (const auto& l : g->lines) lines.push_back(line_check_json(l));
      a.push_back({{"loc", loc_json(g->loc)}, {"check", "any-order"}, {"label", json_text(g->label)}, {"lines", lines}});
    } else {
      const auto& n = std::get<RangedNot>(step);
      a.push_back({{"loc", loc_json(n.loc)}, {"check", std::string(stream_word(n.stream)) + "-not"},
                   {"matcher", matcher_json(n.matcher)}});
    }
  }
  return a;
}

void add_output_checks_json(json& j, const ExpectFile& e) {
  j["race_match"] = e.race_match ? matcher_json(*e.race_match) : json(nullptr);
  j["timeout_units"] = opt(e.timeout_units);
  j["repeat_budget_ms"] = opt(e.repeat_budget_ms);
  j["repeat_budget_units"] = opt(e.repeat_budget_units);
  j["env"] = json::array();
  for (const auto& [k, v] : e.env) j["env"].push_back({{"name", json_text(k)}, {"value", json_text(v)}});
  j["inherit"] = strings(e.inherit);
  j["sanitizer_options"] = json::array();
  for (const auto& [tool, options] : e.sanitizer_options)
    j["sanitizer_options"].push_back({{"tool", short_name(tool)}, {"options", json_text(options)},
                                      {"variable", sanitizer_options_variable(tool)}});
  j["steps"] = steps_json(e.steps);
  j["nots"] = json::array();
  for (const auto& n : e.nots)
    j["nots"].push_back({{"loc", loc_json(n.loc)}, {"stream", stream_word(n.stream)},
                         {"matcher", matcher_json(n.matcher)}});
  j["counts"] = json::array();
  for (const auto& c : e.counts)
    j["counts"].push_back({{"loc", loc_json(c.loc)}, {"stream", stream_word(c.stream)},
                           {"matcher", matcher_json(c.matcher)}, {"op", json_text(to_string(c.op))},
                           {"n", count_json(c.n)}, {"n_hi", c.op == CmpOp::in_range ? count_json(c.n_hi) : json(nullptr)}});
  j["reports"] = json::array();
  for (const auto& r : e.reports)
    j["reports"].push_back({{"loc", loc_json(r.loc)}, {"tool", to_string(r.tool)},
                            {"kind", r.kind ? matcher_json(*r.kind) : json(nullptr)},
                            {"match", r.match ? matcher_json(*r.match) : json(nullptr)},
                            {"min", r.min}, {"max", r.max < 0 ? json(nullptr) : json(r.max)},
                            {"block", steps_json(r.checks)}, {"from_race_header", r.from_race_header},
                            {"source", json_text(r.to_string())}});
}

json expect_json(const ExpectFile& e) {
  json j = {{"path", json_text(e.path)},         {"scenario", json_text(e.scenario)}, {"model", json_text(e.model)},
            {"claims", strings(e.claims)},   {"proves", json_text(e.proves)},     {"exit", json_text(e.exit.to_string())},
            {"repeat", e.repeat},            {"timing", e.timing_median ? "median" : "all"},
            {"marker", json_text(e.marker)},     {"race", e.race_expected ? "expected" : "forbidden"},
            {"deflake", e.deflake},          {"timeout_ms", e.timeout_ms}};
  j["stdio"] = e.stdio ? json(to_string(*e.stdio)) : json(nullptr);
  j["times"] = json::array();
  for (const auto& t : e.times)
    j["times"].push_back({{"loc", loc_json(t.loc)}, {"source", json_text(t.source)}, {"lo", t.lo}, {"hi", t.hi},
                          {"in_units", t.in_units}, {"op", json_text(to_string(t.op))}});
  j["outcomes"] = json::array();
  for (const auto& o : e.outcomes)
    j["outcomes"].push_back({{"loc", loc_json(o.loc)}, {"class", to_string(o.cls)},
                             {"description", json_text(o.description)}, {"must_see", o.must_see},
                             {"source", json_text(o.source)}});
  j["requirements"] = json::array();
  for (const auto& q : e.requirements)
    j["requirements"].push_back(
        {{"loc", loc_json(q.loc)}, {"description", json_text(q.description)}, {"source", json_text(q.source)}});
  add_output_checks_json(j, e);  // the format engineer's part: output checks, reports, env
  return j;
}

json fact_json(const FactView& f) {
  json value = json::parse(f.value_json, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) value = json_text(f.value_json);
  json j = {{"name", json_text(f.name)}, {"value", value}, {"t_ms", f.t_ms}, {"inner_ms", opt(f.inner_ms)}};
  j["pid"] = f.pid ? json(*f.pid) : json(nullptr);
  j["tid"] = f.tid ? json(*f.tid) : json(nullptr);
  return j;
}

json grade_json(const RunGrade& g, const ExpectFile& e, const std::vector<bool>& kept) {
  json j = {{"status", to_string(g.status)}, {"skip_reason", json_text(g.skip_reason)}, {"race_seen", g.race_seen}, {"reports_seen", g.reports_seen},
            {"outcome_values", json_text(g.outcome_values)}};
  j["failures"] = json::array();
  for (const auto& f : g.failures) j["failures"].push_back(finding_json(f));
  j["notes"] = strings(g.notes);
  j["outcome_rule"] = g.outcome_rule ? json(*g.outcome_rule) : json(nullptr);
  j["outcome_class"] = g.outcome_class ? json(to_string(*g.outcome_class)) : json(nullptr);
  j["outcome_description"] = g.outcome_rule && *g.outcome_rule < e.outcomes.size()
                                 ? json(json_text(e.outcomes[*g.outcome_rule].description))
                                 : json(nullptr);
  j["times"] = json::array();
  for (const auto& m : g.times) j["times"].push_back(measure_json(m));
  j["annotations"] = json::array();  // sparse: only lines that have some, of the lines kept
  for (std::size_t i = 0; i < kept.size(); ++i)
    if (kept[i] && g.annotations.has(i)) j["annotations"].push_back({{"line", i}, {"notes", strings(g.annotations.at(i))}});
  j["stopped_at"] = g.stopped_at ? json(*g.stopped_at) : json(nullptr);
  return j;
}

// How the case was contained and limited, what it used and what was left of it (the runner's part).
json containment_json(const RunResult& r) {
  json strays = json::array();
  for (const auto& st : r.strays)
    strays.push_back({{"pid", st.pid}, {"command", json_text(st.command)}, {"left_group", st.left_group}});
  json j = {{"mode", r.containment},
            {"note", json_text(r.containment_note)},
            {"limit_mechanism", r.limit_mechanism},
            {"limit", json_text(r.limit)},
            {"peak_memory_bytes", r.peak_memory_bytes ? json(*r.peak_memory_bytes) : json(nullptr)},
            {"cpu_ms", r.cpu_ms ? json(*r.cpu_ms) : json(nullptr)},
            {"usage_source", r.usage_source},
            {"bad_fact_lines", r.bad_fact_lines},
            {"strays", std::move(strays)}};
  return j;
}

json run_json(const RunResult& r, const std::vector<bool>& kept) {
  json j = {{"ending", ending_key(r.ending)},
            {"exit_code", r.exit_code},
            {"signal", r.signal},
            {"signal_name", r.signal ? signal_name(r.signal) : ""},
            {"start_error", json_text(r.start_error)},
            {"end_ms", r.end_ms},
            {"wall_ms", r.wall_ms},
            {"spawn_ns", r.spawn_ns},
            {"truncated", {{"out", r.truncated_out}, {"err", r.truncated_err}, {"facts", r.truncated_facts}}},
            {"pipe_held_after_exit", r.pipe_held_after_exit},
            {"stray_processes_killed", r.stray_processes_killed},
            {"containment", containment_json(r)},
            {"notes", strings(r.notes)},
            {"bad_facts", strings(r.bad_facts)}};
  j["lines"] = json::array();
  std::size_t i = 0, left_out = 0;
  for (LineView l : r.lines) {
    if (!kept[i]) {
      ++i, ++left_out;
      continue;
    }
    json jl = {{"i", i++}, {"stream", stream_word(l.stream)}, {"t_ms", l.t_ms}, {"text", json_text(l.text)}};
    if (!valid_utf8(l.text)) jl["hex"] = hex(l.text);  // the exact bytes
    j["lines"].push_back(std::move(jl));
  }
  j["lines_total"] = r.lines.size();
  j["lines_left_out"] = left_out;  // --keep-lines: see kept_lines()
  j["facts"] = json::array();
  for (FactView f : r.facts) j["facts"].push_back(fact_json(f));
  j["sanitizer_reports"] = json::array();
  for (const auto& s : r.sanitizer_reports)
    j["sanitizer_reports"].push_back({{"tool", s.tool},
                                      {"kind", json_text(s.kind)},
                                      {"first_frame", json_text(s.first_frame)},
                                      {"location", json_text(s.location)},
                                      {"first_line", s.first_line},
                                      {"last_line", s.last_line},
                                      {"text", json_text(s.text)}});
  return j;
}

// The lines the JSON keeps: all if they fit in ReportOptions::keep_lines; else the
// lines around each failure, the first and last tenth of the budget, the annotated lines in order,
// and then more of the head and the tail until the budget is spent.
std::vector<bool> kept_lines(const RunResult& r, const RunGrade* g, const ReportOptions& o) {
  const std::size_t n = r.lines.size();
  if (n <= o.keep_lines) return std::vector<bool>(n, true);
  std::vector<bool> keep(n, false);
  std::size_t budget = o.keep_lines;
  auto take = [&](std::size_t i) {
    if (budget > 0 && i < n && !keep[i]) keep[i] = true, --budget;
  };
  if (g) {
    std::size_t unmarked = 0;
    for (std::size_t m : failure_marks(r, *g, unmarked))
      for (std::size_t i = m >= o.context ? m - o.context : 0; i <= m + o.context; ++i) take(i);
  }
  const std::size_t ends = o.keep_lines / 10;
  for (std::size_t i = 0; i < ends; ++i) take(i), take(n - 1 - i);
  if (g) g->annotations.for_each_line([&](std::size_t line) { take(line); return budget > 0; });
  for (std::size_t i = ends; budget > 0 && i < n; ++i) take(i), take(n - 1 - i);
  return keep;
}

json case_json(const CaseResult& r, const ReportOptions& o) {
  json j = {{"name", json_text(r.name)},     {"expect_path", json_text(r.expect_path)}, {"status", to_string(r.status)},
            {"reason", json_text(r.reason)}, {"unit_ms", r.unit_ms},                {"sanitizer", to_string(r.sanitizer)},
            {"attempts", r.attempts},    {"wall_ms", r.wall_ms},                {"expect", expect_json(r.expect)}};
  j["stdio"] = to_string(r.stdio);
  j["notes"] = strings(r.notes);
  j["failures"] = json::array();
  for (const auto& f : r.failures) j["failures"].push_back(finding_json(f));
  j["median_times"] = json::array();
  for (const auto& m : r.median_times) j["median_times"].push_back(measure_json(m));
  j["parse_errors"] = json::array();
  for (const auto& e : r.parse_errors)
    j["parse_errors"].push_back(
        {{"loc", loc_json(e.loc)}, {"message", json_text(e.message)}, {"text", json_text(e.to_string())}});
  j["runs"] = json::array();
  for (std::size_t i = 0; i < r.runs.size(); ++i) {
    const RunGrade* g = i < r.grades.size() ? &r.grades[i] : nullptr;
    const auto kept = kept_lines(r.runs[i], g, o);
    json run = run_json(r.runs[i], kept);
    run["grade"] = g ? grade_json(*g, r.expect, kept) : json(nullptr);
    j["runs"].push_back(std::move(run));
  }
  return j;
}

}  // namespace

nlohmann::json to_json(const std::vector<CaseResult>& results, const ReportOptions& o) {
  json j = {{"conkit", version()}, {"cases", json::array()}};
  for (const auto& r : results) j["cases"].push_back(case_json(r, o));
  return j;
}

// ---- JUnit ------------------------------------------------------------------------------------

namespace {

std::string seconds(double ms) { return fmt::format("{:.3f}", ms / 1000); }

}  // namespace

std::string to_junit(const std::vector<CaseResult>& results, const std::string& suite_name) {
  std::size_t failures = 0, skipped = 0;
  double total_ms = 0;
  for (const auto& r : results) {
    if (r.status == Status::skip) ++skipped;
    else if (r.status != Status::pass) ++failures;
    total_ms += r.wall_ms;
  }
  const std::string suite = xml_escape(suite_name, true);
  std::string s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  s += fmt::format("<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{}\">\n",
                   suite, results.size(), failures, skipped, seconds(total_ms));
  s += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{}\">\n",
                   suite, results.size(), failures, skipped, seconds(total_ms));
  for (const auto& r : results) {
    const std::string scenario = r.expect.scenario.empty() ? r.name.substr(0, r.name.find('/')) : r.expect.scenario;
    s += fmt::format("    <testcase name=\"{}\" classname=\"{}\" time=\"{}\">\n", xml_escape(r.name, true),
                     xml_escape(suite_name + "." + scenario, true), seconds(r.wall_ms));
    const std::string reason = r.reason.empty() ? to_string(r.status) : r.reason;
    if (r.status == Status::skip) {
      s += fmt::format("      <skipped message=\"{}\"/>\n", xml_escape(reason, true));
    } else if (r.status != Status::pass) {
      s += fmt::format("      <failure type=\"{}\" message=\"{}\">{}</failure>\n", to_string(r.status),
                       xml_escape(reason, true), xml_escape(render_text(r, true), false));
    }
    s += fmt::format("      <system-out>{}</system-out>\n", xml_escape(summary_line(r), false));
    s += "    </testcase>\n";
  }
  s += "  </testsuite>\n</testsuites>\n";
  return s;
}

void write_file(const std::string& path, const std::string& text) {
  write_file_atomically(path, text);  // a temporary file in the same directory, then rename(2)
}

}  // namespace conkit
