// options.hpp — the command line's option groups (private to harness/cli): what each subcommand
// accepts, turned into the library's option structs. No grading or deciding happens here.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "conkit/case_reports.hpp"
#include "conkit/grade.hpp"
#include "conkit/paths.hpp"
#include "conkit/report.hpp"
#include "conkit/run.hpp"
#include "conkit/stdio.hpp"
#include "conkit/verify.hpp"
#include "stop_signals.hpp"

namespace conkit::cli {

// "100ms", "2s", "0.5s" or a bare number of milliseconds: the runner's duration form. (A std::regex
// here cost a quarter of `conkit check`'s user-space instructions, in every run.)
inline double parse_unit_ms(const std::string& text) {
  const bool bare = !text.empty() && text.find_first_not_of("0123456789. ") == std::string::npos;
  std::optional<double> v = parse_duration_ms(bare ? text + "ms" : text);
  if (!v) throw CLI::ValidationError("--unit", "expected e.g. 100ms or 2s, got '" + text + "'");
  if (*v < 1) throw CLI::ValidationError("--unit", "the unit must be at least 1ms");
  return *v;
}

inline std::optional<Status> parse_status(const std::string& s) {
  for (Status st : {Status::pass, Status::fail, Status::flaky, Status::timeout, Status::crash, Status::flood,
                    Status::skip, Status::invalid, Status::error, Status::limit, Status::interrupted})
    if (to_string(st) == s) return st;
  return std::nullopt;
}

// The command line that reruns this `conkit check` with a terminal for stdout: argv, shell-quoted,
// with any --stdio option left out and `--stdio pty` after `check` (nothing after `--` is touched).
inline std::string pty_rerun_command(int argc, char** argv) {
  std::string cmd = shell_quote(argv[0]);
  bool after_dashes = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (!after_dashes && a == "--stdio" && i + 1 < argc) { ++i; continue; }
    if (!after_dashes && a.rfind("--stdio=", 0) == 0) continue;
    cmd += " " + shell_quote(a);
    if (!after_dashes && a == "check") cmd += " --stdio pty";
    if (a == "--") after_dashes = true;
  }
  return cmd;
}

inline nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  try {
    return nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": not valid JSON: " + e.what());
  }
}

// Options shared by check, run and verify (report takes --junit only).
struct Common {
  std::string unit = "100ms";
  std::optional<int> repeat;
  std::optional<double> timeout_s;
  int retries = 0;
  Sanitizer sanitizer = *sanitizer_from_string(CONKIT_BUILD_SANITIZER);
  std::string json, junit;
  bool quiet = false;
  std::string containment = "auto";
  std::string memory_limit, output_limit, cpu_limit;
  std::optional<std::uint64_t> process_limit;
  std::string stdio;  // empty: the expected file's `stdio:`, else pipe

  void add_to(CLI::App& app) {
    app.add_option("--unit", unit, "Time unit u, e.g. 100ms or 2s (env CONKIT_UNIT_MS: a number of ms, what cases are given)")
        ->envname("CONKIT_UNIT_MS")
        ->capture_default_str();
    app.add_option("--repeat", repeat, "Runs per case (overrides the expected file's `repeat`)")->check(CLI::PositiveNumber);
    app.add_option("--timeout", timeout_s, "Per-run timeout in seconds (overrides the expected file's `timeout`)")
        ->check(CLI::PositiveNumber);
    app.add_option("--retries", retries, "Reruns of a failed case; a pass on retry is reported FLAKY, never PASS")
        ->check(CLI::NonNegativeNumber)->capture_default_str();
    app.add_option("--sanitizer", sanitizer, "What the program was built with: none, tsan, asan")
        ->transform(CLI::CheckedTransformer(std::map<std::string, Sanitizer>{
            {"none", Sanitizer::none}, {"tsan", Sanitizer::tsan}, {"asan", Sanitizer::asan}}))
        ->default_str(to_string(sanitizer));
    app.add_option("--json", json, "Write the raw results as JSON to this file");
    app.add_option("--junit", junit, "Write JUnit XML to this file");
    app.add_flag("-q,--quiet", quiet, "Print only the summary lines, no transcripts");
    app.add_option("--containment", containment, "How a case is kept from outliving the run: auto (a PID "
                   "namespace when allowed, else subreaper), pid-namespace, subreaper")
        ->check(CLI::IsMember({"auto", "pid-namespace", "subreaper"}))->capture_default_str();
    app.add_option("--memory-limit", memory_limit, "Memory of the whole case, e.g. 512MiB (overrides `memory-limit:`; "
                   "default half of physical memory)");
    app.add_option("--process-limit", process_limit, "Processes of the case at once (overrides `process-limit:`; default 4096)")
        ->check(CLI::PositiveNumber);
    app.add_option("--cpu-limit", cpu_limit, "CPU time of the whole case, e.g. 2s (overrides `cpu-limit:`; default none)");
    app.add_option("--output-limit", output_limit, "Bytes per output stream, e.g. 64MiB (overrides `output-limit:`; default 64MiB)");
    app.add_option("--stdio", stdio,
                   "How the program's stdout and stderr are connected (overrides the file's `stdio:`; default "
                   "pipe): pipe (two pipes), pty (stdout is a pseudo-terminal, so C stdio, Python and most "
                   "runtimes write each line as it is printed; stderr stays a pipe; TERM=dumb), merged (stdout "
                   "and stderr on one pipe, in the program's order, checked with `merged` lines)")
        ->check(CLI::IsMember({"pipe", "pty", "merged"}));
  }

  static std::uint64_t size_option(const std::string& name, const std::string& text) {
    auto v = parse_size(text);
    if (!v || *v == 0) throw CLI::ValidationError(name, "expected a size such as 512KiB, 64MiB or 2GiB, got '" + text + "'");
    return *v;
  }

