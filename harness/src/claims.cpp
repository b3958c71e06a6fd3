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

#include "common/stats.hpp"
#include "common/text.hpp"

namespace conkit {
namespace {

using json = nlohmann::json;

// The facts of one run, by name, in arrival order.
std::vector<FactView> facts_named(const RunResult& run, const std::string& name) {
  std::vector<FactView> out;
  for (FactView f : run.facts)
    if (f.name == name) out.push_back(f);
  return out;
}

std::optional<double> last_number(const RunResult& run, const std::string& name) {
  auto fs = facts_named(run, name);
  for (auto it = fs.rbegin(); it != fs.rend(); ++it)
    if (it->number) return it->number;
  return std::nullopt;
}

// A fact's last value as text, for `where` matching of strings and numbers alike.
std::optional<std::string> last_text(const CaseResult& c, const std::string& name) {
  for (const auto& run : c.runs) {
    auto fs = facts_named(run, name);
    if (fs.empty()) continue;
    const FactView& f = fs.back();
    if (f.string) return std::string(*f.string);
    if (f.number) return fmt::format("{}", *f.number);
    return std::string(f.value_json);
  }
  return std::nullopt;
}

bool where_matches(const CaseResult& c, const std::vector<std::pair<std::string, std::string>>& where) {
  for (const auto& [key, want] : where) {
    auto have = last_text(c, key);
    if (!have || *have != want) return false;
  }
  return true;
}

std::vector<const CaseResult*> select_cases(const std::vector<CaseResult>& results, const Evidence& e) {
  std::vector<const CaseResult*> out;
  for (const auto& c : results)
    if (c.expect.scenario == e.scenario && c.expect.model == e.model && where_matches(c, e.where)) out.push_back(&c);
  return out;
}

std::string where_text(const Evidence& e) {
  if (e.where.empty()) return "";
  json w = json::object();
  for (const auto& [k, v] : e.where) w[k] = v;
  return " with " + w.dump();
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

bool compare(double a, CmpOp op, double b) {
  switch (op) {
    case CmpOp::le: return a <= b;
    case CmpOp::ge: return a >= b;
    case CmpOp::lt: return a < b;
    case CmpOp::gt: return a > b;
    case CmpOp::eq: return std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(b));
    default: return false;  // the registry parser admits only the five above
  }
}

// One run's value of a check's figure (before combining runs), or nothing if a fact is missing.
std::optional<double> run_value(const RunResult& run, const Evidence& e, double unit_ms) {
  std::optional<double> v;
  auto fs = facts_named(run, e.fact);
  switch (e.agg) {
    case Agg::last: v = last_number(run, e.fact); break;
    case Agg::count: v = static_cast<double>(fs.size()); break;
    case Agg::distinct: {
      std::vector<std::string> seen;
      for (const auto& f : fs) seen.emplace_back(f.value_json);
      std::sort(seen.begin(), seen.end());
      if (!fs.empty()) v = static_cast<double>(std::unique(seen.begin(), seen.end()) - seen.begin());
      break;
    }
    case Agg::max: case Agg::min: case Agg::sum:
      for (const auto& f : fs) {
        if (!f.number) continue;
        if (!v) v = *f.number;
        else if (e.agg == Agg::max) v = std::max(*v, *f.number);
        else if (e.agg == Agg::min) v = std::min(*v, *f.number);
        else *v += *f.number;
      }
      break;
  }
  if (!v) return std::nullopt;
  if (!e.minus.empty()) {
    auto m = last_number(run, e.minus);
    if (!m) return std::nullopt;
    *v -= *m;
  }
  for (const auto& p : e.plus) {
    auto a = last_number(run, p);
    if (!a) return std::nullopt;
    *v += *a;
  }
  switch (e.per) {
    case Per::none: break;
    case Per::unit: *v /= unit_ms; break;
    case Per::n_unit: {
      auto n = last_number(run, "n");
      if (!n || *n <= 0) return std::nullopt;
      *v /= *n * unit_ms;
      break;
    }
    case Per::fact: {
      auto d = last_number(run, e.per_fact);
      if (!d || *d == 0) return std::nullopt;
      *v /= *d;
      break;
    }
  }
  return v;
}

// `evidence_if`: a run counts as evidence only if one of its facts meets a bound (e.g. the workers
// really got their cores: cpu_share >= 0.7).
bool is_evidence(const RunResult& run, const Check& check) {
  if (!check.evidence_if) return true;
  auto v = last_number(run, check.evidence_if->fact);
  return v && compare(*v, check.evidence_if->op, check.evidence_if->bound);
}

// A run whose case measured other processes holding more than max_foreign_load of the cores
// (the `foreign_load` fact) is disturbed: its figure says more about that load than the model.
std::optional<double> disturbed_by(const RunResult& run) {
  auto load = last_number(run, "foreign_load");
  if (load && *load > max_foreign_load) return load;
  return std::nullopt;
}

// Per run (by index): the run's value, or nothing when the run is no evidence, is disturbed by
// foreign load, or lacks a fact.
std::vector<std::optional<double>> run_values(const CaseResult& c, const Check& check, const Evidence& e, double unit_ms) {
  std::vector<std::optional<double>> vs;
  for (const auto& run : c.runs)
    vs.push_back(is_evidence(run, check) && !disturbed_by(run) ? run_value(run, e, unit_ms) : std::nullopt);
  return vs;
}

// The largest foreign load of the disturbed runs, and how many there were.
std::pair<double, int> disturbance(const CaseResult& c) {
  double worst = 0;
  int n = 0;
  for (const auto& run : c.runs)
    if (auto l = disturbed_by(run)) worst = std::max(worst, *l), ++n;
  return {worst, n};
}

std::vector<double> present(const std::vector<std::optional<double>>& vs) {
  std::vector<double> out;
  for (const auto& v : vs)
    if (v) out.push_back(*v);
  return out;
}

// A check's figure for one case: the point (median, or the extreme for combine min/max), its
// interval, and the samples behind it.
struct Figure {
  double value = 0;
  stats::Interval interval;
  std::vector<double> samples;
  std::vector<std::size_t> outliers;
};

Figure figure_of(std::vector<double> samples, Combine combine) {
  Figure f;
  f.samples = samples;
  f.outliers = stats::iqr_outliers(samples);
  if (combine == Combine::median) {
    f.value = stats::median(samples);
    f.interval = stats::median_interval(samples);
  } else {
    // "in at least one run" / "in every run": an exact statement about the runs, no estimate.
    f.value = combine == Combine::max ? *std::max_element(samples.begin(), samples.end())
                                      : *std::min_element(samples.begin(), samples.end());
    f.interval = {f.value, f.value, 1};
  }
  return f;
}

std::string fmt_num(double v) { return fmt::format("{:.3g}", v); }

std::string unit_suffix(const Check& check) {
  if (check.of.per == Per::unit) return "u";
  if (check.of.per == Per::n_unit) return "·N·u";
  if (check.ratio_to || check.of.fact == "speedup") return "x";
  return "";
}

std::string noise_name(Noise n) { return n == Noise::timer ? "timer" : n == Noise::cpu ? "cpu" : "none"; }

// Where an interval lies against a bound: wholly on the holding side, wholly on the other, or across.
enum class Side { holds, refuted, straddles };
Side side_of(double lo, double hi, CmpOp op, double bound) {
  const bool lo_ok = compare(lo, op, bound), hi_ok = compare(hi, op, bound);
  if (lo_ok && hi_ok) return Side::holds;
  if (op == CmpOp::eq) return (lo <= bound && bound <= hi) ? Side::straddles : Side::refuted;
  return (!lo_ok && !hi_ok) ? Side::refuted : Side::straddles;
}

struct CheckOutcome {
  std::string verdict;  // HOLDS, REFUTED, INCONCLUSIVE
  json detail;
};

CheckOutcome decide_check(const Check& check, const std::vector<CaseResult>& results, const Calibration& cal,
                          double unit_ms) {
  const std::string op_text = to_string(check.op);
  json d = {{"label", check.label}, {"op", op_text}, {"reason", check.reason}, {"noise", noise_name(check.noise)}};
  auto inconclusive = [&](std::string why) {
    d["verdict"] = "INCONCLUSIVE";
    d["why"] = why;
    return CheckOutcome{"INCONCLUSIVE", d};
  };

  auto cases = select_cases(results, check.of);
  if (check.pick == Pick::max_workers_le_cores) {
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
    return inconclusive(fmt::format("no evidence: no {}/{} case{} ran", check.of.scenario, check.of.model, where_text(check.of)));

  // Every selected case must hold; the verdict is the worst, the shown figure the worst case's.
  std::string verdict = "HOLDS";
  json per_case = json::array();
  for (const CaseResult* c : cases) {
    std::string why;
    json one = {{"case", c->name}};
    std::optional<Figure> fig;
    const auto values = usable(*c, why) ? run_values(*c, check, check.of, unit_ms) : std::vector<std::optional<double>>{};
    if (!why.empty()) {
      one["verdict"] = "INCONCLUSIVE";
      one["why"] = "no evidence: " + why;
    } else if (present(values).empty() && disturbance(*c).second > 0) {
      // Never a verdict from a disturbed figure: INCONCLUSIVE with the load measured (verify
      // retries such a case when the machine is quiet, see --wait-quiet).
      one["verdict"] = "INCONCLUSIVE";
      one["loaded"] = true;
      one["why"] = fmt::format("machine busy: other processes used up to {:.0f} % of the cores in {} run(s) of {} (over {:.0f} %)",
                               100 * disturbance(*c).first, disturbance(*c).second, c->name, 100 * max_foreign_load);
    } else if (present(values).empty()) {
      one["verdict"] = "INCONCLUSIVE";
      const bool excluded = std::any_of(c->runs.begin(), c->runs.end(), [&](const RunResult& r) { return !is_evidence(r, check); });
      one["why"] = excluded ? fmt::format("no evidence: {}: {}", c->name, check.evidence_if->why)
                            : fmt::format("no evidence: {} wrote no usable '{}' fact", c->name, check.of.fact);
    } else if (check.ratio_to) {
      // Paired runs: run i of the numerator against run i of the denominator (verify runs them
      // alternately), so drift of the machine between the two cancels in each ratio.
      std::vector<std::optional<double>> denom;
      const CaseResult* partner = nullptr;
      for (auto* o : select_cases(results, *check.ratio_to)) {
        std::string ignored;
        if (!usable(*o, ignored)) continue;
        denom = run_values(*o, check, *check.ratio_to, unit_ms);
        if (!present(denom).empty()) {
          partner = o;
          break;
        }
      }
      std::vector<double> ratios;
      for (std::size_t i = 0; i < values.size() && i < denom.size(); ++i)
        if (values[i] && denom[i] && *denom[i] != 0) ratios.push_back(*values[i] / *denom[i]);
      if (ratios.empty()) {
        one["verdict"] = "INCONCLUSIVE";
        one["why"] = fmt::format("no evidence for the ratio's denominator ({}/{})", check.ratio_to->scenario, check.ratio_to->model);
      } else {
        fig = figure_of(ratios, check.combine);
        one["paired_with"] = partner->name;
      }
    } else {
      fig = figure_of(present(values), check.combine);
    }
    if (fig) {
      double bound = check.bound.value;
      std::string bound_text = fmt_num(bound);
      if (check.bound.times_min_workers_cores) {
        auto w = last_text(*c, "workers");
        const double workers = w ? std::atof(w->c_str()) : 1;
        bound = check.bound.value * std::min<double>(workers, cal.usable_cores);
        bound_text = fmt::format("{} ({}·min(W={}, cores={}))", fmt_num(bound), fmt_num(check.bound.value), fmt_num(workers),
                                 cal.usable_cores);
      }
      // Noise band in the figure's own scale: what the runs may not have sampled (the machine's
      // timer and scheduler as calibrated), added on both sides of the interval.
      double band = 0;
      if (check.noise == Noise::timer) {
        double scale = 1;
        if (check.of.per == Per::unit) scale = unit_ms;
        if (check.of.per == Per::n_unit) {
          auto n = last_text(*c, "n");
          scale = unit_ms * (n ? std::max(1.0, std::atof(n->c_str())) : 1);
        }
        band = 2 * cal.sleep_overshoot_p99_ms / scale;
      } else if (check.noise == Noise::cpu) {
        band = std::fabs(bound) * 2 * cal.cpu_noise_cv;
      }
      const double lo = fig->interval.lo, hi = fig->interval.hi;
      const std::size_t n = fig->samples.size();
      one["value"] = fig->value;
      one["interval"] = {lo, hi};
      one["confidence"] = fig->interval.confidence;
      one["runs"] = n;
      if (auto [worst, k] = disturbance(*c); k > 0)
        one["discarded"] = fmt::format("{} run(s) under foreign load (up to {:.0f} %) not counted", k, 100 * worst);
      one["samples"] = fig->samples;
      one["outliers"] = json::array();
      for (auto i : fig->outliers) one["outliers"].push_back(fig->samples[i]);
      one["bound"] = bound;
      one["band"] = band;
      const std::string sfx = unit_suffix(check);
      one["figure"] = fmt::format("{} {}{} [{}, {}] ({} run{}) {} {}{}", check.label, fmt_num(fig->value), sfx, fmt_num(lo), fmt_num(hi), n,
                                  n == 1 ? "" : "s", op_text, bound_text, sfx);
      const Side side = check.op == CmpOp::eq ? side_of(lo, hi, check.op, bound) : side_of(lo - band, hi + band, check.op, bound);
      if (check.noise == Noise::cpu && cal.cpu_noise_cv > max_cpu_noise_cv) {
        one["verdict"] = "INCONCLUSIVE";
        one["why"] = fmt::format("CPU noise too high to decide (cv {:.2f} > {})", cal.cpu_noise_cv, max_cpu_noise_cv);
      } else if (check.noise == Noise::timer && cal.sleep_overshoot_p99_ms > max_timer_overshoot_u * unit_ms) {
        one["verdict"] = "INCONCLUSIVE";
        one["why"] = fmt::format("timer overshoot p99 {:.2f} ms exceeds {}u: use a larger --unit", cal.sleep_overshoot_p99_ms,
                                 max_timer_overshoot_u);
      } else if (side == Side::straddles) {
        one["verdict"] = "INCONCLUSIVE";
        one["straddles"] = true;
        one["why"] = band > 0 ? fmt::format("interval [{}, {}] ± noise band {} straddles the bound {}", fmt_num(lo), fmt_num(hi),
                                            fmt_num(band), fmt_num(bound))
                              : fmt::format("interval [{}, {}] straddles the bound {}", fmt_num(lo), fmt_num(hi), fmt_num(bound));
      } else {
        one["verdict"] = side == Side::holds ? "HOLDS" : "REFUTED";
      }
    }
    const std::string v = one["verdict"];
    auto adopt = [&] {
      d["figure"] = one.value("figure", "");
      for (const char* k : {"value", "interval", "confidence", "runs", "samples", "outliers", "bound", "band", "straddles"})
        if (one.contains(k)) d[k] = one[k];
    };
    if (v == "REFUTED" || (v == "INCONCLUSIVE" && verdict == "HOLDS")) {
      verdict = v;
      adopt();
      if (one.contains("why")) d["why"] = one["why"];
    } else if (!d.contains("figure") && one.contains("figure")) {
      adopt();
    }
    per_case.push_back(one);
  }
  d["verdict"] = verdict;
  d["cases"] = per_case;
  return {verdict, d};
}

// The Python cases' `gil` fact (1 with a GIL, 0 on a free-threaded build), if any case wrote one.
std::optional<bool> python_gil(const std::vector<CaseResult>& results) {
  for (const auto& c : results) {
    if (c.expect.model.rfind("python", 0) != 0) continue;
    for (const auto& run : c.runs)
      if (auto g = last_number(run, "gil")) return *g != 0;
  }
  return std::nullopt;
}

}  // namespace

std::optional<bool> selects(const Evidence& e, const CaseResult& c) {
  if (c.expect.scenario != e.scenario || c.expect.model != e.model) return false;
  for (const auto& [key, want] : e.where) {
    auto have = last_text(c, key);
    if (!have) return std::nullopt;
    if (*have != want) return false;
  }
  return true;
}

json decide_claims(const Registry& registry, const std::vector<CaseResult>& results, const Calibration& cal,
                   double unit_ms, bool python_available) {
  json out = json::array();
  const std::optional<bool> gil = python_gil(results);
  for (const auto& claim : registry.claims) {
    json c = {{"id", claim.id}, {"claim", claim.claim}, {"sources", json::array()}, {"scopes", json::array()}};
    for (const auto& s : claim.sources) c["sources"].push_back(json{{"id", s}, {"title", registry.article_title(s)}});
    for (const auto& scope : claim.scopes) {
      json s = {{"scope", scope.name}, {"checks", json::array()}};
      // Preconditions: a claim this machine cannot decide is INCONCLUSIVE, and that is expected.
      std::string unmet;
      if (scope.requires_.python && !python_available) unmet = "no Python interpreter";
      if (cal.usable_cores < scope.requires_.min_cores)
        unmet = fmt::format("needs {} usable cores, this machine has {}", scope.requires_.min_cores, cal.usable_cores);
      if (!unmet.empty()) {
        s["verdict"] = "INCONCLUSIVE";
        s["expected"] = "INCONCLUSIVE";
        s["reason"] = unmet;
        s["figure"] = "";
        s["caveats"] = json::array();
        c["scopes"].push_back(s);
        continue;
      }
      std::string verdict = "HOLDS", figure, reason;
      for (const auto& check : scope.checks) {
        CheckOutcome o = decide_check(check, results, cal, unit_ms);
        s["checks"].push_back(o.detail);
        if (figure.empty()) figure = o.detail.value("figure", "");
        if (o.verdict == "REFUTED" || (o.verdict == "INCONCLUSIVE" && verdict == "HOLDS")) {
          verdict = o.verdict;
          figure = o.detail.value("figure", "");
          reason = o.detail.value("why", "");
        }
      }
      json caveats = json::array();
      for (const auto& cv : scope.caveats) {
        CheckOutcome o = decide_check(cv.check, results, cal, unit_ms);
        json k = o.detail;
        k["note"] = o.verdict == "HOLDS"     ? cv.if_holds
                    : o.verdict == "REFUTED" ? cv.if_refuted
                                             : "undecided here: " + o.detail.value("why", "");
        caveats.push_back(k);
      }
      s["caveats"] = caveats;
      s["verdict"] = verdict;
      s["expected"] = to_string(scope.expect);
      if (scope.name == "python" && gil) s["python_build"] = *gil ? "gil" : "free-threaded";
      if (gil && !*gil && scope.expect_free_threaded) {
        s["expected"] = to_string(*scope.expect_free_threaded);
        s["expected_because"] = "free-threaded Python: the cases report the GIL disabled";
      }
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
    if (scenario == "cpu_parallelism" && !facts_named(c.runs.front(), "sweep_workers").empty()) {
      // One case sweeps W = 1, 2, 4, ..., cores, 2·cores: sweep_workers[i] pairs with sweep_speedup[i].
      std::map<double, std::vector<double>> by_w;
      for (const auto& r : c.runs) {
        auto ws = facts_named(r, "sweep_workers"), ss = facts_named(r, "sweep_speedup");
        for (std::size_t i = 0; i < ws.size() && i < ss.size(); ++i)
          if (ws[i].number && ss[i].number) by_w[*ws[i].number].push_back(*ss[i].number);
      }
      for (const auto& [w, s] : by_w) speedup[model].push_back(json::array({w, stats::median(s)}));
    } else if (scenario == "cpu_parallelism") {
      std::vector<double> s;
      std::optional<double> w;
      for (const auto& r : c.runs) {
        if (auto v = last_number(r, "speedup")) s.push_back(*v);
        if (!w) w = last_number(r, "workers");
      }
      if (!s.empty() && w) speedup[model].push_back(json::array({*w, stats::median(s)}));
    } else if (scenario == "spawn_overhead") {
      auto variant = last_text(c, "variant");
      std::vector<double> cost, mem;
      for (const auto& r : c.runs) {
        if (auto v = last_number(r, "per_unit_us")) cost.push_back(*v);
        if (auto v = last_number(r, "idle_kib_per_unit")) mem.push_back(*v);
      }
      json e = {{"model", model + (variant ? " (" + *variant + ")" : "")}};
      if (!cost.empty()) e["per_unit_us"] = stats::median(cost);
      if (!mem.empty()) e["idle_kib_per_unit"] = stats::median(mem);
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

}  // namespace conkit
