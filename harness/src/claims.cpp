// Deciding claims from case results: selecting evidence, computing figures, comparing with bounds
// inside the calibrated noise band. Format of the registry: docs/claims.md.
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "conkit/claims.hpp"

namespace conkit {
namespace {

using json = nlohmann::json;

// The facts of one run, by name, in arrival order.
std::vector<const Fact*> facts_named(const RunResult& run, const std::string& name) {
  std::vector<const Fact*> out;
  for (const auto& f : run.facts)
    if (f.name == name) out.push_back(&f);
  return out;
}

std::optional<double> last_number(const RunResult& run, const std::string& name) {
  auto fs = facts_named(run, name);
  for (auto it = fs.rbegin(); it != fs.rend(); ++it)
    if ((*it)->number) return (*it)->number;
  return std::nullopt;
}

// A fact's last value as text, for `where` matching of strings and numbers alike.
std::optional<std::string> last_text(const CaseResult& c, const std::string& name) {
  for (const auto& run : c.runs) {
    auto fs = facts_named(run, name);
    if (fs.empty()) continue;
    const Fact* f = fs.back();
    if (f->string) return *f->string;
    if (f->number) return fmt::format("{}", *f->number);
    return f->value_json;
  }
  return std::nullopt;
}

bool where_matches(const CaseResult& c, const json& where) {
  for (const auto& [key, want] : where.items()) {
    auto have = last_text(c, key);
    if (!have) return false;
    std::string w = want.is_string() ? want.get<std::string>() : fmt::format("{}", want.get<double>());
    if (*have != w) return false;
  }
  return true;
}

std::vector<const CaseResult*> select_cases(const std::vector<CaseResult>& results, const json& spec) {
  std::vector<const CaseResult*> out;
  for (const auto& c : results)
    if (c.expect.scenario == spec.value("scenario", "") && c.expect.model == spec.value("model", "") &&
        where_matches(c, spec.value("where", json::object())))
      out.push_back(&c);
  return out;
}

// Statuses whose facts are not evidence: the run did not get to the end on its own terms.
bool usable(const CaseResult& c, std::string& why) {
  switch (c.status) {
    case Status::pass: case Status::fail: case Status::flaky: return true;
    default:
      why = fmt::format("{}: {}{}", c.name, to_string(c.status), c.reason.empty() ? "" : " (" + c.reason + ")");
      return false;
  }
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

bool compare(double a, const std::string& op, double b);

// One run's value of a check's figure (before combining runs), or nothing if a fact is missing.
std::optional<double> run_value(const RunResult& run, const json& spec, double unit_ms) {
  const std::string fact = spec.at("fact");
  const std::string agg = spec.value("agg", "last");
  std::optional<double> v;
  auto fs = facts_named(run, fact);
  if (agg == "last") v = last_number(run, fact);
  else if (agg == "count") v = static_cast<double>(fs.size());
  else if (agg == "distinct") {
    std::vector<std::string> seen;
    for (auto* f : fs) seen.push_back(f->value_json);
    std::sort(seen.begin(), seen.end());
    v = fs.empty() ? std::nullopt : std::optional<double>(std::unique(seen.begin(), seen.end()) - seen.begin());
  } else if (agg == "max" || agg == "min" || agg == "sum") {
    for (auto* f : fs) {
      if (!f->number) continue;
      if (!v) v = *f->number;
      else if (agg == "max") v = std::max(*v, *f->number);
      else if (agg == "min") v = std::min(*v, *f->number);
      else *v += *f->number;
    }
  }
  if (!v) return std::nullopt;
  if (spec.contains("minus")) {
    auto m = last_number(run, spec["minus"]);
    if (!m) return std::nullopt;
    *v -= *m;
  }
  for (const auto& p : spec.value("plus", json::array())) {
    auto a = last_number(run, p);
    if (!a) return std::nullopt;
    *v += *a;
  }
  const std::string per = spec.value("per", "");
  if (per == "unit") *v /= unit_ms;
  else if (per == "n_unit") {
    auto n = last_number(run, "n");
    if (!n || *n <= 0) return std::nullopt;
    *v /= *n * unit_ms;
  } else if (per.rfind("fact:", 0) == 0) {
    auto d = last_number(run, per.substr(5));
    if (!d || *d == 0) return std::nullopt;
    *v /= *d;
  }
  return v;
}

// `evidence_if`: a run counts as evidence only if one of its facts meets a bound (e.g. the workers
// really got their cores: cpu_share >= 0.7).
bool is_evidence(const RunResult& run, const json& spec) {
  if (!spec.contains("evidence_if")) return true;
  const json& cond = spec["evidence_if"];
  auto v = last_number(run, cond.value("fact", ""));
  return v && compare(*v, cond.value("op", ">="), cond.value("bound", 0.0));
}

// A case's figure: run values combined over runs (median by default).
std::optional<double> case_value(const CaseResult& c, const json& spec, double unit_ms) {
  std::vector<double> vs;
  for (const auto& run : c.runs)
    if (!is_evidence(run, spec)) continue;
    else if (auto v = run_value(run, spec, unit_ms)) vs.push_back(*v);
  if (vs.empty()) return std::nullopt;
  const std::string combine = spec.value("combine", "median");
  if (combine == "max") return *std::max_element(vs.begin(), vs.end());
  if (combine == "min") return *std::min_element(vs.begin(), vs.end());
  return median(vs);
}

bool compare(double a, const std::string& op, double b) {
  if (op == "<=") return a <= b;
  if (op == ">=") return a >= b;
  if (op == "<") return a < b;
  if (op == ">") return a > b;
  if (op == "==") return std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(b));
  return false;
}

std::string fmt_num(double v) {
  if (v != 0 && (std::fabs(v) >= 1e5 || std::fabs(v) < 1e-2)) return fmt::format("{:.3g}", v);
  return fmt::format("{:.3g}", v);
}

std::string unit_suffix(const json& spec) {
  const std::string per = spec.value("per", "");
  if (per == "unit") return "u";
  if (per == "n_unit") return "·N·u";
  if (spec.contains("ratio_to") || spec.value("fact", "") == "speedup") return "x";
  return "";
}

struct CheckOutcome {
  std::string verdict;  // HOLDS, REFUTED, INCONCLUSIVE
  json detail;
};

CheckOutcome decide_check(const json& spec, const std::vector<CaseResult>& results, const Calibration& cal,
                          double unit_ms) {
  json d = {{"label", spec.value("label", spec.value("fact", ""))},
            {"op", spec.value("op", "<=")},
            {"reason", spec.value("reason", "")},
            {"noise", spec.value("noise", "none")}};
  auto inconclusive = [&](std::string why) {
    d["verdict"] = "INCONCLUSIVE";
    d["why"] = why;
    return CheckOutcome{"INCONCLUSIVE", d};
  };

  auto cases = select_cases(results, spec);
  if (spec.value("pick", "") == "max_workers_le_cores") {
    const CaseResult* best = nullptr;
    double best_w = 0;
    for (auto* c : cases) {
      auto w = last_text(*c, "workers");
      double wv = w ? std::atof(w->c_str()) : 0;
      if (wv <= cal.usable_cores && wv > best_w) best = c, best_w = wv;
    }
    cases = best ? std::vector<const CaseResult*>{best} : std::vector<const CaseResult*>{};
  }
  if (cases.empty())
    return inconclusive(fmt::format("no evidence: no {}/{} case{} ran", spec.value("scenario", ""),
                                    spec.value("model", ""), spec.contains("where") ? " with " + spec["where"].dump() : ""));

  // Every selected case must hold; the verdict is the worst, the shown figure the worst case's.
  std::string verdict = "HOLDS";
  json per_case = json::array();
  for (const CaseResult* c : cases) {
    std::string why;
    json one = {{"case", c->name}};
    std::optional<double> value;
    if (!usable(*c, why)) {
      one["verdict"] = "INCONCLUSIVE";
      one["why"] = "no evidence: " + why;
    } else if (!(value = case_value(*c, spec, unit_ms))) {
      one["verdict"] = "INCONCLUSIVE";
      const bool excluded = std::any_of(c->runs.begin(), c->runs.end(), [&](const RunResult& r) { return !is_evidence(r, spec); });
      one["why"] = excluded ? fmt::format("no evidence: {}: {}", c->name, spec["evidence_if"].value("why", "no run met evidence_if"))
                            : fmt::format("no evidence: {} wrote no usable '{}' fact", c->name, spec.value("fact", ""));
    } else if (spec.contains("ratio_to")) {
      auto others = select_cases(results, spec["ratio_to"]);
      std::optional<double> denom;
      for (auto* o : others)
        if (usable(*o, why) && (denom = case_value(*o, spec["ratio_to"], unit_ms))) break;
      if (!denom || *denom == 0) {
        one["verdict"] = "INCONCLUSIVE";
        one["why"] = fmt::format("no evidence for the ratio's denominator ({}/{})", spec["ratio_to"].value("scenario", ""),
                                 spec["ratio_to"].value("model", ""));
        value.reset();
      } else {
        *value /= *denom;
      }
    }
    if (value) {
      double bound = 0;
      std::string bound_text;
      if (spec.at("bound").is_object()) {
        const double k = spec["bound"].value("k", 1.0);
        auto w = last_text(*c, "workers");
        const double workers = w ? std::atof(w->c_str()) : 1;
        bound = k * std::min<double>(workers, cal.usable_cores);
        bound_text = fmt::format("{} ({}·min(W={}, cores={}))", fmt_num(bound), fmt_num(k), fmt_num(workers), cal.usable_cores);
      } else {
        bound = spec["bound"].get<double>();
        bound_text = fmt_num(bound);
      }
      // Noise band in the figure's own scale.
      double band = 0;
      const std::string noise = spec.value("noise", "none");
      if (noise == "timer") {
        double scale = 1;
        if (spec.value("per", "") == "unit") scale = unit_ms;
        if (spec.value("per", "") == "n_unit") {
          auto n = last_text(*c, "n");
          scale = unit_ms * (n ? std::max(1.0, std::atof(n->c_str())) : 1);
        }
        band = 2 * cal.sleep_overshoot_p99_ms / scale;
      } else if (noise == "cpu") {
        band = std::fabs(bound) * 2 * cal.cpu_noise_cv;
      }
      const std::string op = spec.value("op", "<=");
      const bool ok = compare(*value, op, bound);
      one["value"] = *value;
      one["bound"] = bound;
      one["band"] = band;
      one["figure"] = fmt::format("{} {}{} {} {}{}", d["label"].get<std::string>(), fmt_num(*value), unit_suffix(spec), op,
                                  bound_text, unit_suffix(spec));
      if (noise == "cpu" && cal.cpu_noise_cv > 0.25) {
        one["verdict"] = "INCONCLUSIVE";
        one["why"] = fmt::format("CPU noise too high to decide (cv {:.2f} > 0.25)", cal.cpu_noise_cv);
      } else if (noise == "timer" && cal.sleep_overshoot_p99_ms > 0.25 * unit_ms) {
        one["verdict"] = "INCONCLUSIVE";
        one["why"] = fmt::format("timer overshoot p99 {:.2f} ms exceeds 0.25u: use a larger --unit", cal.sleep_overshoot_p99_ms);
      } else if (op != "==" && band > 0 && std::fabs(*value - bound) <= band) {
        one["verdict"] = "INCONCLUSIVE";
        one["why"] = fmt::format("{} is within the noise band ±{} of the bound", fmt_num(*value), fmt_num(band));
      } else {
        one["verdict"] = ok ? "HOLDS" : "REFUTED";
      }
    }
    const std::string v = one["verdict"];
    if (v == "REFUTED" || (v == "INCONCLUSIVE" && verdict == "HOLDS")) {
      verdict = v;
      d["figure"] = one.value("figure", "");
      if (one.contains("why")) d["why"] = one["why"];
      if (one.contains("value")) d["value"] = one["value"], d["bound"] = one["bound"], d["band"] = one["band"];
    } else if (!d.contains("figure") && one.contains("figure")) {
      d["figure"] = one["figure"];
      d["value"] = one["value"], d["bound"] = one["bound"], d["band"] = one["band"];
    }
    per_case.push_back(one);
  }
  d["verdict"] = verdict;
  d["cases"] = per_case;
  return {verdict, d};
}

}  // namespace

json decide_claims(const json& registry, const std::vector<CaseResult>& results, const Calibration& cal,
                   double unit_ms, bool python_available) {
  json out = json::array();
  const json articles = registry.value("articles", json::object());
  for (const auto& claim : registry.at("claims")) {
    json c = {{"id", claim.at("id")}, {"claim", claim.value("claim", "")}, {"sources", json::array()}, {"scopes", json::array()}};
    for (const auto& s : claim.value("sources", json::array()))
      c["sources"].push_back(json{{"id", s}, {"title", articles.value(s.get<std::string>(), "")}});
    for (const auto& [scope_name, scope] : claim.at("scopes").items()) {
      json s = {{"scope", scope_name}, {"checks", json::array()}};
      // Preconditions: a claim this machine cannot decide is INCONCLUSIVE, and that is expected.
      std::string unmet;
      for (const auto& req : scope.value("requires", json::array())) {
        const std::string r = req;
        if (r == "python" && !python_available) unmet = "no Python interpreter";
        if (r.rfind("cores>=", 0) == 0 && cal.usable_cores < std::atoi(r.c_str() + 7))
          unmet = fmt::format("needs {} usable cores, this machine has {}", r.substr(7), cal.usable_cores);
      }
      if (!unmet.empty()) {
        s["verdict"] = "INCONCLUSIVE";
        s["expected"] = "INCONCLUSIVE";
        s["reason"] = unmet;
        s["figure"] = "";
        c["scopes"].push_back(s);
        continue;
      }
      std::string verdict = "HOLDS", figure, reason;
      for (const auto& check : scope.at("checks")) {
        CheckOutcome o = decide_check(check, results, cal, unit_ms);
        s["checks"].push_back(o.detail);
        if (figure.empty()) figure = o.detail.value("figure", "");
        if (o.verdict == "REFUTED" || (o.verdict == "INCONCLUSIVE" && verdict == "HOLDS")) {
          verdict = o.verdict;
          figure = o.detail.value("figure", "");
          reason = o.detail.value("why", "");
        }
      }
      s["verdict"] = verdict;
      s["expected"] = scope.value("expect", "HOLDS");
      s["figure"] = figure;
      s["reason"] = reason;
      c["scopes"].push_back(s);
    }
    out.push_back(c);
  }
  return out;
}

json plot_data(const std::vector<CaseResult>& results) {
  json speedup = json::object(), spawn = json::array(), timeline = json::array();
  for (const auto& c : results) {
    if (c.runs.empty()) continue;
    const std::string& scenario = c.expect.scenario;
    std::string model = c.expect.model;
    if (scenario == "cpu_parallelism") {
      std::vector<double> s;
      std::optional<double> w;
      for (const auto& r : c.runs) {
        if (auto v = last_number(r, "speedup")) s.push_back(*v);
        if (!w) w = last_number(r, "workers");
      }
      if (!s.empty() && w) speedup[model].push_back(json::array({*w, median(s)}));
    } else if (scenario == "spawn_overhead") {
      auto variant = last_text(c, "variant");
      std::vector<double> cost, mem;
      for (const auto& r : c.runs) {
        if (auto v = last_number(r, "per_unit_us")) cost.push_back(*v);
        if (auto v = last_number(r, "idle_kib_per_unit")) mem.push_back(*v);
      }
      json e = {{"model", model + (variant ? " (" + *variant + ")" : "")}};
      if (!cost.empty()) e["per_unit_us"] = median(cost);
      if (!mem.empty()) e["idle_kib_per_unit"] = median(mem);
      if (!cost.empty() || !mem.empty()) spawn.push_back(e);
    } else if (scenario == "worker_join") {
      const RunResult& r = c.runs.front();
      json events = json::array();
      double t0 = -1;
      for (const auto& l : r.lines) {
        if (l.stream != Stream::out) continue;
        if (t0 < 0) t0 = l.t_ms;
        events.push_back({{"t_ms", l.t_ms - t0}, {"text", escape_for_display(l.text)}});
      }
      timeline.push_back({{"model", model}, {"events", events}});
    }
  }
  json sp = json::array();
  for (auto& [model, pts] : speedup.items()) {
    std::sort(pts.begin(), pts.end());
    sp.push_back({{"model", model}, {"points", pts}});
  }
  return {{"speedup", sp}, {"spawn", spawn}, {"timeline", {{"scenario", "worker_join"}, {"rows", timeline}}}};
}

bool verify_passed(const json& raw) {
  if (!raw.value("complete", false)) return false;
  for (const auto& c : raw.value("claims", json::array()))
    for (const auto& s : c.value("scopes", json::array()))
      if (s.value("verdict", "") != s.value("expected", "HOLDS")) return false;
  return true;
}

}  // namespace conkit
