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
// any case did not pass, 2 for a usage error.
#include <unistd.h>

#include <csignal>
#include <chrono>
#include <random>
#include <set>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "conkit/claims.hpp"
#include "conkit/grade.hpp"
#include "conkit/report.hpp"
#include "conkit/run.hpp"

namespace {

using conkit::CaseResult;
using conkit::Status;

constexpr int exit_skip = 77;

// "100ms", "2s", "0.5s" or a bare number of milliseconds.
double parse_unit_ms(const std::string& text) {
  static const std::regex form(R"(^\s*([0-9]*\.?[0-9]+)\s*(ms|s)?\s*$)");
  std::smatch m;
  if (!std::regex_match(text, m, form)) throw CLI::ValidationError("--unit", "expected e.g. 100ms or 2s, got '" + text + "'");
  double v = std::stod(m[1].str());
  if (m[2] == "s") v *= 1000;
  if (v < 1) throw CLI::ValidationError("--unit", "the unit must be at least 1ms");
  return v;
}

std::optional<Status> parse_status(const std::string& s) {
  for (Status st : {Status::pass, Status::fail, Status::flaky, Status::timeout, Status::crash, Status::flood,
                    Status::skip, Status::invalid, Status::error})
    if (conkit::to_string(st) == s) return st;
  return std::nullopt;
}

// Options shared by check, run and verify.
struct Common {
  std::string unit = "100ms";
  std::optional<int> repeat;
  std::optional<double> timeout_s;
  int retries = 0;
  std::string sanitizer = CONKIT_BUILD_SANITIZER;
  std::string json, junit;
  bool quiet = false;

  void add_to(CLI::App& app) {
    app.add_option("--unit", unit, "Time unit u, e.g. 100ms or 2s (env CONKIT_UNIT)")->envname("CONKIT_UNIT")
        ->capture_default_str();
    app.add_option("--repeat", repeat, "Runs per case (overrides the expected file's `repeat`)")->check(CLI::PositiveNumber);
    app.add_option("--timeout", timeout_s, "Per-run timeout in seconds (overrides the expected file's `timeout`)")
        ->check(CLI::PositiveNumber);
    app.add_option("--retries", retries, "Reruns of a failed case; a pass on retry is reported FLAKY, never PASS")
        ->check(CLI::NonNegativeNumber)->capture_default_str();
    app.add_option("--sanitizer", sanitizer, "What the program was built with: none, tsan, asan")
        ->check(CLI::IsMember({"none", "tsan", "asan"}))->capture_default_str();
    app.add_option("--json", json, "Write the raw results as JSON to this file");
    app.add_option("--junit", junit, "Write JUnit XML to this file");
    app.add_flag("-q,--quiet", quiet, "Print only the summary lines, no transcripts");
  }

  conkit::CheckOptions check_options() const {
    conkit::CheckOptions o;
    o.run.unit_ms = parse_unit_ms(unit);
    o.repeat = repeat;
    if (timeout_s) o.timeout_ms = *timeout_s * 1000;
    o.retries = retries;
    o.sanitizer = sanitizer;
    return o;
  }
};

bool passed(Status s) { return s == Status::pass || s == Status::skip; }

// Prints, writes reports, and returns the exit status for a set of results.
int finish(const std::vector<CaseResult>& results, const Common& common, const std::string& suite) {
  int pass = 0, fail = 0, skip = 0;
  for (const auto& r : results) {
    if (!common.quiet || !passed(r.status)) std::cout << conkit::render_text(r, !passed(r.status) && !common.quiet);
    else std::cout << conkit::render_text(r, false);
    (r.status == Status::pass ? pass : r.status == Status::skip ? skip : fail)++;
  }
  try {
    if (!common.json.empty()) conkit::write_file(common.json, conkit::to_json(results).dump(2) + "\n");
    if (!common.junit.empty()) conkit::write_file(common.junit, conkit::to_junit(results, suite));
  } catch (const std::exception& e) {
    std::cerr << "conkit: " << e.what() << "\n";
    return 1;
  }
  std::cout << pass << " passed, " << fail << " failed, " << skip << " skipped\n";
  return fail == 0 ? 0 : 1;
}

// ---- shipped cases -------------------------------------------------------------------------------

struct ShippedCase {
  std::string name, scenario, model, expect;
  std::vector<std::string> argv, check_args, labels;
  bool has_label(const std::string& l) const { return std::find(labels.begin(), labels.end(), l) != labels.end(); }
};

std::vector<ShippedCase> load_manifest(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read the case manifest " + path +
                                    " (build the project first, or pass --manifest)");
  nlohmann::json j;
  try {
    in >> j;
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": not valid JSON: " + e.what());
  }
  std::vector<ShippedCase> cases;
  for (const auto& c : j.at("cases")) {
    ShippedCase s;
    s.name = c.at("name");
    s.scenario = c.at("scenario");
    s.model = c.at("model");
    s.expect = c.at("expect");
    s.argv = c.at("argv").get<std::vector<std::string>>();
    s.check_args = c.value("check_args", std::vector<std::string>{});
    s.labels = c.value("labels", std::vector<std::string>{});
    cases.push_back(std::move(s));
  }
  return cases;
}

