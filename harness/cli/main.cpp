// conkit — the command line.
//
//   conkit check --expect FILE [options] -- CMD ARGS...   grade any program against an expected file
//   conkit list                                           the shipped cases (from the build's manifest)
//   conkit run [CASE...]                                  run shipped cases (all if none named)
//   conkit verify                                         decide the claims on this machine, with reports
//   conkit report RAW.json                                re-render the reports of a verify run
//   conkit compare A.json B.json...                       claims x runs: verdict changes, moved figures
//
// Exit status: 0 when every case passed (skips allowed; a lone `check` that skips exits 77), 1 when
// any case did not pass, 2 for a usage error. verify/report: 0 every claim scope as expected, 1 some
// verdict contradicts its expectation, 3 nothing contradicted but some scope undecided (verify.hpp).
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "conkit/claims.hpp"
#include "conkit/exit_codes.hpp"
#include "conkit/grade.hpp"
#include "conkit/report.hpp"
#include "conkit/verify.hpp"
#include "conkit/version.hpp"
#include "options.hpp"
#include "conkit/stdio.hpp"

namespace {

using conkit::CaseResult;
using conkit::Status;
using conkit::cli::Common;
using conkit::cli::ReportBounds;
using conkit::cli::Selection;
using conkit::cli::VerifyCli;
using conkit::cli::interrupted;
using conkit::cli::interrupted_reason;

// When stdout came in one burst at exit over a pipe, the one command line that reruns this check
// with a terminal for stdout; "" otherwise.
std::string pty_rerun_hint(const CaseResult& r, int argc, char** argv) {
  if (r.stdio != conkit::StdioMode::pipe) return "";
  bool burst = false;
  for (const auto& run : r.runs)
    for (const auto& b : conkit::find_exit_bursts(run)) burst = burst || b.stream == conkit::Stream::out;
  if (!burst) return "";
  auto quote = [](const std::string& a) {
    if (!a.empty() && a.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=/.,:@%") ==
                          std::string::npos)
      return a;
    std::string q = "'";
    for (char c : a) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
  };
  std::string cmd = quote(argv[0]);
  bool after_dashes = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (!after_dashes && a == "--stdio" && i + 1 < argc) { ++i; continue; }
    if (!after_dashes && a.rfind("--stdio=", 0) == 0) continue;
    cmd += " " + quote(a);
    if (!after_dashes && a == "check") cmd += " --stdio pty";
    if (a == "--") after_dashes = true;
  }
  return "hint: stdout arrived in one burst at exit; to give it a terminal, rerun: " + cmd;
}

bool passed(Status s) { return s == Status::pass || s == Status::skip; }

// Prints, writes reports, and returns the exit status for a set of results.
int finish(const std::vector<CaseResult>& results, const Common& common, const ReportBounds& bounds,
           const std::string& suite) {
  int pass = 0, fail = 0, skip = 0;
  for (const auto& r : results) {
    std::cout << conkit::render_text(r, !passed(r.status) && !common.quiet, bounds.report_options());
    (r.status == Status::pass ? pass : r.status == Status::skip ? skip : fail)++;
  }
  try {
    // Built only when asked for: a run's JSON costs ~300 bytes per fact and kept line.
    nlohmann::json j;
    if (!common.json.empty()) {
      j = conkit::to_json(results, bounds.report_options());
      j["complete"] = true;  // write_reports marks it incomplete after a stop signal
    }
    common.write_reports(std::move(j), common.junit.empty() ? std::string() : conkit::to_junit(results, suite));
  } catch (const std::exception& e) {
    std::cerr << "conkit: " << e.what() << "\n";
    return interrupted ? 128 + interrupted : 1;
  }
  std::cout << pass << " passed, " << fail << " failed, " << skip << " skipped\n";
  if (interrupted) {
    std::cout << "incomplete: " << interrupted_reason() << "\n";
    return 128 + interrupted;
  }
  return fail == 0 ? 0 : 1;
}

