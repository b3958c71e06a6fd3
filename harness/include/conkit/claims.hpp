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

#include <string>
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

// CPU model, cores, kernel, compiler and flags, sanitizer, Python version and build.
nlohmann::json environment_fingerprint(const std::string& sanitizer, const std::string& python);

// Decides every claim of `registry` per scope. Returns the "claims" array of the raw document:
// [{id, claim, sources, scopes: [{scope, verdict, expected, figure, reason, checks: [...]}]}].
nlohmann::json decide_claims(const nlohmann::json& registry, const std::vector<CaseResult>& results,
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

// True when the document is complete and every claim scope met its expectation for this machine.
bool verify_passed(const nlohmann::json& raw);

}  // namespace conkit