// A pyenv shim is a script that picks an interpreter per directory: ask the interpreter itself.
std::string resolve_python(const std::string& python) {
  conkit::RunOptions o;
  o.argv = {python, "-c", "import sys; print(sys.executable)"};
  o.timeout_ms = 10000;
  conkit::RunResult r = conkit::run(o);
  for (const auto& line : r.lines)
    if (line.stream == conkit::Stream::out && !line.text.empty() && r.ending == conkit::Ending::exited && r.exit_code == 0)
      return line.text;
  throw std::runtime_error("cannot run the Python interpreter '" + python + "'");
}

// Applies a shipped case's extra check arguments (--repeat N, --retries N, --timeout S).
void apply_check_args(const ShippedCase& c, conkit::CheckOptions& o) {
  for (std::size_t i = 0; i + 1 < c.check_args.size(); i += 2) {
    const std::string& k = c.check_args[i];
    const std::string& v = c.check_args[i + 1];
    if (k == "--repeat" && !o.repeat) o.repeat = std::stoi(v);
    else if (k == "--retries") o.retries = std::max(o.retries, std::stoi(v));
    else if (k == "--timeout" && !o.timeout_ms) o.timeout_ms = std::stod(v) * 1000;
  }
}

struct Selection {
  std::string manifest = CONKIT_DEFAULT_MANIFEST;
  std::vector<std::string> labels;
  std::string python;
  void add_to(CLI::App& app) {
    app.add_option("--manifest", manifest, "The build's case manifest (env CONKIT_MANIFEST)")->envname("CONKIT_MANIFEST")
        ->capture_default_str();
    app.add_option("-L,--label", labels, "Only cases with this label (repeatable: all must match)");
    app.add_option("--python", python, "Python interpreter for the Python cases (env CONKIT_PYTHON)")
        ->envname("CONKIT_PYTHON");
  }
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

std::vector<CaseResult> run_shipped(const std::vector<ShippedCase>& cases, const Common& common,
                                    const Selection& sel) {
  std::string python = sel.python.empty() ? std::string() : resolve_python(sel.python);
  std::vector<CaseResult> results;
  for (const auto& c : cases) {
    conkit::CheckOptions o = common.check_options();
    o.run.argv = c.argv;
    if (!python.empty() && c.has_label("python") && !o.run.argv.empty()) o.run.argv[0] = python;
    o.name = c.name;
    apply_check_args(c, o);
    results.push_back(conkit::check_file(c.expect, o));
    if (!common.quiet && isatty(STDOUT_FILENO)) std::cout << std::flush;
  }
  return results;
}


// ---- verify --------------------------------------------------------------------------------------

volatile std::sig_atomic_t interrupted = 0;

std::string fmt_budget(double budget_s, std::size_t left) {
  return "time budget of " + std::to_string(static_cast<int>(budget_s)) + " s spent; " + std::to_string(left) +
         " case(s) not run";
}
extern "C" void on_sigint(int) { interrupted = 1; }

struct VerifyOptions {
  std::string registry = CONKIT_DEFAULT_REGISTRY;
  std::string out_dir;
  double budget_s = 120;
  std::vector<std::string> only;
  std::optional<unsigned> seed;
};

// The scenario/model pairs a claim's checks read.
std::set<std::pair<std::string, std::string>> evidence_needed(const conkit::Registry& registry,
                                                              const std::vector<std::string>& only) {
  std::set<std::pair<std::string, std::string>> need;
  for (const auto& claim : registry.claims) {
    if (!only.empty() && std::find(only.begin(), only.end(), claim.id) == only.end()) continue;
    for (const auto& scope : claim.scopes)
      for (const auto& check : scope.checks) {
        need.emplace(check.of.scenario, check.of.model);
        if (check.ratio_to) need.emplace(check.ratio_to->scenario, check.ratio_to->model);
      }
  }
  return need;
}

nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  try {
    return nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": not valid JSON: " + e.what());
  }
}

