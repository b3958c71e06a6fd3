// conkit/claims.hpp — decide the articles' claims on this machine, from case results and facts.
//
// The claims registry (expected/claims.json, format in docs/claims.md) is data: per claim and scope
// (native C++ / Python) it names the cases whose facts decide it, a figure computed from those
// facts, the bound with its reason, and which noise the bound is exposed to. `conkit verify`
// calibrates the machine first, runs the cases, then calls decide_claims(). A figure inside the
// measured noise band of its bound, a missing precondition (cores, Python) or missing evidence
// gives INCONCLUSIVE with the reason: never a guess.
//
// Raw results are written once (make_verify_document) and every report is rendered from them, so
// `conkit report RAW.json` re-renders without running anything.
//
// Thread safety: plain functions on values; calibrate() runs probes on the calling thread.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "conkit/grade.hpp"

namespace conkit {

// What the machine can do and how noisy it is, measured before the cases run.
struct Calibration {
  int usable_cores = 1;          // affinity, bounded by the cgroup CPU quota
  int online_cores = 1;          // what nproc says
  double sleep_overshoot_p50_ms = 0, sleep_overshoot_p99_ms = 0, sleep_overshoot_max_ms = 0;
  double cpu_noise_cv = 0;       // coefficient of variation of a fixed CPU chunk's duration
  double spawn_ms_p50 = 0;       // start + exit + reap of /bin/true through the runner
  double duration_ms = 0;        // how long calibrating took
};
Calibration calibrate();
nlohmann::json to_json(const Calibration& c);
Calibration calibration_from_json(const nlohmann::json& j);

// CPU model, cores, kernel, compiler and flags, sanitizer, Python version and build, the Boost
// version compiled in, conkit's version and the git revision of `source_dir` (the checkout the
// expected files come from; "unknown" outside a checkout or without git).
nlohmann::json environment_fingerprint(const std::string& sanitizer, const std::string& python,
                                       const std::string& source_dir = "");

// ---- the registry, typed ----------------------------------------------------------------------
// expected/claims.json parsed and validated (docs/claims.md). Every key and value is checked:
// unknown keys, unknown operators or aggregations, wrong types give a RegistryError naming the
// file, the JSON path and what was expected, never a silent default.

enum class Verdict { holds, refuted, inconclusive };
std::string to_string(Verdict v);  // "HOLDS", "REFUTED", "INCONCLUSIVE"

enum class Agg { last, count, distinct, min, max, sum };  // one run's values of a fact -> a number
enum class Per { none, unit, n_unit, fact };              // divide by u, n·u or another fact
enum class Combine { median, min, max };                  // runs -> the figure
enum class Noise { none, timer, cpu };                    // what the bound is exposed to
enum class Pick { every, max_workers_le_cores };          // which selected cases decide

// Which cases a check reads and how one run of them gives a number.
struct Evidence {
  std::string scenario, model;
  std::vector<std::pair<std::string, std::string>> where;  // fact -> value, compared as text
  std::string fact;
  Agg agg = Agg::last;
  std::string minus;               // empty: none
  std::vector<std::string> plus;
  Per per = Per::none;
  std::string per_fact;            // for Per::fact
  // Arguments verify appends to the argv of every case of this scenario and model (e.g. fewer
  // in-case repetitions where verify's own runs give the interval); the check's reason says why
  // the figure still separates the models. Checks on one scenario and model must agree.
  std::vector<std::string> args;
};

// Whether `e` selects the case `c`: its scenario and model, and `where` on the case's facts.
// nullopt when a `where` fact is in none of its runs yet (not run, or it wrote nothing): unknown.
std::optional<bool> selects(const Evidence& e, const CaseResult& c);

// Only runs where `fact op bound` holds are evidence.
struct FactCondition {
  std::string fact;
  CmpOp op = CmpOp::ge;
  double bound = 0;
  std::string why;
};

struct Bound {
  double value = 0;                   // the bound, or k of k·min(W, cores)
  bool times_min_workers_cores = false;
};

struct Check {
  std::string path;                   // JSON path in the registry, for messages
  std::string label, reason;
  Evidence of;
  std::optional<Evidence> ratio_to;   // figure = of / ratio_to, paired run by run
  Pick pick = Pick::every;
  Combine combine = Combine::median;
  std::optional<FactCondition> evidence_if;
  CmpOp op = CmpOp::le;               // lt, le, gt, ge or eq
  Bound bound;
  Noise noise = Noise::none;
  int runs = 0;                       // runs asked for (0: the default for its noise)
};

struct Requirements {
  bool python = false;
  int min_cores = 0;
};

// An observation that qualifies a scope's verdict without deciding it: a check, and what to say
// beside the verdict when it holds and when it does not.
struct Caveat {
  Check check;
  std::string if_holds, if_refuted;
};

struct Scope {
  std::string name;                   // "native" or "python"
  Requirements requires_;
  Verdict expect = Verdict::holds;
  // The expectation on a free-threaded Python (the cases' `gil` fact is 0), when it differs.
  std::optional<Verdict> expect_free_threaded;
  std::vector<Check> checks;
  std::vector<Caveat> caveats;
};

// Calls f(check) for every check and caveat check of the registry: what the cases must provide.
template <class F>
void for_each_check(const struct Registry& r, F f);

struct Claim {
  std::string id, claim;
  std::vector<std::string> sources;
  std::vector<Scope> scopes;
};

struct Registry {
  std::string file;
  std::vector<std::pair<std::string, std::string>> articles;  // id -> title
  std::vector<Claim> claims;
  std::string article_title(const std::string& id) const;
};

template <class F>
void for_each_check(const Registry& r, F f) {
  for (const auto& claim : r.claims)
    for (const auto& scope : claim.scopes) {
      for (const auto& check : scope.checks) f(check);
      for (const auto& caveat : scope.caveats) f(caveat.check);
    }
}

// Every problem found in a registry, one per line: "FILE: claims[2].scopes.native.checks[0].op:
// expected one of <, <=, >, >=, ==, got '=<'".
struct RegistryError : std::runtime_error {
  std::vector<std::string> problems;
  explicit RegistryError(std::vector<std::string> problems);
};

Registry parse_registry(const nlohmann::json& j, const std::string& file);  // throws RegistryError
Registry load_registry(const std::string& path);                            // reads, then parses

// Thresholds above which the calibration says the machine cannot decide a noisy figure at all.
inline constexpr double max_cpu_noise_cv = 0.25;        // beyond it a 0.7-of-ideal bound is within 1 sigma
inline constexpr double max_timer_overshoot_u = 0.25;   // p99 sleep overshoot, in units of u
// A run whose `foreign_load` fact (share of the cores other processes used) exceeds this is not
// evidence: the cases' own threshold (their `require foreign_load <= 0.10`).
inline constexpr double max_foreign_load = 0.10;

// Decides every claim of `registry` per scope. Returns the "claims" array of the raw document:
// [{id, claim, sources, scopes: [{scope, verdict, expected, figure, reason, checks: [...]}]}].
nlohmann::json decide_claims(const Registry& registry, const std::vector<CaseResult>& results,
                             const Calibration& calibration, double unit_ms, bool python_available);

// Series for the HTML plots: speedup vs workers per model, spawn cost and memory per model, and a
// timeline of one scenario's output events per model.
nlohmann::json plot_data(const std::vector<CaseResult>& results);

// Renderers of a raw verify document.
std::string render_claims_table(const nlohmann::json& raw);
std::string render_markdown(const nlohmann::json& raw);
std::string render_claims_junit(const nlohmann::json& raw);
std::string render_html(const nlohmann::json& raw);
// Matrix of claims x documents, flagging verdict changes and figures that moved beyond noise.
std::string render_compare(const std::vector<nlohmann::json>& raws, const std::vector<std::string>& names);

// True when the document is complete and every claim scope met its expectation for this machine
// (verify_exit() in conkit/verify.hpp tells the other two cases apart).
bool verify_passed(const nlohmann::json& raw);

}  // namespace conkit