std::vector<CaseResult> run_shipped(const std::vector<conkit::ShippedCase>& cases, const Common& common,
                                    const Selection& sel) {
  std::string python = sel.python.empty() ? std::string() : conkit::resolve_python(sel.python);
  std::vector<CaseResult> results;
  for (const auto& c : cases) {
    if (interrupted) break;  // the cases not run are not in the reports, which say they are incomplete
    results.push_back(conkit::check_file(c.expect, conkit::case_options(c, common.check_options(), python)));
    if (!common.quiet && isatty(STDOUT_FILENO)) std::cout << std::flush;
  }
  return results;
}

// ---- verify, report ------------------------------------------------------------------------------

// The table, the summary line and the reports; returns the exit status (conkit/verify.hpp).
int print_and_write(const nlohmann::json& raw, const std::string& dir, const Common& common) {
  std::cout << conkit::render_claims_table(raw);
  if (!dir.empty()) {
    conkit::write_verify_reports(raw, dir);
    std::cout << "reports: " << dir << "/{results.json,claims.md,claims-junit.xml,report.html}\n";
  }
  common.write_reports(raw, conkit::render_claims_junit(raw));
  return conkit::verify_exit_status(raw);
}

int cmd_verify(const Selection& sel, const Common& common, const VerifyCli& cli) {
  conkit::VerifyOptions o;
  o.registry = cli.registry;
  o.manifest = sel.manifest;
  o.only = cli.only;
  o.seed = cli.seed;
  o.budget_s = cli.budget_s;
  o.wait_quiet_s = cli.wait_quiet_s;
  o.python = sel.python;
  o.base = common.check_options();
  o.cancel = &interrupted;
  o.on_status = [](const std::string& s) { std::cerr << "conkit verify: " << s << "...\n"; };
  const bool progress = isatty(STDERR_FILENO) && !std::getenv("CI");
  if (progress)
    o.on_progress = [](const conkit::VerifyProgress& p) {
      std::cerr << "\r\033[K[" << p.index + 1 << "/" << p.total << "] " << p.case_name << "  " << static_cast<int>(p.elapsed_s)
                << " s elapsed" << (p.left_s ? ", ~" + std::to_string(static_cast<int>(*p.left_s)) + " s left" : "") << std::flush;
    };
  conkit::VerifyResult r = conkit::verify(o);
  if (interrupted) r.raw["incomplete_reason"] = interrupted_reason();
  if (progress) std::cerr << "\r\033[K";
  for (const auto& c : r.results)
    if (c.status != Status::pass && c.status != Status::skip) std::cout << conkit::render_text(c, false);
  std::cout << "verify took " << static_cast<int>(r.raw.value("duration_s", 0.0)) << " s (" << r.results.size() << " cases, seed "
            << r.raw["options"]["seed"] << ")\n";
  const int code = print_and_write(r.raw, cli.out_dir, common);
  return interrupted ? 128 + interrupted : code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{std::string("conkit ") + conkit::version() + ": run programs as cases and grade them against expected files"};
  app.set_version_flag("--version", std::string("conkit ") + conkit::version());
  app.require_subcommand(1);

  // check
  Common check_common;
  ReportBounds check_bounds;
  std::string expect_path, name, want_status;
  std::vector<std::string> command, want_findings;
  CLI::App* check = app.add_subcommand("check", "Run any program against an expected file");
  // Not CLI::ExistingFile: a directory, FIFO, device or oversized file is the case's INVALID status.
  check->add_option("--expect", expect_path, "The expected file (docs/expected-format.md)")->required();
  check->add_option("--name", name, "Name of the case in reports (default: scenario/model)");
  check->add_option("--expect-status", want_status,
                    "Exit 0 iff the case ends with this status (PASS, FAIL, ...): for meta tests of the grader");
  check->add_option("--expect-finding", want_findings,
                    "With --expect-status: also require a finding matching this regex, i.e. which rule broke (repeatable)")
      ->expected(1);  // one regex per occurrence (CLI11 takes a `--` right after a vector option as its end)
  check_common.add_to(*check);
  check_bounds.add_to(*check);
  check->add_option("command", command, "The program and its arguments (after --)")->required();

  // list / run / verify
  Selection list_sel, run_sel, verify_sel;
  Common run_common, verify_common;
  ReportBounds run_bounds;
  std::vector<std::string> run_names;
  CLI::App* list = app.add_subcommand("list", "List the shipped cases");
  list_sel.add_to(*list);
  CLI::App* run = app.add_subcommand("run", "Run shipped cases (all if none is named)");
  run_sel.add_to(*run);
  run_common.add_to(*run);
  run_bounds.add_to(*run);
  run->add_option("cases", run_names, "Case names from `conkit list`");
  VerifyCli verify_opts;
  CLI::App* verify = app.add_subcommand("verify", "Decide every claim on this machine, with evidence (the main job)");
  verify_sel.add_to(*verify);
  verify_common.add_to(*verify);
  verify_opts.add_to(*verify);

  std::string report_raw, report_out, report_registry;
  bool report_redecide = false;
  Common report_common;
  CLI::App* report = app.add_subcommand("report", "Re-render (or re-decide) the reports of a raw verify document (results.json)");
  report->add_option("raw", report_raw, "A results.json written by `conkit verify`")->required()->check(CLI::ExistingFile);
  report->add_option("--out", report_out, "Write results.json, claims.md, claims-junit.xml and report.html here");
  report->add_option("--junit", report_common.junit, "Write JUnit XML to this file");
  report->add_flag("--redecide", report_redecide,
                   "Decide the claims again from the stored cases and calibration (with the document's registry, or --registry)");
  report->add_option("--registry", report_registry, "The claims registry to re-decide with (implies --redecide)");

  std::vector<std::string> compare_files;
  CLI::App* compare = app.add_subcommand("compare", "Compare verify results across machines or runs");
  compare->add_option("raw", compare_files, "Two or more results.json files")->required()->expected(2, -1)
      ->check(CLI::ExistingFile);

  CLI11_PARSE(app, argc, argv);
  if (*check || *run || *verify) conkit::cli::handle_stop_signals();

  try {
    if (*check) {
      conkit::CheckOptions o = check_common.check_options();
      o.run.argv = command;
      o.name = name;
      std::vector<CaseResult> results;
      results.push_back(conkit::check_file(expect_path, o));  // moved: a braced list would copy the transcript
      int code = finish(results, check_common, check_bounds, "conkit.check");
      if (interrupted) return code;
      if (std::string hint = pty_rerun_hint(results[0], argc, argv); !hint.empty()) std::cout << hint << "\n";
      if (!want_status.empty()) {
        auto want = conkit::cli::parse_status(want_status);
        if (!want) {
          std::cerr << "conkit: --expect-status: unknown status '" << want_status << "'\n";
          return 2;
        }
        bool ok = results[0].status == *want;
        std::cout << (ok ? "as expected: " : "NOT as expected: ") << "status " << conkit::to_string(results[0].status)
                  << ", wanted " << want_status << "\n";
        for (const auto& re : want_findings) {
          const bool found = conkit::cli::has_finding(results[0], std::regex(re));
          std::cout << (found ? "as expected: " : "NOT as expected: ") << "a finding matching /" << re << "/\n";
          ok = ok && found;
        }
        return ok ? 0 : 1;
      }
      if (results[0].status == Status::skip) return conkit::exit_code::skip;
      return code;
    }
    if (*list) {
      for (const auto& c : list_sel.select({})) {
        std::cout << c.name << "  [";
        for (std::size_t i = 0; i < c.labels.size(); ++i) std::cout << (i ? " " : "") << c.labels[i];
        std::cout << "]\n";
      }
      return 0;
    }
    if (*run) return finish(run_shipped(run_sel.select(run_names), run_common, run_sel), run_common, run_bounds,
                              "conkit.run");
    if (*verify) return cmd_verify(verify_sel, verify_common, verify_opts);
    if (*report) {
      nlohmann::json raw = conkit::cli::read_json_file(report_raw);
      if (report_redecide || !report_registry.empty()) {
        if (report_registry.empty()) report_registry = raw.value("options", nlohmann::json::object()).value("registry", "");
        raw = conkit::redecide(std::move(raw), conkit::load_registry(report_registry));
      }
      return print_and_write(raw, report_out, report_common);
    }
    if (*compare) {
      std::vector<nlohmann::json> raws;
      for (const auto& f : compare_files) raws.push_back(conkit::cli::read_json_file(f));
      std::cout << conkit::render_compare(raws, compare_files);
      return 0;
    }
  } catch (const std::exception& e) {
    std::cerr << "conkit: " << e.what() << "\n";
    return 2;
  }
  return 2;
}
