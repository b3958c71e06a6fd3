// The verify pipeline (conkit/verify.hpp): manifest, selection, order, interpreter, calibration,
// budgeted runs, deciding, and the raw document every report is rendered from.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "conkit/paths.hpp"
#include "conkit/report.hpp"
#include "conkit/run.hpp"
#include "conkit/verify.hpp"
#include "conkit/version.hpp"

namespace conkit {
namespace {

using json = nlohmann::json;

// The scenario/model pairs the checks of `registry` read.
std::set<std::pair<std::string, std::string>> evidence_needed(const Registry& registry) {
  std::set<std::pair<std::string, std::string>> need;
  for_each_check(registry, [&](const Check& check) {
    need.emplace(check.of.scenario, check.of.model);
    if (check.ratio_to) need.emplace(check.ratio_to->scenario, check.ratio_to->model);
  });
  return need;
}

// The registry restricted to the `only` claims, in registry order; an unknown id is an error.
Registry restrict_to(Registry r, const std::vector<std::string>& only) {
  if (only.empty()) return r;
  std::vector<std::string> problems;
  for (const auto& id : only)
    if (std::none_of(r.claims.begin(), r.claims.end(), [&](const Claim& c) { return c.id == id; }))
      problems.push_back(fmt::format("--only {}: no such claim in {}", id, r.file));
  if (!problems.empty()) throw RegistryError(problems);
  r.claims.erase(std::remove_if(r.claims.begin(), r.claims.end(),
                                [&](const Claim& c) { return std::find(only.begin(), only.end(), c.id) == only.end(); }),
                 r.claims.end());
  return r;
}

// A Python case ran (not SKIP "no interpreter", not ERROR "cannot start"): Python is available.
bool python_ran(const std::vector<CaseResult>& results) {
  return std::any_of(results.begin(), results.end(), [](const CaseResult& r) {
    return r.expect.model.rfind("python", 0) == 0 && r.status != Status::skip && r.status != Status::error;
  });
}

// Whether `e` reads case `c`: by scenario and model before it ran, and also by `where` once its
// facts are known (`ran`), so a variant no check reads (e.g. the forkserver start method, shown
// in the plots only) gets its one run and no more.
bool reads(const Evidence& e, const ShippedCase& c, const CaseResult* ran) {
  if (e.scenario != c.scenario || e.model != c.model) return false;
  return !ran || selects(e, *ran).value_or(true);  // a `where` fact it did not write: keep reading it
}

// How many runs a case needs: at least min_noisy_runs when a timer or CPU check reads it,
// min_ratio_runs pairs for a ratio, or what a check's `runs` asks; 0 leaves the file's `repeat`.
// -1: no check reads it (after its first run, see reads()).
int runs_wanted(const Registry& registry, const ShippedCase& c, const CaseResult* ran) {
  int want = -1;
  for_each_check(registry, [&](const Check& check) {
    if (!reads(check.of, c, ran) && !(check.ratio_to && reads(*check.ratio_to, c, ran))) return;
    want = std::max(want, 0);
    if (check.noise != Noise::none) want = std::max(want, min_noisy_runs);
    if (check.ratio_to) want = std::max(want, min_ratio_runs);
    want = std::max(want, check.runs);
  });
  return want;
}

// Scenarios whose cases spend their measured time waiting (sleeps, timers, loopback I/O), not
// computing: their figures are spans of waits, which a second waiting case beside them does not
// stretch on two or more cores (each uses a few ms of CPU per run: start-up and bookkeeping).
const std::set<std::string>& waiting_scenarios() {
  // loopback_fetch too: its hundred socket round trips use about 11 ms of CPU per run. (Its span
  // once straddled 1.5u, alone or beside another case: the descriptor table growing under two
  // threads, 13-24 ms per growth, which the case now does first: delay_server.hpp.)
  static const std::set<std::string> names = {"concurrent_fetch", "loopback_fetch", "worker_join", "blocking_call_in_loop"};
  return names;
}

// Whether case `c` may run beside other waiting cases (verify runs them on two lanes): its
// scenario only waits, a timer check reads it, and no check reads a CPU figure of it.
bool may_overlap(const Registry& registry, const ShippedCase& c) {
  if (!waiting_scenarios().count(c.scenario)) return false;
  bool timer = false, cpu = false;
  for_each_check(registry, [&](const Check& check) {
    if (!reads(check.of, c, nullptr) && !(check.ratio_to && reads(*check.ratio_to, c, nullptr))) return;
    timer = timer || check.noise == Noise::timer;
    cpu = cpu || check.noise == Noise::cpu;
  });
  return timer && !cpu;
}

// What verify appends to the case's argv: the `args` of the checks that read its scenario and
// model (the registry makes them agree).
std::vector<std::string> args_for(const Registry& registry, const ShippedCase& c) {
  std::vector<std::string> args;
  for_each_check(registry, [&](const Check& check) {
    for (const Evidence* e : {&check.of, check.ratio_to ? &*check.ratio_to : nullptr})
      if (e && e->scenario == c.scenario && e->model == c.model && !e->args.empty()) args = e->args;
  });
  return args;
}

// Cases joined by a ratio check form one group, run round by round (each member once per round,
// A B A B ...), so that run i of the numerator pairs with run i of the denominator.
std::vector<std::vector<std::size_t>> paired_groups(const Registry& registry, const std::vector<ShippedCase>& cases) {
  std::vector<std::size_t> group(cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) group[i] = i;
  std::function<std::size_t(std::size_t)> root = [&](std::size_t i) { return group[i] == i ? i : group[i] = root(group[i]); };
  auto is = [](const ShippedCase& c, const Evidence& e) { return c.scenario == e.scenario && c.model == e.model; };
  for_each_check(registry, [&](const Check& check) {
    if (!check.ratio_to) return;
    for (std::size_t a = 0; a < cases.size(); ++a)
      for (std::size_t b = 0; b < cases.size(); ++b)
        if (is(cases[a], check.of) && is(cases[b], *check.ratio_to)) group[root(a)] = root(b);
  });
  std::vector<std::vector<std::size_t>> out;
  std::map<std::size_t, std::size_t> index;  // root -> position in out, in (shuffled) case order
  for (std::size_t i = 0; i < cases.size(); ++i) {
    auto [it, fresh] = index.emplace(root(i), out.size());
    if (fresh) out.emplace_back();
    out[it->second].push_back(i);
  }
  return out;
}

// The checkout the cases' expected files (else the registry) come from, for its git revision.
std::string source_dir_of(const std::vector<ShippedCase>& cases, const std::string& registry) {
  const std::string file = cases.empty() ? registry : cases.front().expect;
  if (file.empty()) return "";
  return std::filesystem::absolute(file).parent_path().string();
}

int severity(Status s) {
  switch (s) {
    case Status::pass: case Status::skip: return 0;
    case Status::flaky: return 1;
    case Status::fail: return 2;
    default: return 3;
  }
}

// More runs of the same case: appended; the status and reason are the worse of the two, where a
// SKIP (a run that could not decide: e.g. every repetition disturbed) yields to any other status,
// so one skipped run does not hide the evidence of the others.
void merge_runs(CaseResult& into, CaseResult more) {
  const bool take = more.status != Status::skip &&
                    (into.status == Status::skip || severity(more.status) > severity(into.status));
  if (take) into.status = more.status, into.reason = more.reason;
  for (auto& r : more.runs) into.runs.push_back(std::move(r));
  for (auto& g : more.grades) into.grades.push_back(std::move(g));
  for (auto& f : more.failures) into.failures.push_back(std::move(f));
  into.wall_ms += more.wall_ms;
}

// The cases of the checks whose interval straddles their bound, or whose every run was disturbed
// by foreign load (those more runs can decide).
std::set<std::string> straddling_cases(const json& claims) {
  std::set<std::string> out;
  for (const auto& c : claims)
    for (const auto& s : c.value("scopes", json::array()))
      for (const auto& k : s.value("checks", json::array()))
        for (const auto& one : k.value("cases", json::array()))
          if (one.value("straddles", false) || one.value("loaded", false)) {
            out.insert(one.value("case", ""));
            if (one.contains("paired_with")) out.insert(one.value("paired_with", ""));
          }
  return out;
}

// Share of all online cores' capacity that was busy during `window_ms` (/proc/stat, steal
// included). verify() runs nothing meanwhile, so all of it is foreign load.
double busy_share(double window_ms) {
  auto sample = [] {
    std::ifstream in("/proc/stat");
    std::string cpu;
    unsigned long long v[8] = {};
    in >> cpu >> v[0] >> v[1] >> v[2] >> v[3] >> v[4] >> v[5] >> v[6] >> v[7];
    const unsigned long long idle = v[3] + v[4], total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
    return std::pair<double, double>(static_cast<double>(total - idle), static_cast<double>(total));
  };
  auto [busy0, total0] = sample();
  std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(window_ms));
  auto [busy1, total1] = sample();
  return total1 > total0 ? (busy1 - busy0) / (total1 - total0) : 0;
}

// Waits up to `max_s` for a quiet machine (busy share at most max_foreign_load, as `probe` or else
// busy_share measures it); returns the last busy share measured.
double wait_for_quiet(double max_s, const std::function<double(double)>& probe) {
  auto measure = [&] { return probe ? probe(300) : busy_share(300); };
  const auto t0 = std::chrono::steady_clock::now();
  double share = measure();
  while (share > max_foreign_load && std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < max_s)
    share = measure();
  return share;
}

std::optional<Status> status_named(const std::string& s) {
  for (Status st : {Status::pass, Status::fail, Status::flaky, Status::timeout, Status::crash, Status::flood, Status::skip,
                    Status::invalid, Status::error})
    if (to_string(st) == s) return st;
  return std::nullopt;
}

// What deciding reads of a stored case (conkit/report.hpp to_json): name, status, scenario, model,
// and per run its facts and output lines. Anything else of the case is not evidence.
std::vector<CaseResult> evidence_from_json(const json& cases) {
  std::vector<CaseResult> out;
  for (const auto& j : cases) {
    CaseResult c;
    c.name = j.value("name", "");
    c.reason = j.value("reason", "");
    // A status this build does not know (a newer document) is not evidence.
    c.status = status_named(j.value("status", "")).value_or(Status::error);
    const json e = j.value("expect", json::object());
    c.expect.scenario = e.value("scenario", "");
    c.expect.model = e.value("model", "");
    c.unit_ms = j.value("unit_ms", 100.0);
    for (const auto& jr : j.value("runs", json::array())) {
      RunResult r;
      for (const auto& jf : jr.value("facts", json::array())) {
        Fact f;
        f.name = jf.value("name", "");
        const json v = jf.value("value", json());
        if (v.is_number()) f.number = v.get<double>();
        if (v.is_string()) f.string = v.get<std::string>();
        f.value_json = v.dump();
        f.t_ms = jf.value("t_ms", 0.0);
        r.facts.push_back(std::move(f));
      }
      for (const auto& jl : jr.value("lines", json::array())) {
        Line l;
        l.stream = jl.value("stream", "out") == "err" ? Stream::err : Stream::out;
        l.t_ms = jl.value("t_ms", 0.0);
        l.text = jl.value("text", "");
        r.lines.push_back(std::move(l));
      }
      c.runs.push_back(std::move(r));
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

bool ShippedCase::has_label(const std::string& l) const { return std::find(labels.begin(), labels.end(), l) != labels.end(); }

std::vector<ShippedCase> load_manifest(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read the case manifest " + path + " (build the project first, or pass --manifest)");
  json j;
  try {
    in >> j;
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": not valid JSON: " + e.what());
  }
  std::vector<ShippedCase> cases;
  const auto origin = std::filesystem::absolute(path).parent_path();  // for "$ORIGIN/" paths (paths.hpp)
  try {
    for (const auto& c : j.at("cases")) {
      ShippedCase s;
      s.name = c.at("name");
      s.scenario = c.at("scenario");
      s.model = c.at("model");
      s.expect = resolve_origin(c.at("expect"), origin);
      s.argv = c.at("argv").get<std::vector<std::string>>();
      for (auto& a : s.argv) a = resolve_origin(a, origin);
      s.check_args = c.value("check_args", std::vector<std::string>{});
      s.labels = c.value("labels", std::vector<std::string>{});
      cases.push_back(std::move(s));
    }
  } catch (const json::exception& e) {
    throw std::runtime_error(path + ": not a case manifest: " + e.what());
  }
  return cases;
}

std::string resolve_python(const std::string& python) {
  RunOptions o;
  o.argv = {python, "-c", "import sys; print(sys.executable)"};
  o.timeout_ms = 10000;
  RunResult r = run(o);
  for (const auto& line : r.lines)
    if (line.stream == Stream::out && !line.text.empty() && r.ending == Ending::exited && r.exit_code == 0) return std::string(line.text);
  throw std::runtime_error("cannot run the Python interpreter '" + python + "'");
}

CheckOptions case_options(const ShippedCase& c, const CheckOptions& base, const std::string& python) {
  CheckOptions o = base;
  o.run.argv = c.argv;
  if (!python.empty() && c.has_label("python") && !o.run.argv.empty()) o.run.argv[0] = python;
  o.name = c.name;
  for (std::size_t i = 0; i + 1 < c.check_args.size(); i += 2) {
    const std::string& k = c.check_args[i];
    const std::string& v = c.check_args[i + 1];
    if (k == "--repeat" && !base.repeat) o.repeat = std::stoi(v);
    else if (k == "--retries") o.retries = std::max(o.retries, std::stoi(v));
    else if (k == "--timeout" && !base.timeout_ms) o.timeout_ms = std::stod(v) * 1000;
  }
  return o;
}

VerifyResult verify(const VerifyOptions& vo) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  auto elapsed_s = [&] { return std::chrono::duration<double>(clock::now() - t0).count(); };
  auto cancelled = [&] { return vo.cancel && *vo.cancel; };
  auto status = [&](const std::string& s) {
    if (vo.on_status) vo.on_status(s);
  };

  const Registry registry = restrict_to(load_registry(vo.registry), vo.only);
  const auto need = evidence_needed(registry);
  std::vector<ShippedCase> cases;
  json case_args = json::object();  // case -> the registry's `args` appended to its argv
  for (auto& c : load_manifest(vo.manifest))
    if (need.count({c.scenario, c.model}) && !c.has_label("meta")) {
      const auto args = args_for(registry, c);
      c.argv.insert(c.argv.end(), args.begin(), args.end());
      if (!args.empty()) case_args[c.name] = args;
      cases.push_back(c);
    }
  const unsigned seed = vo.seed ? *vo.seed : std::random_device{}();
  std::shuffle(cases.begin(), cases.end(), std::mt19937(seed));

  // An interpreter that cannot run leaves the Python cases to fail on their own (SKIP/ERROR), so
  // their scopes read "no Python interpreter".
  std::string python = vo.python;
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

  status("calibrating");
  const Calibration cal = calibrate();
  const double unit_ms = vo.base.run.unit_ms;

  VerifyResult out;
  json& raw = out.raw;
  raw = {{"conkit", version()},
         {"kind", "verify"},
         {"environment", environment_fingerprint(to_string(vo.base.sanitizer), python, source_dir_of(cases, vo.registry))},
         {"calibration", to_json(cal)},
         {"options", {{"unit_ms", unit_ms}, {"budget_s", vo.budget_s}, {"seed", seed}, {"only", vo.only},
                      {"python", python}, {"registry", vo.registry}, {"case_args", case_args}}}};
  // Phase 1: R rounds over every group (paired cases next to each other), R from the checks that
  // read each case. Phase 2: while some check's interval straddles its bound, one more round of
  // its group, each straddling group within an equal share of the budget left.
  const auto groups = paired_groups(registry, cases);
  std::vector<int> want(cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) want[i] = runs_wanted(registry, cases[i], nullptr);
  // Groups whose every case waits (may_overlap) run on two lanes beside each other, each group's
  // cases in their order on one lane (a ratio's pair still alternates A B A B).
  std::vector<char> waits(groups.size(), 0);
  for (std::size_t k = 0; k < groups.size(); ++k)
    waits[k] = std::all_of(groups[k].begin(), groups[k].end(), [&](std::size_t i) { return may_overlap(registry, cases[i]); });
  std::vector<std::optional<CaseResult>> result_of(cases.size());
  // A case whose last run SKIPped (the machine was too busy to decide, or cannot) gets no more
  // runs in phase 1: more would most likely skip too. With --wait-quiet it resumes once quiet.
  std::vector<char> parked(cases.size(), 0);
  // Runs of each case that did not SKIP: what a resumed case still owes is counted from these, so
  // a run disturbed by foreign load does not stand in for an undisturbed one.
  std::vector<int> good_runs(cases.size(), 0);
  std::string incomplete;
  std::size_t calls = 0, planned = 0;
  for (int w : want) planned += static_cast<std::size_t>(std::max(1, w));
  // Case i's options for `repeat` runs (0: the file's repeat), or nothing when the run must stop.
  auto start_case = [&](std::size_t i, int repeat) -> std::optional<CheckOptions> {
    if (cancelled()) return incomplete = vo.cancel_reason, std::nullopt;
    if (elapsed_s() > vo.budget_s) return incomplete = fmt::format("time budget of {} s spent", static_cast<int>(vo.budget_s)), std::nullopt;
    if (vo.on_progress) {
      VerifyProgress p{calls, std::max(planned, calls + 1), cases[i].name, elapsed_s(), std::nullopt};
      if (calls && planned > calls) p.left_s = elapsed_s() / calls * (planned - calls);
      vo.on_progress(p);
    }
    ++calls;
    CheckOptions o = case_options(cases[i], vo.base, python);
    if (repeat > 0 && !vo.base.repeat) o.repeat = repeat;
    o.run.cancel = vo.cancel;
    return o;
  };
  // Records what case i's runs gave; false when the run must stop.
  auto finish_case = [&](std::size_t i, CaseResult r) {
    parked[i] = r.status == Status::skip;
    if (!parked[i]) good_runs[i] += static_cast<int>(r.runs.size());
    if (result_of[i]) merge_runs(*result_of[i], std::move(r));
    else result_of[i] = std::move(r);
    if (cancelled()) {
      result_of[i]->reason += " [interrupted]";
      return incomplete = vo.cancel_reason, false;
    }
    return true;
  };
  // Runs case i `repeat` times (0: the file's repeat); false when the run must stop.
  auto run_case = [&](std::size_t i, int repeat) {
    auto o = start_case(i, repeat);
    return o && finish_case(i, check_file(cases[i].expect, *o));
  };
  auto run_round = [&](const std::vector<std::size_t>& g) {
    for (std::size_t i : g)
      if (!run_case(i, 1)) return false;
    return true;
  };
  // One run of each case of `units` (groups of waiting cases), the units on two lanes: this thread
  // and one more, each unit's cases in order on one lane. The options (budget, stop, progress)
  // are taken and the results recorded on this thread; only check_file runs on the other.
  auto run_waiting = [&](std::vector<std::vector<std::size_t>> units) {
    // The longest units first, so that the lanes end about together.
    std::stable_sort(units.begin(), units.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
    std::vector<std::vector<std::pair<std::size_t, CheckOptions>>> todo;
    bool started = true;
    for (const auto& u : units) {
      todo.emplace_back();
      for (std::size_t i : u) {
        auto o = started ? start_case(i, 1) : std::nullopt;
        if (!o) {
          started = false;
          break;
        }
        todo.back().emplace_back(i, std::move(*o));
      }
    }
    std::vector<std::optional<CaseResult>> got(cases.size());
    std::atomic<std::size_t> next{0};
    std::exception_ptr failed[2];
    auto lane = [&](int k) {
      try {
        for (std::size_t u; (u = next++) < todo.size();)
          for (const auto& [i, o] : todo[u]) got[i] = check_file(cases[i].expect, o);
      } catch (...) {
        failed[k] = std::current_exception();
        next = todo.size();  // the other lane stops after its current case
      }
    };
    // On one usable core the lanes would only take turns on it and stretch each other's spans.
    std::thread other;
    if (cal.usable_cores >= 2) other = std::thread(lane, 1);
    lane(0);
    if (other.joinable()) other.join();
    for (const auto& f : failed)
      if (f) std::rethrow_exception(f);
    bool go_on = started;
    for (const auto& u : todo)
      for (const auto& [i, o] : u) go_on = finish_case(i, std::move(*got[i])) && go_on;
    return go_on;
  };
  auto collect = [&] {
    out.results.clear();
    for (auto& r : result_of)
      if (r) out.results.push_back(*r);
  };
  // Round by round over all groups (not group after group), so a spent budget still leaves every
  // claim some evidence: round 0 runs every case (as its file says when no check asks for more),
  // later rounds one more run of each case that wants more.
  bool go = true;
  int rounds = 1;
  for (int w : want) rounds = std::max(rounds, w);
  for (int r = 0; go && r < rounds; ++r) {
    std::vector<std::vector<std::size_t>> waiting;  // this round's waiting groups: on two lanes, after the others
    for (std::size_t k = 0; go && k < groups.size(); ++k) {
      std::vector<std::size_t> due;
      for (std::size_t i : groups[k])
        if (!parked[i] && (r == 0 || want[i] > r)) due.push_back(i);
      if (due.empty()) continue;
      if (waits[k] && std::all_of(due.begin(), due.end(), [&](std::size_t i) { return want[i] > 0; })) {
        waiting.push_back(due);
        continue;
      }
      for (std::size_t i : due)
        if (go) go = run_case(i, want[i] > 0 ? 1 : 0);
    }
    if (go && !waiting.empty()) go = run_waiting(waiting);
    if (r > 0) continue;
    // Every case has run once: its facts say which `where` it meets, so a variant no check reads
    // (want -1) gets no more runs and one read only by exact checks (want 0) none either.
    rounds = 1;
    planned = calls;
    for (std::size_t i = 0; i < cases.size(); ++i) {
      if (result_of[i]) want[i] = runs_wanted(registry, cases[i], &*result_of[i]);
      rounds = std::max(rounds, want[i]);
      planned += static_cast<std::size_t>(std::max(0, want[i] - 1));
    }
  }
  // Parked cases resume their runs when the machine has become quiet (--wait-quiet).
  if (go && vo.wait_quiet_s > 0 && std::count(parked.begin(), parked.end(), 1) > 0) {
    status(fmt::format("{} case(s) skipped on a busy machine: waiting up to {} s for a quiet one",
                       std::count(parked.begin(), parked.end(), 1), vo.wait_quiet_s));
    if (wait_for_quiet(std::min(vo.wait_quiet_s, std::max(0.0, vo.budget_s - elapsed_s())), vo.load_probe) <= max_foreign_load)
      for (std::size_t i = 0; go && i < cases.size(); ++i) {
        if (!parked[i] || !result_of[i]) continue;
        // Its remaining runs (the skipped ones are not counted), unless it skips again.
        while (go && good_runs[i] < std::max(1, want[i])) {
          go = run_case(i, 1);
          if (parked[i]) break;
        }
      }
  }
  collect();
  json claims = decide_claims(registry, out.results, cal, unit_ms, python_ran(out.results));
  int extra_rounds = 0;
  for (auto more = straddling_cases(claims); go && !more.empty() && extra_rounds < max_extra_rounds; more = straddling_cases(claims)) {
    const double share_s = (vo.budget_s - elapsed_s()) / static_cast<double>(more.size());
    if (share_s <= 0) break;
    status(fmt::format("{} case(s) straddle a bound or ran under load: more runs", more.size()));
    if (vo.wait_quiet_s > 0) {
      const double share = wait_for_quiet(std::min(vo.wait_quiet_s, std::max(0.0, vo.budget_s - elapsed_s())), vo.load_probe);
      if (share > max_foreign_load) status(fmt::format("machine still busy ({:.0f} % of the cores): running anyway", 100 * share));
    }
    // Waiting groups among them run on two lanes: a group its round, a single case its two runs.
    std::vector<std::vector<std::size_t>> waiting, twice;
    for (std::size_t k = 0; k < groups.size(); ++k) {
      std::vector<std::size_t> read;  // the group's cases some check reads
      std::copy_if(groups[k].begin(), groups[k].end(), std::back_inserter(read), [&](std::size_t i) { return want[i] >= 0; });
      if (std::none_of(read.begin(), read.end(), [&](std::size_t i) { return more.count(cases[i].name); })) continue;
      if (waits[k]) {
        waiting.push_back(read);
        if (read.size() == 1) twice.push_back(read);
        continue;
      }
      const double t = elapsed_s();
      go = read.size() > 1 ? run_round(read) : run_case(read[0], 2);
      if (!go || elapsed_s() - t > share_s) break;
    }
    if (go && !waiting.empty()) go = run_waiting(waiting);
    if (go && !twice.empty()) go = run_waiting(twice);
    ++extra_rounds;
    collect();
    claims = decide_claims(registry, out.results, cal, unit_ms, python_ran(out.results));
  }
  if (!incomplete.empty()) {
    std::size_t not_run = 0;
    for (auto& r : result_of) not_run += !r;
    if (not_run) incomplete += fmt::format("; {} case(s) not run", not_run);
  }

  raw["complete"] = incomplete.empty();
  if (!incomplete.empty()) raw["incomplete_reason"] = incomplete;
  raw["cases"] = to_json(out.results).at("cases");
  raw["claims"] = claims;
  raw["plots"] = plot_data(out.results);
  raw["duration_s"] = elapsed_s();
  return out;
}

json redecide(json raw, const Registry& registry) {
  const std::vector<CaseResult> results = evidence_from_json(raw.value("cases", json::array()));
  const Calibration cal = calibration_from_json(raw.value("calibration", json::object()));
  const double unit_ms = raw.value("options", json::object()).value("unit_ms", 100.0);
  std::vector<std::string> only = raw.value("options", json::object()).value("only", std::vector<std::string>{});
  const Registry chosen = restrict_to(registry, only);
  raw["claims"] = decide_claims(chosen, results, cal, unit_ms, python_ran(results));
  raw["plots"] = plot_data(results);
  return raw;
}

VerifyExit verify_exit(const json& raw) {
  bool undecided = !raw.value("complete", false);
  for (const auto& c : raw.value("claims", json::array()))
    for (const auto& s : c.value("scopes", json::array())) {
      const std::string v = s.value("verdict", ""), e = s.value("expected", "HOLDS");
      if (v == e) continue;
      if (v == "INCONCLUSIVE") undecided = true;
      else return VerifyExit::contradicted;  // REFUTED where HOLDS is expected, or the reverse
    }
  return undecided ? VerifyExit::undecided : VerifyExit::as_expected;
}

int verify_exit_status(const json& raw) { return static_cast<int>(verify_exit(raw)); }

bool verify_passed(const json& raw) { return verify_exit(raw) == VerifyExit::as_expected; }

std::string verify_summary(const json& raw) {
  int scopes = 0, contradicted = 0, undecided = 0;
  for (const auto& c : raw.value("claims", json::array()))
    for (const auto& s : c.value("scopes", json::array())) {
      ++scopes;
      const std::string v = s.value("verdict", ""), e = s.value("expected", "HOLDS");
      if (v != e) ++(v == "INCONCLUSIVE" ? undecided : contradicted);
    }
  switch (verify_exit(raw)) {
    case VerifyExit::as_expected: return fmt::format("exit 0: all {} scope(s) decided as expected for this machine", scopes);
    case VerifyExit::contradicted:
      return fmt::format("exit 1: {} of {} scope(s) CONTRADICT their expectation ({} more undecided)", contradicted, scopes, undecided);
    case VerifyExit::undecided:
      return fmt::format("exit 3: nothing contradicted, but {} of {} scope(s) this machine should decide are INCONCLUSIVE{}", undecided,
                         scopes, raw.value("complete", false) ? "" : " (run incomplete)");
  }
  return "";
}

void write_verify_reports(const json& raw, const std::string& dir) {
  write_file(dir + "/results.json", raw.dump(2) + "\n");
  write_file(dir + "/claims.md", render_markdown(raw));
  write_file(dir + "/claims-junit.xml", render_claims_junit(raw));
  write_file(dir + "/report.html", render_html(raw));
}

}  // namespace conkit