// Writes every rendering of a raw verify document next to each other.
void write_reports(const nlohmann::json& raw, const std::string& dir, const Common& common) {
  if (!dir.empty()) {
    conkit::write_file(dir + "/results.json", raw.dump(2) + "\n");
    conkit::write_file(dir + "/claims.md", conkit::render_markdown(raw));
    conkit::write_file(dir + "/claims-junit.xml", conkit::render_claims_junit(raw));
    conkit::write_file(dir + "/report.html", conkit::render_html(raw));
  }
  if (!common.json.empty()) conkit::write_file(common.json, raw.dump(2) + "\n");
  if (!common.junit.empty()) conkit::write_file(common.junit, conkit::render_claims_junit(raw));
}

int cmd_verify(const Selection& sel, const Common& common, const VerifyOptions& vo) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  auto elapsed_s = [&] { return std::chrono::duration<double>(clock::now() - t0).count(); };
  const bool progress = isatty(STDERR_FILENO) && !std::getenv("CI");
  std::signal(SIGINT, on_sigint);

  const conkit::Registry registry = conkit::load_registry(vo.registry);
  const auto need = evidence_needed(registry, vo.only);
  std::vector<ShippedCase> cases;
  for (auto& c : sel.select({}))
    if (need.count({c.scenario, c.model}) && !c.has_label("meta")) cases.push_back(c);
  const unsigned seed = vo.seed ? *vo.seed : std::random_device{}();
  std::shuffle(cases.begin(), cases.end(), std::mt19937(seed));

  std::string python = sel.python;
  if (python.empty())
    for (auto& c : cases)
      if (c.has_label("python") && !c.argv.empty()) python = c.argv[0];
  if (!python.empty()) {
    try {
      python = resolve_python(python);
    } catch (const std::exception&) {
      python.clear();
    }
  }

  std::cerr << "conkit verify: calibrating...\n";
  const conkit::Calibration cal = conkit::calibrate();
  const double unit_ms = parse_unit_ms(common.unit);

  nlohmann::json raw = {{"conkit", CONKIT_VERSION},
                        {"kind", "verify"},
                        {"environment", conkit::environment_fingerprint(common.sanitizer, python)},
                        {"calibration", conkit::to_json(cal)},
                        {"options", {{"unit_ms", unit_ms}, {"budget_s", vo.budget_s}, {"seed", seed}, {"only", vo.only},
                                     {"python", python}, {"registry", vo.registry}}}};
  std::vector<CaseResult> results;
  std::string incomplete;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    if (interrupted) { incomplete = "interrupted (Ctrl-C)"; break; }
    if (elapsed_s() > vo.budget_s) {
      incomplete = fmt_budget(vo.budget_s, cases.size() - i);
      break;
    }
    const auto& c = cases[i];
    if (progress) {
      const double per_case = i ? elapsed_s() / i : 0;
      std::cerr << "\r\033[K[" << i + 1 << "/" << cases.size() << "] " << c.name << "  " << static_cast<int>(elapsed_s())
                << " s elapsed" << (i ? ", ~" + std::to_string(static_cast<int>(per_case * (cases.size() - i))) + " s left" : "")
                << std::flush;
    }
    conkit::CheckOptions o = common.check_options();
    o.run.argv = c.argv;
    if (!python.empty() && c.has_label("python") && !o.run.argv.empty()) o.run.argv[0] = python;
    o.name = c.name;
    apply_check_args(c, o);
    o.run.cancel = &interrupted;
    results.push_back(conkit::check_file(c.expect, o));
    if (interrupted) { incomplete = "interrupted (Ctrl-C)"; results.back().reason += " [interrupted]"; break; }
  }
  if (progress) std::cerr << "\r\033[K";
  std::signal(SIGINT, SIG_DFL);

  bool python_available = false;
  for (const auto& r : results)
    if (r.expect.model.rfind("python", 0) == 0 && r.status != Status::skip && r.status != Status::error) python_available = true;

  raw["complete"] = incomplete.empty();
  if (!incomplete.empty()) raw["incomplete_reason"] = incomplete;
  raw["cases"] = conkit::to_json(results).at("cases");
  raw["claims"] = conkit::decide_claims(registry, results, cal, unit_ms, python_available);
  raw["plots"] = conkit::plot_data(results);
  raw["duration_s"] = elapsed_s();

  for (const auto& r : results)
    if (r.status != Status::pass && r.status != Status::skip) std::cout << conkit::render_text(r, false);
  std::cout << conkit::render_claims_table(raw);
  std::cout << "verify took " << static_cast<int>(elapsed_s()) << " s (" << results.size() << " cases, seed " << seed << ")\n";
  write_reports(raw, vo.out_dir, common);
  if (!vo.out_dir.empty()) std::cout << "reports: " << vo.out_dir << "/{results.json,claims.md,claims-junit.xml,report.html}\n";
  return conkit::verify_passed(raw) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"conkit " CONKIT_VERSION ": run programs as cases and grade them against expected files"};
  app.set_version_flag("--version", "conkit " CONKIT_VERSION);
  app.require_subcommand(1);

  // check
  Common check_common;
  std::string expect_path, name, want_status;
  std::vector<std::string> command;
  CLI::App* check = app.add_subcommand("check", "Run any program against an expected file");
  check->add_option("--expect", expect_path, "The expected file (docs/expected-format.md)")->required()
      ->check(CLI::ExistingFile);
  check->add_option("--name", name, "Name of the case in reports (default: scenario/model)");
  check->add_option("--expect-status", want_status,
                    "Exit 0 iff the case ends with this status (PASS, FAIL, ...): for meta tests of the grader");
  check_common.add_to(*check);
  check->add_option("command", command, "The program and its arguments (after --)")->required();

  // list / run / verify
  Selection list_sel, run_sel, verify_sel;
  Common run_common, verify_common;
  std::vector<std::string> run_names;
  CLI::App* list = app.add_subcommand("list", "List the shipped cases");
  list_sel.add_to(*list);
  CLI::App* run = app.add_subcommand("run", "Run shipped cases (all if none is named)");
  run_sel.add_to(*run);
  run_common.add_to(*run);
  run->add_option("cases", run_names, "Case names from `conkit list`");
  VerifyOptions verify_opts;
  CLI::App* verify = app.add_subcommand("verify", "Decide every claim on this machine, with evidence (the main job)");
  verify_sel.add_to(*verify);
  verify_common.add_to(*verify);
  verify->add_option("--registry", verify_opts.registry, "The claims registry (docs/claims.md)")->capture_default_str();
  verify->add_option("--out", verify_opts.out_dir, "Write results.json, claims.md, claims-junit.xml and report.html here");
  verify->add_option("--budget", verify_opts.budget_s, "Time budget in seconds; cases past it are not run (their claims: INCONCLUSIVE)")
      ->capture_default_str();
  verify->add_option("--only", verify_opts.only, "Decide only this claim (repeatable)");
  verify->add_option("--seed", verify_opts.seed, "Seed for the shuffled case order (default: random, printed)");

  std::string report_raw, report_out;
  Common report_common;
  CLI::App* report = app.add_subcommand("report", "Re-render the reports of a raw verify document (results.json)");
  report->add_option("raw", report_raw, "A results.json written by `conkit verify`")->required()->check(CLI::ExistingFile);
  report->add_option("--out", report_out, "Write claims.md, claims-junit.xml and report.html here");
  report->add_option("--junit", report_common.junit, "Write JUnit XML to this file");

  std::vector<std::string> compare_files;
  CLI::App* compare = app.add_subcommand("compare", "Compare verify results across machines or runs");
  compare->add_option("raw", compare_files, "Two or more results.json files")->required()->expected(2, -1)
      ->check(CLI::ExistingFile);

  CLI11_PARSE(app, argc, argv);

  try {
    if (*check) {
      conkit::CheckOptions o = check_common.check_options();
      o.run.argv = command;
      o.name = name;
      std::vector<CaseResult> results{conkit::check_file(expect_path, o)};
      int code = finish(results, check_common, "conkit.check");
      if (!want_status.empty()) {
        auto want = parse_status(want_status);
        if (!want) {
          std::cerr << "conkit: --expect-status: unknown status '" << want_status << "'\n";
          return 2;
        }
        bool ok = results[0].status == *want;
        std::cout << (ok ? "as expected: " : "NOT as expected: ") << "status " << conkit::to_string(results[0].status)
                  << ", wanted " << want_status << "\n";
        return ok ? 0 : 1;
      }
      if (results[0].status == Status::skip) return exit_skip;
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
    if (*run) return finish(run_shipped(run_sel.select(run_names), run_common, run_sel), run_common, "conkit.run");
    if (*verify) return cmd_verify(verify_sel, verify_common, verify_opts);
    if (*report) {
      nlohmann::json raw = read_json_file(report_raw);
      std::cout << conkit::render_claims_table(raw);
      if (!report_out.empty()) {
        conkit::write_file(report_out + "/claims.md", conkit::render_markdown(raw));
        conkit::write_file(report_out + "/claims-junit.xml", conkit::render_claims_junit(raw));
        conkit::write_file(report_out + "/report.html", conkit::render_html(raw));
      }
      if (!report_common.junit.empty()) conkit::write_file(report_common.junit, conkit::render_claims_junit(raw));
      return conkit::verify_passed(raw) ? 0 : 1;
    }
    if (*compare) {
      std::vector<nlohmann::json> raws;
      for (const auto& f : compare_files) raws.push_back(read_json_file(f));
      std::cout << conkit::render_compare(raws, compare_files);
      return 0;
    }
  } catch (const std::exception& e) {
    std::cerr << "conkit: " << e.what() << "\n";
    return 2;
  }
  return 2;
}