  CheckOptions check_options() const {
    CheckOptions o;
    o.run.unit_ms = parse_unit_ms(unit);
    o.repeat = repeat;
    if (timeout_s) o.timeout_ms = *timeout_s * 1000;
    o.retries = retries;
    o.sanitizer = sanitizer;
    o.run.cancel = &interrupted;
    o.run.containment = *parse_containment(containment);
    if (!memory_limit.empty()) o.memory_limit = size_option("--memory-limit", memory_limit);
    if (!output_limit.empty()) o.output_limit = size_option("--output-limit", output_limit);
    if (process_limit) o.process_limit = *process_limit;
    if (!cpu_limit.empty()) {
      auto v = parse_duration_ms(cpu_limit);
      if (!v || *v <= 0) throw CLI::ValidationError("--cpu-limit", "expected a CPU time such as 500ms or 2s, got '" + cpu_limit + "'");
      o.cpu_limit_ms = *v;
    }
    if (!stdio.empty()) o.stdio = parse_stdio_mode(stdio);
    return o;
  }

  ReportFiles files() const { return {json, junit}; }

  // --json and --junit, for cases and for claims alike; after a stop signal both say they are
  // incomplete (conkit::write_reports).
  void write_reports(nlohmann::json raw, std::string junit_xml) const {
    conkit::write_reports(std::move(raw), std::move(junit_xml), files(), stop_reason());
  }
};

// How much of each transcript the reports of check and run keep (conkit::ReportOptions).
struct ReportBounds {
  std::string dump = "failures", keep_lines = "10000";

  void add_to(CLI::App& app) {
    app.add_option("--dump", dump,
                   "Transcript of a failing run: all (every line), failures (the first and last 5 lines and 3 "
                   "lines around each failure; a transcript of <= 200 lines whole), none. Lines over 4 KiB are "
                   "cut, with their length shown")
        ->check(CLI::IsMember({"all", "failures", "none"}))
        ->capture_default_str();
    app.add_option("--keep-lines", keep_lines,
                   "Lines per run the JSON keeps: N (the lines around failures, the head and tail, annotated "
                   "lines as far as N goes; each run says how many it left out) or all")
        ->check([](const std::string& v) {
          return v == "all" || (!v.empty() && v.size() <= 18 && v.find_first_not_of("0123456789") == std::string::npos)
                     ? std::string()
                     : std::string("expected a number of lines or 'all'");
        })
        ->capture_default_str();
  }

  ReportOptions report_options() const {
    ReportOptions o;
    o.dump = dump == "all" ? Dump::all : dump == "none" ? Dump::none : Dump::failures;
    o.keep_lines = keep_lines == "all" ? ReportOptions::kAllLines : std::stoull(keep_lines);
    return o;
  }
};

// Which shipped cases: the manifest, labels, and the Python interpreter for the Python cases.
struct Selection {
  std::string manifest = default_manifest();
  std::vector<std::string> labels;
  std::string python;

  void add_to(CLI::App& app) {
    app.add_option("--manifest", manifest, "The build's case manifest (env CONKIT_MANIFEST)")->envname("CONKIT_MANIFEST")
        ->capture_default_str();
    app.add_option("-L,--label", labels, "Only cases with this label (repeatable: all must match)");
    app.add_option("--python", python, "Python interpreter for the Python cases (env CONKIT_PYTHON)")
        ->envname("CONKIT_PYTHON");
  }

  // The named cases (all if none) that carry every label; throws for a name the manifest lacks.
  std::vector<ShippedCase> select(const std::vector<std::string>& names) const {
    std::vector<ShippedCase> out;
    for (auto& c : load_manifest(manifest)) {
      bool named = names.empty() || std::find(names.begin(), names.end(), c.name) != names.end();
      bool labelled = std::all_of(labels.begin(), labels.end(), [&](auto& l) { return c.has_label(l); });
      if (named && labelled) out.push_back(c);
    }
    for (auto& n : names)
      if (std::none_of(out.begin(), out.end(), [&](auto& c) { return c.name == n; }))
        throw std::runtime_error("no shipped case named '" + n + "' (see `conkit list`)");
    return out;
  }
};

struct VerifyCli {
  std::string registry = default_registry();
  std::string out_dir;
  double budget_s = 120;
  double wait_quiet_s = 0;
  std::vector<std::string> only;
  std::optional<unsigned> seed;

  void add_to(CLI::App& app) {
    app.add_option("--registry", registry, "The claims registry (docs/claims.md)")->capture_default_str();
    app.add_option("--out", out_dir, "Write results.json, claims.md, claims-junit.xml and report.html here");
    app.add_option("--budget", budget_s, "Time budget in seconds; cases past it are not run (their claims: INCONCLUSIVE)")
        ->capture_default_str();
    app.add_option("--wait-quiet", wait_quiet_s,
                   "Before re-running cases disturbed by other processes, wait up to SECONDS for a quiet machine")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--only", only, "Decide only this claim (repeatable)");
    app.add_option("--seed", seed, "Seed for the shuffled case order (default: random, printed)");
  }

  // The library's options for these, the selection's and the common ones; stopped by a stop signal.
  // The callbacks (status and progress lines) are the caller's.
  VerifyOptions verify_options(const Selection& sel, const Common& common) const {
    VerifyOptions o;
    o.registry = registry;
    o.manifest = sel.manifest;
    o.only = only;
    o.seed = seed;
    o.budget_s = budget_s;
    o.wait_quiet_s = wait_quiet_s;
    o.python = sel.python;
    o.base = common.check_options();
    o.cancel = &interrupted;
    return o;
  }
};

}  // namespace conkit::cli
