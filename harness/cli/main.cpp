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

#include "conkit/case_reports.hpp"
#include "conkit/claims.hpp"
#include "conkit/exit_codes.hpp"
#include "conkit/grade.hpp"
#include "conkit/report.hpp"
#include "conkit/verify.hpp"
#include "conkit/version.hpp"
#include "options.hpp"

namespace {

using conkit::CaseResult;
using conkit::Status;
using conkit::cli::Common;
using conkit::cli::ReportBounds;
using conkit::cli::Selection;
using conkit::cli::VerifyCli;
using conkit::cli::exit_status_after_stop;
using conkit::cli::interrupted;
using conkit::cli::interrupted_reason;

// Prints the results and the summary line, writes the reports; returns the exit status.
int finish(const std::vector<CaseResult>& results, const Common& common, const ReportBounds& bounds,
           const std::string& suite) {
  for (const auto& r : results)
    std::cout << conkit::render_text(r, !conkit::passed(r.status) && !common.quiet, bounds.report_options());
  try {
    conkit::write_case_reports(results, common.files(), bounds.report_options(), suite, conkit::cli::stop_reason());
  } catch (const std::exception& e) {
    std::cerr << "conkit: " << e.what() << "\n";
    return exit_status_after_stop(1);
  }
  const conkit::CaseTally tally = conkit::tally(results);
  std::cout << tally.summary() << "\n";
  if (interrupted) std::cout << "incomplete: " << interrupted_reason() << "\n";
  return exit_status_after_stop(tally.exit_status());
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
  conkit::VerifyOptions o = cli.verify_options(sel, common);
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
    if (!conkit::passed(c.status)) std::cout << conkit::render_text(c, false);
  std::cout << "verify took " << static_cast<int>(r.raw.value("duration_s", 0.0)) << " s (" << r.results.size() << " cases, seed "
            << r.raw["options"]["seed"] << ")\n";
  return exit_status_after_stop(print_and_write(r.raw, cli.out_dir, common));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{std::string("conkit ") + conkit::version() + ": run programs as cases and grade them against expected files"};
  app.set_version_flag("--version", std::string("conkit ") + conkit::version());
  app.require_subcommand(1);
  // Only the subcommand named first gets its options: building all six cost ~40% of the start-up
  // instructions of every `conkit check`. With no subcommand first (--help, a typo) all are built.
  const std::string first = argc > 1 ? argv[1] : "";
  const bool named = first == "check" || first == "list" || first == "run" || first == "verify" || first == "report" ||
                     first == "compare";
  auto build = [&](const char* sub) { return !named || first == sub; };

  // check
  Common check_common;
  ReportBounds check_bounds;
  std::string expect_path, name, want_status;
  std::vector<std::string> command, want_findings;
  CLI::App* check = nullptr;
  if (build("check")) {
    check = app.add_subcommand("check", "Run any program against an expected file");
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
  }

  // list / run / verify
  Selection list_sel, run_sel, verify_sel;
  Common run_common, verify_common;
  ReportBounds run_bounds;
  std::vector<std::string> run_names;
  CLI::App *list = nullptr, *run = nullptr, *verify = nullptr, *report = nullptr, *compare = nullptr;
  if (build("list")) {
    list = app.add_subcommand("list", "List the shipped cases");
    list_sel.add_to(*list);
  }
  if (build("run")) {
    run = app.add_subcommand("run", "Run shipped cases (all if none is named)");
    run_sel.add_to(*run);
    run_common.add_to(*run);
    run_bounds.add_to(*run);
    run->add_option("cases", run_names, "Case names from `conkit list`");
  }
  VerifyCli verify_opts;
  if (build("verify")) {
    verify = app.add_subcommand("verify", "Decide every claim on this machine, with evidence (the main job)");
    verify_sel.add_to(*verify);
    verify_common.add_to(*verify);
    verify_opts.add_to(*verify);
  }

  std::string report_raw, report_out, report_registry;
  bool report_redecide = false;
  Common report_common;
  if (build("report")) {
    report = app.add_subcommand("report", "Re-render (or re-decide) the reports of a raw verify document (results.json)");
    report->add_option("raw", report_raw, "A results.json written by `conkit verify`")->required()->check(CLI::ExistingFile);
    report->add_option("--out", report_out, "Write results.json, claims.md, claims-junit.xml and report.html here");
    report->add_option("--junit", report_common.junit, "Write JUnit XML to this file");
    report->add_flag("--redecide", report_redecide,
                     "Decide the claims again from the stored cases and calibration (with the document's registry, or --registry)");
    report->add_option("--registry", report_registry, "The claims registry to re-decide with (implies --redecide)");
  }

  std::vector<std::string> compare_files;
  if (build("compare")) {
    compare = app.add_subcommand("compare", "Compare verify results across machines or runs");
    compare->add_option("raw", compare_files, "Two or more results.json files")->required()->expected(2, -1)
        ->check(CLI::ExistingFile);
  }

  CLI11_PARSE(app, argc, argv);
  auto chosen = [](const CLI::App* sub) { return sub && sub->parsed(); };
  if (chosen(check) || chosen(run) || chosen(verify)) conkit::cli::handle_stop_signals();

  try {
    if (chosen(check)) {
      conkit::CheckOptions o = check_common.check_options();
      o.run.argv = command;
      o.name = name;
      std::vector<CaseResult> results;
      results.push_back(conkit::check_file(expect_path, o));  // moved: a braced list would copy the transcript
      int code = finish(results, check_common, check_bounds, "conkit.check");
      if (interrupted) return code;
      if (conkit::stdout_burst_over_pipe(results[0]))
        std::cout << "hint: stdout arrived in one burst at exit; to give it a terminal, rerun: "
                  << conkit::cli::pty_rerun_command(argc, argv) << "\n";
      if (!want_status.empty()) {
        auto want = conkit::cli::parse_status(want_status);
        if (!want) {
          std::cerr << "conkit: --expect-status: unknown status '" << want_status << "'\n";
          return 2;
        }
        auto print = [](bool ok, const std::string& what) {
          std::cout << (ok ? "as expected: " : "NOT as expected: ") << what << "\n";
        };
        return conkit::judge_outcome(results[0], {*want, want_findings}, print) ? 0 : 1;
      }
      if (results[0].status == Status::skip) return conkit::exit_code::skip;
      return code;
    }
    if (chosen(list)) {
      for (const auto& c : list_sel.select({})) {
        std::cout << c.name << "  [";
        for (std::size_t i = 0; i < c.labels.size(); ++i) std::cout << (i ? " " : "") << c.labels[i];
        std::cout << "]\n";
      }
      return 0;
    }
    if (chosen(run)) {
      const std::vector<conkit::ShippedCase> cases = run_sel.select(run_names);
      return finish(conkit::run_shipped(cases, run_common.check_options(), run_sel.python), run_common, run_bounds,
                    "conkit.run");
    }
    if (chosen(verify)) return cmd_verify(verify_sel, verify_common, verify_opts);
    if (chosen(report)) {
      nlohmann::json raw = conkit::cli::read_json_file(report_raw);
      if (report_redecide || !report_registry.empty()) {
        if (report_registry.empty()) report_registry = raw.value("options", nlohmann::json::object()).value("registry", "");
        raw = conkit::redecide(std::move(raw), conkit::load_registry(report_registry));
      }
      return print_and_write(raw, report_out, report_common);
    }
    if (chosen(compare)) {
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
