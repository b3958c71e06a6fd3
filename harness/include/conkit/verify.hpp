// conkit/verify.hpp — `conkit verify` as one library call: decide the articles' claims on this machine.
//
// verify() loads the claims registry and the build's case manifest, selects the cases the chosen
// claims read, shuffles them (seeded), resolves the Python interpreter, calibrates the machine,
// runs the cases within the time budget (each figure from repeated runs, more where an interval
// straddles its bound), decides every claim scope (conkit/claims.hpp) and returns the raw document
// from which every report is rendered. The caller prints; verify() writes nothing to stdout.
//
//   conkit::VerifyOptions o;
//   o.registry = "expected/claims.json";
//   o.manifest = "build/default/conkit-cases.json";
//   o.base.run.unit_ms = 100;
//   conkit::VerifyResult r = conkit::verify(o);
//   std::cout << conkit::render_claims_table(r.raw);
//   conkit::write_verify_reports(r.raw, "out");
//   return conkit::verify_exit_status(r.raw);
//
// Thread safety: one verify() at a time per process (cases run in the calling thread, and waiting
// cases two at a time, the second on a thread of verify's own: docs/claims.md; the cancel flag may
// be set from a signal handler; the callbacks are called from the calling thread only).
#pragma once

#include <csignal>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "conkit/claims.hpp"
#include "conkit/grade.hpp"

namespace conkit {

// A case of the build's manifest (conkit-cases.json, written by cmake/ConkitCase.cmake).
struct ShippedCase {
  std::string name, scenario, model, expect;
  std::vector<std::string> argv, check_args, labels;
  bool has_label(const std::string& l) const;
};
std::vector<ShippedCase> load_manifest(const std::string& path);  // throws std::runtime_error

// The interpreter behind a name or a pyenv shim (which picks one per directory): asks it for
// sys.executable. Throws std::runtime_error when it cannot be run.
std::string resolve_python(const std::string& python);

// The options one shipped case runs with: `base`, its manifest check arguments (--repeat N,
// --retries N, --timeout S; an explicit base repeat/timeout wins), `python` instead of the
// manifest's interpreter for Python cases (when not empty).
CheckOptions case_options(const ShippedCase& c, const CheckOptions& base, const std::string& python);

// Runs per case when a timer or CPU check reads it, paired runs when a ratio does (a check's `runs`
// may ask more), and the most extra rounds verify() adds where an interval straddles its bound or
// every run was disturbed (budget permitting). Ratios start at 3 pairs: the spawn-cost ratios lie
// 10x-800x from their bounds, and one Python `spawn` run costs about 2 s, so 5 pairs of every spawn
// case alone would exceed the 30 s a default verify may take; a straddling ratio gets more pairs.
inline constexpr int min_noisy_runs = 5;
inline constexpr int min_ratio_runs = 3;
inline constexpr int max_extra_rounds = 6;

// Where a verify run is, for a progress line.
struct VerifyProgress {
  std::size_t index = 0, total = 0;  // 0-based index of the case about to run
  std::string case_name;
  double elapsed_s = 0;
  std::optional<double> left_s;      // estimate, once one case ran
};

struct VerifyOptions {
  std::string registry;               // expected/claims.json
  std::string manifest;               // the build's conkit-cases.json
  std::vector<std::string> only;      // claim ids; empty: all. Restricts cases, table, reports, exit status
  std::optional<unsigned> seed;       // case order; default random (stored in the document)
  double budget_s = 120;              // cases past it are not run (their claims: INCONCLUSIVE)
  // Before re-running cases whose runs were disturbed by foreign load (or straddle a bound), wait
  // up to this long for the machine to be quiet (busy share <= max_foreign_load). 0: do not wait.
  double wait_quiet_s = 0;
  // What --wait-quiet measures: the share of all online cores' capacity busy over about `window_ms`
  // (verify runs nothing meanwhile, so all of it is foreign load). Empty: /proc/stat. Tests drive it.
  std::function<double(double window_ms)> load_probe;
  std::string python;                 // interpreter for the Python cases; empty: the manifest's
  CheckOptions base;                  // unit, sanitizer, repeat/timeout/retries overrides
  std::function<void(const VerifyProgress&)> on_progress;  // before each case
  std::function<void(const std::string&)> on_status;       // "calibrating", ...
  // Set it (e.g. from a SIGINT handler) to stop: the running case's process group is killed and
  // the document is returned marked incomplete with `cancel_reason`.
  const volatile std::sig_atomic_t* cancel = nullptr;
  std::string cancel_reason = "interrupted (Ctrl-C)";
};

struct VerifyResult {
  nlohmann::json raw;                 // the raw document (docs/claims.md "The raw document")
  std::vector<CaseResult> results;    // what ran, in run order
};

// Throws RegistryError for a bad registry or an unknown `only` id, std::runtime_error for an
// unreadable manifest.
VerifyResult verify(const VerifyOptions& options);

// Decides the claims again from a raw document's stored cases and calibration with `registry`
// (e.g. an edited registry against an old run), replacing its "claims" and "plots".
nlohmann::json redecide(nlohmann::json raw, const Registry& registry);

// Exit status of a verify document: 0 every scope as expected, 1 some verdict contradicts its
// expectation, 3 nothing contradicted but some scope this machine should decide is INCONCLUSIVE
// (or the run is incomplete).
enum class VerifyExit : int { as_expected = 0, contradicted = 1, undecided = 3 };
VerifyExit verify_exit(const nlohmann::json& raw);
int verify_exit_status(const nlohmann::json& raw);
std::string verify_summary(const nlohmann::json& raw);  // one line saying which of the three

// results.json, claims.md, claims-junit.xml and report.html in `dir` (created if missing).
void write_verify_reports(const nlohmann::json& raw, const std::string& dir);

}  // namespace conkit
