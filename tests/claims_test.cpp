// The claims layer: every way a check is decided (HOLDS, REFUTED, INCONCLUSIVE for noise, missing
// evidence, unusable status, unmet precondition), figure arithmetic, the registry shipped in
// expected/claims.json, the renderers and the comparison. Case results are built by hand.
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/stats.hpp"
#include "conkit/claims.hpp"
#include "conkit/report.hpp"
#include "conkit/verify.hpp"

namespace {

using json = nlohmann::json;
using conkit::CaseResult;

conkit::Fact number_fact(const std::string& name, double v) {
  conkit::Fact f;
  f.name = name;
  f.number = v;
  f.value_json = json(v).dump();
  return f;
}
conkit::Fact string_fact(const std::string& name, const std::string& v) {
  conkit::Fact f;
  f.name = name;
  f.string = v;
  f.value_json = json(v).dump();
  return f;
}

// A case result with one run per element of `runs`, each a list of facts.
CaseResult make_case(const std::string& scenario, const std::string& model,
                     const std::vector<std::vector<conkit::Fact>>& runs,
                     conkit::Status status = conkit::Status::pass) {
  CaseResult c;
  c.name = scenario + "." + model;
  c.expect.scenario = scenario;
  c.expect.model = model;
  c.status = status;
  for (const auto& facts : runs) {
    conkit::RunResult r;
    r.facts = facts;
    c.runs.push_back(r);
  }
  return c;
}

conkit::Calibration quiet_machine() {
  conkit::Calibration c;
  c.usable_cores = 2;
  c.online_cores = 2;
  c.sleep_overshoot_p99_ms = 0.3;
  c.cpu_noise_cv = 0.02;
  return c;
}

// A one-claim registry; checks written here without a reason get one (the parser requires it).
json registry_with(json check, const json& requires_ = json::array()) {
  if (!check.contains("reason")) check["reason"] = "test";
  return {{"articles", {{"003", "An article"}}},
          {"claims", {{{"id", "c1"}, {"claim", "a claim"}, {"sources", {"003"}},
                       {"scopes", {{"native", {{"requires", requires_}, {"checks", {check}}}}}}}}}};
}

json decide(const json& registry, const std::vector<CaseResult>& results, const conkit::Calibration& cal, double unit_ms,
            bool python) {
  return conkit::decide_claims(conkit::parse_registry(registry, "test.json"), results, cal, unit_ms, python);
}

const json span_check = {{"label", "span"}, {"scenario", "concurrent_fetch"}, {"model", "async"}, {"fact", "span_ms"},
                         {"per", "unit"}, {"op", "<="}, {"bound", 1.5}, {"noise", "timer"}, {"reason", "r"}};

std::string verdict_of(const json& decided) { return decided[0]["scopes"][0]["verdict"]; }

std::vector<std::vector<conkit::Fact>> span_runs(const std::vector<double>& ms) {
  std::vector<std::vector<conkit::Fact>> runs;
  for (double v : ms) runs.push_back({number_fact("span_ms", v)});
  return runs;
}

TEST(Claims, HoldsWhenTheWholeIntervalMeetsTheBound) {
  // Nine runs, one of them slow (1.9u): the median's 96 % interval (2nd to 8th of the sorted runs)
  // lies below 1.5u, the slow run is shown as an outlier, not dropped, not deciding.
  std::vector<CaseResult> r{make_case("concurrent_fetch", "async", span_runs({102, 105, 103, 104, 190, 101, 106, 103, 104}))};
  json d = decide(registry_with(span_check), r, quiet_machine(), 100, true);
  EXPECT_EQ(verdict_of(d), "HOLDS") << d.dump(2);
  const json& k = d[0]["scopes"][0]["checks"][0];
  EXPECT_NE(d[0]["scopes"][0]["figure"].get<std::string>().find("span 1.04u [1.02, 1.06] (9 runs) <= 1.5u"), std::string::npos) << d.dump(2);
  EXPECT_EQ(k["runs"], 9);
  EXPECT_EQ(k["interval"], json({1.02, 1.06}));
  EXPECT_EQ(k["outliers"], json({1.9}));
  EXPECT_EQ(k["samples"].size(), 9u);
  EXPECT_GE(k["confidence"].get<double>(), 0.95);
}

TEST(Claims, InconclusiveWhenTheIntervalStraddlesTheBound) {
  // Three runs at 1.02u, 1.9u, 1.05u: the median is below 1.5u, but with three runs the interval
  // is [min, max], and it reaches across the bound: more runs are needed, not a verdict.
  std::vector<CaseResult> r{make_case("concurrent_fetch", "async", span_runs({102, 190, 105}))};
  json d = decide(registry_with(span_check), r, quiet_machine(), 100, true);
  EXPECT_EQ(verdict_of(d), "INCONCLUSIVE") << d.dump(2);
  EXPECT_NE(d[0]["scopes"][0]["reason"].get<std::string>().find("interval [1.02, 1.9]"), std::string::npos) << d.dump(2);
  EXPECT_NE(d[0]["scopes"][0]["reason"].get<std::string>().find("straddles the bound 1.5"), std::string::npos) << d.dump(2);
  EXPECT_EQ(d[0]["scopes"][0]["checks"][0]["cases"][0]["straddles"], true);
  // All of it above the bound: REFUTED.
  std::vector<CaseResult> slow{make_case("concurrent_fetch", "async", span_runs({170, 190, 180, 175, 185}))};
  EXPECT_EQ(verdict_of(decide(registry_with(span_check), slow, quiet_machine(), 100, true)), "REFUTED");
}

TEST(Claims, RatiosArePairedRunByRun) {
  // The machine slowed down by half between runs: both models' costs doubled together. The ratio
  // per pair is 13 both times, so the interval is [13, 13]; medians of each side would mix runs.
  json ratio = {{"scenario", "spawn_overhead"}, {"model", "processes"}, {"fact", "per_unit_us"},
                {"ratio_to", {{"scenario", "spawn_overhead"}, {"model", "threads"}, {"fact", "per_unit_us"}}}, {"op", ">="}, {"bound", 3}};
  auto runs = [](std::vector<double> v) {
    std::vector<std::vector<conkit::Fact>> out;
    for (double x : v) out.push_back({number_fact("per_unit_us", x)});
    return out;
  };
  std::vector<CaseResult> spawn{make_case("spawn_overhead", "processes", runs({650, 1300})),
                                make_case("spawn_overhead", "threads", runs({50, 100}))};
  json d = decide(registry_with(ratio), spawn, quiet_machine(), 100, true);
  const json& k = d[0]["scopes"][0]["checks"][0];
  EXPECT_EQ(k["interval"], json({13.0, 13.0})) << d.dump(2);
  EXPECT_EQ(k["runs"], 2);
  EXPECT_EQ(k["cases"][0]["paired_with"], "spawn_overhead.threads");
}

TEST(Stats, MedianIntervalFromOrderStatistics) {
  // n = 5: even [min, max] covers only 1 - 2/32 = 93.75 %, and says so.
  auto five = conkit::stats::median_interval({5, 1, 4, 2, 3});
  EXPECT_EQ(five.lo, 1);
  EXPECT_EQ(five.hi, 5);
  EXPECT_DOUBLE_EQ(five.confidence, 0.9375);
  // n = 9: the 2nd and 8th values (1 - 2·10/512 = 96.1 %).
  auto nine = conkit::stats::median_interval({9, 1, 8, 2, 7, 3, 6, 4, 5});
  EXPECT_EQ(nine.lo, 2);
  EXPECT_EQ(nine.hi, 8);
  EXPECT_NEAR(nine.confidence, 0.961, 0.001);
  // n = 20: the 6th and 15th (95.9 %; the 7th and 14th would cover 88.5 %).
  std::vector<double> twenty;
  for (int i = 1; i <= 20; ++i) twenty.push_back(i);
  auto t = conkit::stats::median_interval(twenty);
  EXPECT_EQ(t.lo, 6);
  EXPECT_EQ(t.hi, 15);
  EXPECT_EQ(conkit::stats::median_interval({7}).lo, 7);
}

TEST(Stats, IqrOutliersAndMad) {
  EXPECT_EQ(conkit::stats::iqr_outliers({10, 11, 10, 12, 11, 40}), std::vector<std::size_t>({5}));
  EXPECT_TRUE(conkit::stats::iqr_outliers({10, 11, 10, 12, 11}).empty());
  // One far sample does not move the MAD estimate of the spread (the standard deviation would).
  EXPECT_NEAR(conkit::stats::mad_sigma({10, 10.2, 9.8, 10.1, 9.9, 30}), 0.15 * 1.4826, 1e-9);
}

TEST(Claims, RefutedWhenTheFigureMissesTheBound) {
  std::vector<CaseResult> r{make_case("concurrent_fetch", "async", {{number_fact("span_ms", 201)}})};
  EXPECT_EQ(verdict_of(decide(registry_with(span_check), r, quiet_machine(), 100, true)), "REFUTED");
}

TEST(Claims, InconclusiveInsideTheNoiseBand) {
  // p99 overshoot 2 ms at u = 10 ms: band 2*2/10 = 0.4u around 1.5u; 1.6u is inside it.
  conkit::Calibration noisy = quiet_machine();
  noisy.sleep_overshoot_p99_ms = 2;
  std::vector<CaseResult> r{make_case("concurrent_fetch", "async", {{number_fact("span_ms", 16)}})};
  json d = decide(registry_with(span_check), r, noisy, 10, true);
  EXPECT_EQ(verdict_of(d), "INCONCLUSIVE") << d.dump(2);
  EXPECT_NE(d[0]["scopes"][0]["reason"].get<std::string>().find("noise band"), std::string::npos);
}

TEST(Claims, InconclusiveWhenTimerNoiseExceedsAQuarterUnit) {
  conkit::Calibration noisy = quiet_machine();
  noisy.sleep_overshoot_p99_ms = 30;
  std::vector<CaseResult> r{make_case("concurrent_fetch", "async", {{number_fact("span_ms", 101)}})};
  EXPECT_EQ(verdict_of(decide(registry_with(span_check), r, noisy, 100, true)), "INCONCLUSIVE");
}

TEST(Claims, InconclusiveWithoutEvidence) {
  json none = decide(registry_with(span_check), {}, quiet_machine(), 100, true);
  EXPECT_EQ(verdict_of(none), "INCONCLUSIVE");
  EXPECT_NE(none[0]["scopes"][0]["reason"].get<std::string>().find("no evidence"), std::string::npos);

  std::vector<CaseResult> timed_out{make_case("concurrent_fetch", "async", {{number_fact("span_ms", 100)}}, conkit::Status::timeout)};
  EXPECT_EQ(verdict_of(decide(registry_with(span_check), timed_out, quiet_machine(), 100, true)), "INCONCLUSIVE");

  std::vector<CaseResult> no_fact{make_case("concurrent_fetch", "async", {{number_fact("other", 1)}})};
  EXPECT_EQ(verdict_of(decide(registry_with(span_check), no_fact, quiet_machine(), 100, true)), "INCONCLUSIVE");
}

TEST(Claims, UnmetPreconditionIsExpectedInconclusive) {
  conkit::Calibration one_core = quiet_machine();
  one_core.usable_cores = 1;
  std::vector<CaseResult> r{make_case("concurrent_fetch", "async", {{number_fact("span_ms", 100)}})};
  json d = decide(registry_with(span_check, {"cores>=2"}), r, one_core, 100, true);
  EXPECT_EQ(verdict_of(d), "INCONCLUSIVE");
  EXPECT_EQ(d[0]["scopes"][0]["expected"], "INCONCLUSIVE");
  json no_py = decide(registry_with(span_check, {"python"}), r, quiet_machine(), 100, false);
  EXPECT_EQ(no_py[0]["scopes"][0]["reason"], "no Python interpreter");
}

TEST(Claims, SpeedupBoundScalesWithUsableCoresAndPicksTheLargestFittingW) {
  json check = {{"label", "speedup"}, {"scenario", "cpu_parallelism"}, {"model", "threads"}, {"fact", "speedup"},
                {"pick", "max_workers_le_cores"}, {"op", ">="}, {"bound", {{"k", 0.7}, {"times", "min_workers_cores"}}},
                {"noise", "cpu"}};
  auto w = [](double workers, double speedup) {
    return make_case("cpu_parallelism", "threads", {{number_fact("workers", workers), number_fact("speedup", speedup)}});
  };
  // W=4 exceeds 2 cores and is ignored; W=2 at 1.9x >= 1.4 holds.
  json d = decide(registry_with(check), {w(1, 1.0), w(2, 1.9), w(4, 0.5)}, quiet_machine(), 100, true);
  EXPECT_EQ(verdict_of(d), "HOLDS") << d.dump(2);
  EXPECT_EQ(d[0]["scopes"][0]["checks"][0]["bound"], 1.4);
  // W=2 at 1.0x: a machine where threads do not run in parallel refutes it.
  EXPECT_EQ(verdict_of(decide(registry_with(check), {w(2, 1.0)}, quiet_machine(), 100, true)), "REFUTED");
}

TEST(Claims, WhereMinusPerFactCombineAndRatio) {
  json lost = {{"scenario", "shared_counter"}, {"model", "threads"}, {"where", {{"variant", "racy"}}}, {"fact", "expected"},
               {"minus", "counter"}, {"combine", "max"}, {"op", ">"}, {"bound", 0}};
  auto racy = [](double counter) {
    return std::vector<conkit::Fact>{string_fact("variant", "racy"), number_fact("expected", 1000), number_fact("counter", counter)};
  };
  auto mutex = make_case("shared_counter", "threads", {{string_fact("variant", "mutex"), number_fact("expected", 1000), number_fact("counter", 900)}});
  // One run of three lost updates: the max over runs decides; the mutex case is not selected.
  EXPECT_EQ(verdict_of(decide(registry_with(lost), {make_case("shared_counter", "threads", {racy(1000), racy(997), racy(1000)}), mutex},
                                             quiet_machine(), 100, true)), "HOLDS");
  EXPECT_EQ(verdict_of(decide(registry_with(lost), {make_case("shared_counter", "threads", {racy(1000)})}, quiet_machine(), 100, true)),
            "REFUTED");

  json exact = {{"scenario", "shared_counter"}, {"model", "threads"}, {"where", {{"variant", "mutex"}}}, {"fact", "counter"},
                {"per", "fact:expected"}, {"op", "=="}, {"bound", 1}};
  EXPECT_EQ(verdict_of(decide(registry_with(exact), {mutex}, quiet_machine(), 100, true)), "REFUTED");

  json ratio = {{"scenario", "spawn_overhead"}, {"model", "processes"}, {"fact", "per_unit_us"},
                {"ratio_to", {{"scenario", "spawn_overhead"}, {"model", "threads"}, {"fact", "per_unit_us"}}}, {"op", ">="}, {"bound", 3}};
  std::vector<CaseResult> spawn{make_case("spawn_overhead", "processes", {{number_fact("per_unit_us", 650)}}),
                                make_case("spawn_overhead", "threads", {{number_fact("per_unit_us", 50)}})};
  json d = decide(registry_with(ratio), spawn, quiet_machine(), 100, true);
  EXPECT_EQ(verdict_of(d), "HOLDS");
  EXPECT_DOUBLE_EQ(d[0]["scopes"][0]["checks"][0]["value"].get<double>(), 13.0);
  spawn[1].runs[0].facts = {number_fact("per_unit_us", 400)};
  EXPECT_EQ(verdict_of(decide(registry_with(ratio), spawn, quiet_machine(), 100, true)), "REFUTED");
}

TEST(Claims, EvidenceIfExcludesRunsOfABusyMachine) {
  json check = {{"label", "speedup"}, {"scenario", "cpu_parallelism"}, {"model", "python_multiprocessing"}, {"fact", "speedup"},
                {"op", ">="}, {"bound", 1.4},
                {"evidence_if", {{"fact", "cpu_share"}, {"op", ">="}, {"bound", 0.7}, {"why", "machine busy"}}}};
  auto run = [](double speedup, double share) {
    return std::vector<conkit::Fact>{number_fact("speedup", speedup), number_fact("cpu_share", share)};
  };
  // The busy runs (0.3 of a core) would refute it; only the run that got its cores counts.
  json d = decide(registry_with(check), {make_case("cpu_parallelism", "python_multiprocessing", {run(0.9, 0.3), run(1.9, 0.95), run(0.8, 0.2)})},
                                 quiet_machine(), 100, true);
  EXPECT_EQ(verdict_of(d), "HOLDS") << d.dump(2);
  json busy = decide(registry_with(check), {make_case("cpu_parallelism", "python_multiprocessing", {run(0.9, 0.3)})},
                                    quiet_machine(), 100, true);
  EXPECT_EQ(verdict_of(busy), "INCONCLUSIVE");
  EXPECT_NE(busy[0]["scopes"][0]["reason"].get<std::string>().find("machine busy"), std::string::npos) << busy.dump(2);
}

TEST(Claims, RunsUnderForeignLoadAreNotEvidenceNeverRefuted) {
  json check = {{"label", "speedup"}, {"scenario", "cpu_parallelism"}, {"model", "threads"}, {"fact", "speedup"},
                {"op", ">="}, {"bound", 1.4}, {"noise", "cpu"}};
  auto run = [](double speedup, double load) {
    return std::vector<conkit::Fact>{number_fact("speedup", speedup), number_fact("foreign_load", load)};
  };
  // A build beside the case took 45 % of the cores: the 1.1x it measured must not refute the claim.
  json busy = decide(registry_with(check), {make_case("cpu_parallelism", "threads", {run(1.1, 0.45), run(1.0, 0.5)})}, quiet_machine(), 100, true);
  EXPECT_EQ(verdict_of(busy), "INCONCLUSIVE") << busy.dump(2);
  EXPECT_NE(busy[0]["scopes"][0]["reason"].get<std::string>().find("machine busy: other processes used up to 50 % of the cores in 2 run(s)"),
            std::string::npos) << busy.dump(2);
  EXPECT_EQ(busy[0]["scopes"][0]["checks"][0]["cases"][0]["loaded"], true);
  // Quiet runs decide; the disturbed one is said to be left out.
  json mixed = decide(registry_with(check), {make_case("cpu_parallelism", "threads", {run(1.9, 0.02), run(1.1, 0.45), run(1.92, 0.0)})},
                      quiet_machine(), 100, true);
  EXPECT_EQ(verdict_of(mixed), "HOLDS") << mixed.dump(2);
  EXPECT_EQ(mixed[0]["scopes"][0]["checks"][0]["cases"][0]["runs"], 2);
  EXPECT_NE(mixed[0]["scopes"][0]["checks"][0]["cases"][0]["discarded"].get<std::string>().find("1 run(s) under foreign load"), std::string::npos);
}

TEST(Claims, DistinctThreadIds) {
  json check = {{"scenario", "concurrent_fetch"}, {"model", "async"}, {"fact", "tid"}, {"agg", "distinct"}, {"op", "=="}, {"bound", 1}};
  auto run = [](std::vector<double> tids) {
    std::vector<conkit::Fact> f;
    for (double t : tids) f.push_back(number_fact("tid", t));
    return f;
  };
  EXPECT_EQ(verdict_of(decide(registry_with(check), {make_case("concurrent_fetch", "async", {run({7, 7})})}, quiet_machine(), 100, true)),
            "HOLDS");
  EXPECT_EQ(verdict_of(decide(registry_with(check), {make_case("concurrent_fetch", "async", {run({7, 8})})}, quiet_machine(), 100, true)),
            "REFUTED");
}

TEST(Claims, ShippedRegistryCoversEveryClaimWithReasons) {
  std::ifstream in(CONKIT_SOURCE_DIR "/expected/claims.json");
  json reg = json::parse(in);
  const std::vector<std::string> ids{"async-concurrent-io", "async-single-thread", "async-no-parallelism", "async-blocking-stalls",
                                     "async-cheap-scale", "threads-share-memory", "threads-race", "threads-overlap-io",
                                     "threads-gil-cpu", "threads-low-overhead", "procs-separate-memory", "procs-parallel-cpu",
                                     "procs-overlap-io", "procs-high-overhead", "ipc-needed", "combine-async-procs"};
  ASSERT_EQ(reg["claims"].size(), ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const json& c = reg["claims"][i];
    EXPECT_EQ(c["id"], ids[i]);
    EXPECT_FALSE(c["sources"].empty()) << ids[i];
    for (const auto& [scope, body] : c["scopes"].items()) {
      EXPECT_TRUE(scope == "native" || scope == "python") << ids[i] << " " << scope;
      for (const auto& check : body["checks"]) EXPECT_FALSE(check.value("reason", "").empty()) << ids[i] << " " << scope;
    }
  }
  // Decided against no results, every scope is INCONCLUSIVE "no evidence", never HOLDS.
  json d = decide(reg, {}, quiet_machine(), 100, true);
  for (const auto& c : d)
    for (const auto& s : c["scopes"]) EXPECT_EQ(s["verdict"], "INCONCLUSIVE") << c["id"];
}

// ---- caveats and the free-threaded expectation ----------------------------------------------

std::string registry_problem(const json& registry);  // below, with the registry tests

json lost_check(const std::string& variant) {
  return {{"label", "lost"}, {"scenario", "shared_counter"}, {"model", "python_threading"}, {"where", {{"variant", variant}}},
          {"fact", "expected"}, {"minus", "counter"}, {"combine", "max"}, {"op", ">"}, {"bound", 0}, {"reason", "r"}};
}
CaseResult counter_case(const std::string& variant, double counter, double gil = 1) {
  return make_case("shared_counter", "python_threading",
                   {{string_fact("variant", variant), number_fact("expected", 1000), number_fact("counter", counter), number_fact("gil", gil)}});
}

TEST(Claims, CaveatsAreDecidedAndShownBesideTheVerdictWithoutDecidingIt) {
  json reg = registry_with(lost_check("switch"));
  json caveat = lost_check("plain");
  caveat["if_holds"] = "plain += loses updates too";
  caveat["if_refuted"] = "plain += lost nothing here";
  reg["claims"][0]["scopes"]["native"]["caveats"] = json::array({caveat});  // not {caveat}: clang reads a one-element brace list as a copy of the element
  // The switch variant lost updates (the claim holds); the plain one lost none: the caveat says so.
  json d = decide(reg, {counter_case("switch", 600), counter_case("plain", 1000)}, quiet_machine(), 100, true);
  EXPECT_EQ(verdict_of(d), "HOLDS") << d.dump(2);
  const json& cv = d[0]["scopes"][0]["caveats"];
  ASSERT_EQ(cv.size(), 1u);
  EXPECT_EQ(cv[0]["verdict"], "REFUTED");
  EXPECT_EQ(cv[0]["note"], "plain += lost nothing here");
  d = decide(reg, {counter_case("switch", 600), counter_case("plain", 990)}, quiet_machine(), 100, true);
  EXPECT_EQ(d[0]["scopes"][0]["caveats"][0]["note"], "plain += loses updates too");
  // A caveat needs its texts.
  json bad = reg;
  bad["claims"][0]["scopes"]["native"]["caveats"][0].erase("if_refuted");
  EXPECT_EQ(registry_problem(bad), "reg.json: $.claims[0].scopes.native.caveats[0]: missing key 'if_refuted'");
}

TEST(Claims, ExpectationFollowsTheGilFactOfThePythonCases) {
  json check = {{"label", "speedup"}, {"scenario", "cpu_parallelism"}, {"model", "python_threading"}, {"fact", "speedup"},
                {"op", "<="}, {"bound", 1.3}, {"reason", "one GIL"}};
  json reg = registry_with(check);
  json scope = reg["claims"][0]["scopes"]["native"];
  reg["claims"][0]["scopes"].erase("native");
  scope["expect_free_threaded"] = "REFUTED";
  reg["claims"][0]["scopes"]["python"] = scope;
  auto run = [](double speedup, double gil) {
    return make_case("cpu_parallelism", "python_threading", {{number_fact("speedup", speedup), number_fact("gil", gil)}});
  };
  // With a GIL: about 1x, HOLDS as expected.
  json with_gil = decide(reg, {run(1.0, 1)}, quiet_machine(), 100, true);
  EXPECT_EQ(with_gil[0]["scopes"][0]["expected"], "HOLDS");
  EXPECT_EQ(with_gil[0]["scopes"][0]["python_build"], "gil");
  // A free-threaded build (gil 0): threads speed CPU work up, REFUTED is what is expected.
  json free = decide(reg, {run(1.9, 0)}, quiet_machine(), 100, true);
  EXPECT_EQ(free[0]["scopes"][0]["verdict"], "REFUTED");
  EXPECT_EQ(free[0]["scopes"][0]["expected"], "REFUTED");
  EXPECT_EQ(free[0]["scopes"][0]["python_build"], "free-threaded");
  json doc = {{"complete", true}, {"claims", free}};
  EXPECT_EQ(conkit::verify_exit_status(doc), 0);
  // ... and a GIL build that speeds up contradicts its expectation.
  json odd = decide(reg, {run(1.9, 1)}, quiet_machine(), 100, true);
  EXPECT_EQ(conkit::verify_exit_status(json{{"complete", true}, {"claims", odd}}), 1);
}

// ---- the typed registry: every rejected input, with the path and what was expected ----------

// The one problem parse_registry reports for `registry`, or "" if it parsed.
std::string registry_problem(const json& registry) {
  try {
    conkit::parse_registry(registry, "reg.json");
  } catch (const conkit::RegistryError& e) {
    EXPECT_EQ(e.problems.size(), 1u) << e.what();
    return e.problems.empty() ? "" : e.problems[0];
  }
  return "";
}

json with(json check, const std::string& key, const json& value) {
  check[key] = value;
  return registry_with(check);
}

TEST(Registry, ShippedRegistryParses) {
  conkit::Registry r = conkit::load_registry(CONKIT_SOURCE_DIR "/expected/claims.json");
  EXPECT_EQ(r.claims.size(), 16u);
  EXPECT_EQ(r.article_title("003").empty(), false);
  const conkit::Check& speedup = r.claims[8].scopes[0].checks[0];  // threads-gil-cpu native
  EXPECT_TRUE(speedup.bound.times_min_workers_cores);
  EXPECT_DOUBLE_EQ(speedup.bound.value, 0.7);
  EXPECT_EQ(speedup.op, conkit::CmpOp::ge);
}

TEST(Registry, UnknownOperatorIsAnErrorNotRefuted) {
  EXPECT_EQ(registry_problem(with(span_check, "op", "=<")),
            "reg.json: $.claims[0].scopes.native.checks[0].op: expected one of <, <=, >, >=, ==, got '=<'");
}

TEST(Registry, UnknownAggregationIsAnErrorNotNoEvidence) {
  EXPECT_EQ(registry_problem(with(span_check, "agg", "average")),
            "reg.json: $.claims[0].scopes.native.checks[0].agg: expected one of last, count, distinct, min, max, sum, got 'average'");
}

TEST(Registry, UnknownKeysAreNamedWithTheKeysAllowed) {
  std::string p = registry_problem(with(span_check, "bond", 1.5));
  EXPECT_NE(p.find("$.claims[0].scopes.native.checks[0]: unknown key 'bond' (expected one of "), std::string::npos) << p;
  EXPECT_NE(p.find("bound"), std::string::npos) << p;
  json top = registry_with(span_check);
  top["claim"] = "misplaced";
  EXPECT_NE(registry_problem(top).find("reg.json: $: unknown key 'claim'"), std::string::npos);
  json scope = registry_with(span_check);
  scope["claims"][0]["scopes"]["native"]["expects"] = "HOLDS";
  EXPECT_NE(registry_problem(scope).find("$.claims[0].scopes.native: unknown key 'expects'"), std::string::npos);
}

TEST(Registry, BoundTimesIsReadAndChecked) {
  json scaled = with(span_check, "bound", {{"k", 0.7}, {"times", "min_workers_cores"}});
  EXPECT_TRUE(conkit::parse_registry(scaled, "reg.json").claims[0].scopes[0].checks[0].bound.times_min_workers_cores);
  EXPECT_EQ(registry_problem(with(span_check, "bound", {{"k", 0.7}, {"times", "cores"}})),
            "reg.json: $.claims[0].scopes.native.checks[0].bound.times: expected min_workers_cores, got 'cores'");
  EXPECT_EQ(registry_problem(with(span_check, "bound", {{"k", 0.7}})),
            "reg.json: $.claims[0].scopes.native.checks[0].bound: missing key 'times'");
  EXPECT_EQ(registry_problem(with(span_check, "bound", "1.5")),
            "reg.json: $.claims[0].scopes.native.checks[0].bound: expected a number or {\"k\", \"times\"}, got a string");
}

TEST(Registry, ClosedSetsAndRequiredKeys) {
  EXPECT_EQ(registry_problem(with(span_check, "noise", "loud")),
            "reg.json: $.claims[0].scopes.native.checks[0].noise: expected one of none, timer, cpu, got 'loud'");
  EXPECT_EQ(registry_problem(with(span_check, "combine", "mean")),
            "reg.json: $.claims[0].scopes.native.checks[0].combine: expected one of median, min, max, got 'mean'");
  EXPECT_EQ(registry_problem(with(span_check, "pick", "best")),
            "reg.json: $.claims[0].scopes.native.checks[0].pick: expected one of max_workers_le_cores, got 'best'");
  EXPECT_EQ(registry_problem(with(span_check, "per", "second")),
            "reg.json: $.claims[0].scopes.native.checks[0].per: expected unit, n_unit or fact:NAME, got 'second'");
  EXPECT_EQ(registry_problem(with(span_check, "runs", 0)),
            "reg.json: $.claims[0].scopes.native.checks[0].runs: expected a whole number >= 1, got 0");
  json no_fact = span_check;
  no_fact.erase("fact");
  EXPECT_EQ(registry_problem(registry_with(no_fact)), "reg.json: $.claims[0].scopes.native.checks[0]: missing key 'fact'");
  json no_reason = span_check;
  no_reason["reason"] = "";
  EXPECT_EQ(registry_problem(registry_with(no_reason)),
            "reg.json: $.claims[0].scopes.native.checks[0].reason: expected a non-empty string, got \"\"");
  EXPECT_EQ(registry_problem(registry_with(span_check, {"cores>=two"})),
            "reg.json: $.claims[0].scopes.native.requires[0]: expected python or cores>=N, got 'cores>=two'");
  json expect = registry_with(span_check);
  expect["claims"][0]["scopes"]["native"]["expect"] = "TRUE";
  EXPECT_EQ(registry_problem(expect),
            "reg.json: $.claims[0].scopes.native.expect: expected one of HOLDS, REFUTED, INCONCLUSIVE, got 'TRUE'");
  json source = registry_with(span_check);
  source["claims"][0]["sources"] = {"999"};
  EXPECT_EQ(registry_problem(source), "reg.json: $.claims[0].sources[0]: expected an id listed in $.articles, got '999'");
  json ratio = with(span_check, "ratio_to", {{"scenario", "s"}, {"model", "m"}, {"fact", "f"}, {"op", "<"}});
  EXPECT_EQ(registry_problem(ratio), "reg.json: $.claims[0].scopes.native.checks[0].ratio_to: unknown key 'op' (expected one of agg, "
                                     "args, fact, minus, model, per, plus, scenario, where)");
  EXPECT_EQ(registry_problem(with(span_check, "args", json::array({"--reps", ""}))),
            "reg.json: $.claims[0].scopes.native.checks[0].args[1]: expected a non-empty argument");
}

TEST(Registry, ChecksOnOneScenarioAndModelAgreeOnArgs) {
  // One set of runs answers every check of a scenario and model: two different `args` for them
  // would let one check read runs made for the other.
  json first = span_check, other = span_check;
  first["args"] = json::array({"--reps", "1"});
  other["args"] = json::array({"--reps", "3"});
  json reg = registry_with(first);
  reg["claims"][0]["scopes"]["native"]["checks"].push_back(other);
  EXPECT_EQ(registry_problem(reg), "reg.json: $.claims[0].scopes.native.checks[1].args: expected the args "
                                   "$.claims[0].scopes.native.checks[0] gives for concurrent_fetch/async: [--reps, 1], got [--reps, 3]");
  reg["claims"][0]["scopes"]["native"]["checks"][1]["args"] = first["args"];
  EXPECT_NO_THROW(conkit::parse_registry(reg, "reg.json"));
  reg["claims"][0]["scopes"]["native"]["checks"][1].erase("args");  // a check without args reads the same runs
  EXPECT_NO_THROW(conkit::parse_registry(reg, "reg.json"));
}

TEST(Registry, EveryProblemIsReportedAtOnceAndLoadNamesTheFile) {
  json two = with(span_check, "op", "=<");
  two["claims"][0]["scopes"]["native"]["checks"][0]["agg"] = "avg";
  try {
    conkit::parse_registry(two, "reg.json");
    ADD_FAILURE() << "accepted";
  } catch (const conkit::RegistryError& e) {
    EXPECT_EQ(e.problems.size(), 2u) << e.what();
  }
  EXPECT_THROW(conkit::load_registry("/nonexistent/claims.json"), conkit::RegistryError);
}

json sample_document() {
  std::vector<CaseResult> r{
      make_case("cpu_parallelism", "threads", {{number_fact("workers", 1), number_fact("speedup", 1.0)}}),
      make_case("cpu_parallelism", "threads", {{number_fact("workers", 2), number_fact("speedup", 1.9)}}),
      make_case("cpu_parallelism", "async", {{number_fact("workers", 2), number_fact("speedup", 1.0)}}),
      make_case("spawn_overhead", "threads", {{number_fact("per_unit_us", 50), number_fact("idle_kib_per_unit", 60)}}),
      make_case("spawn_overhead", "processes", {{number_fact("per_unit_us", 650), number_fact("idle_kib_per_unit", 900)}}),
      make_case("concurrent_fetch", "async", {{number_fact("span_ms", 101)}})};
  conkit::Line a{conkit::Stream::out, 1.0, "Task 0 started..."}, b{conkit::Stream::out, 101.0, "Task 0 completed!"};
  CaseResult join = make_case("worker_join", "threads", {{}});
  join.runs[0].lines = {a, b};
  r.push_back(join);
  json raw = {{"complete", true}, {"calibration", conkit::to_json(quiet_machine())}, {"options", {{"unit_ms", 100}}},
              {"environment", {{"cpu_model", "test <cpu> & co"}}}};
  raw["claims"] = decide(registry_with(span_check), r, quiet_machine(), 100, true);
  raw["plots"] = conkit::plot_data(r);
  return raw;
}

TEST(ClaimsReport, PlotDataAndHtmlHaveEveryPlot) {
  json raw = sample_document();
  ASSERT_EQ(raw["plots"]["speedup"].size(), 2u);
  ASSERT_EQ(raw["plots"]["spawn"].size(), 2u);
  ASSERT_EQ(raw["plots"]["timeline"]["rows"].size(), 1u);
  std::string html = conkit::render_html(raw);
  for (const char* id : {"plot-speedup", "plot-spawn-cost", "plot-spawn-memory", "plot-timeline", "id=\"claims\""})
    EXPECT_NE(html.find(id), std::string::npos) << id;
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org"));  // no network: only the SVG namespace
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(ClaimsReport, TableMarkdownJunitAndPassed) {
  json raw = sample_document();
  EXPECT_TRUE(conkit::verify_passed(raw));
  EXPECT_NE(conkit::render_claims_table(raw).find("HOLDS"), std::string::npos);
  EXPECT_NE(conkit::render_markdown(raw).find("| `c1` | native | **HOLDS**"), std::string::npos) << conkit::render_markdown(raw);
  std::string xml = conkit::render_claims_junit(raw);
  EXPECT_NE(xml.find("tests=\"1\" failures=\"0\""), std::string::npos) << xml;
  raw["complete"] = false;
  EXPECT_FALSE(conkit::verify_passed(raw));
  raw["complete"] = true;
  raw["claims"][0]["scopes"][0]["verdict"] = "REFUTED";
  EXPECT_FALSE(conkit::verify_passed(raw));
  EXPECT_NE(conkit::render_claims_junit(raw).find("<failure"), std::string::npos);
}

TEST(ClaimsReport, CompareFlagsVerdictChangesAndMovedFigures) {
  json a = sample_document(), b = sample_document(), c = sample_document();
  b["claims"][0]["scopes"][0]["verdict"] = "REFUTED";
  c["claims"][0]["scopes"][0]["checks"][0]["value"] = 1.45;  // 1.01u -> 1.45u, far beyond a 0.006u band
  std::string same = conkit::render_compare({a, a}, {"a", "a2"});
  EXPECT_NE(same.find("0 verdict change(s), 0 figure(s) moved"), std::string::npos) << same;
  EXPECT_NE(conkit::render_compare({a, b}, {"a", "b"}).find("VERDICT CHANGED"), std::string::npos);
  EXPECT_NE(conkit::render_compare({a, c}, {"a", "c"}).find("span moved"), std::string::npos) << conkit::render_compare({a, c}, {"a", "c"});
}

// ---- exit status and re-deciding ---------------------------------------------------------------

json doc_with_scopes(const std::vector<std::pair<std::string, std::string>>& verdict_expected, bool complete = true) {
  json scopes = json::array();
  for (const auto& [v, e] : verdict_expected) scopes.push_back({{"scope", "native"}, {"verdict", v}, {"expected", e}});
  return {{"complete", complete}, {"claims", {{{"id", "c"}, {"scopes", scopes}}}}};
}

TEST(VerifyExit, ZeroOneOrThreeAndTheSummarySaysWhich) {
  json ok = doc_with_scopes({{"HOLDS", "HOLDS"}, {"INCONCLUSIVE", "INCONCLUSIVE"}});
  EXPECT_EQ(conkit::verify_exit_status(ok), 0);
  EXPECT_NE(conkit::verify_summary(ok).find("exit 0"), std::string::npos);
  json undecided = doc_with_scopes({{"HOLDS", "HOLDS"}, {"INCONCLUSIVE", "HOLDS"}});
  EXPECT_EQ(conkit::verify_exit_status(undecided), 3);
  EXPECT_NE(conkit::verify_summary(undecided).find("nothing contradicted, but 1 of 2"), std::string::npos) << conkit::verify_summary(undecided);
  json refuted = doc_with_scopes({{"REFUTED", "HOLDS"}, {"INCONCLUSIVE", "HOLDS"}});
  EXPECT_EQ(conkit::verify_exit_status(refuted), 1);
  EXPECT_NE(conkit::verify_summary(refuted).find("1 of 2 scope(s) CONTRADICT"), std::string::npos);
  EXPECT_EQ(conkit::verify_exit_status(doc_with_scopes({{"HOLDS", "REFUTED"}})), 1);  // the reverse contradicts too
  EXPECT_EQ(conkit::verify_exit_status(doc_with_scopes({{"HOLDS", "HOLDS"}}, false)), 3);  // incomplete: undecided
  EXPECT_NE(conkit::render_claims_table(undecided).find("exit 3"), std::string::npos);
}

TEST(Verify, ReportRedecidesFromTheStoredCasesAndCalibration) {
  // A verify document as verify() writes it: cases through report.hpp's to_json.
  std::vector<CaseResult> r{make_case("concurrent_fetch", "async", {{number_fact("span_ms", 101)}})};
  json raw = {{"complete", true}, {"calibration", conkit::to_json(quiet_machine())}, {"options", {{"unit_ms", 100}}}};
  raw["cases"] = conkit::to_json(r).at("cases");
  json held = conkit::redecide(raw, conkit::parse_registry(registry_with(span_check), "a.json"));
  EXPECT_EQ(verdict_of(held["claims"]), "HOLDS") << held["claims"].dump(2);
  // A tighter bound in an edited registry: the same stored run now refutes it.
  json tight = span_check;
  tight["bound"] = 0.5;
  json refuted = conkit::redecide(raw, conkit::parse_registry(registry_with(tight), "b.json"));
  EXPECT_EQ(verdict_of(refuted["claims"]), "REFUTED");
  EXPECT_EQ(conkit::verify_exit_status(refuted), 1);
  // The stored calibration is used: a noisy timer makes the same figure undecidable.
  raw["calibration"]["sleep_overshoot_p99_ms"] = 30;
  EXPECT_EQ(verdict_of(conkit::redecide(raw, conkit::parse_registry(registry_with(span_check), "a.json"))["claims"]), "INCONCLUSIVE");
}

TEST(Verify, OnlyNamesAKnownClaim) {
  const std::string reg = ::testing::TempDir() + "/only-claims.json";
  conkit::write_file(reg, registry_with(span_check).dump());
  const std::string manifest = ::testing::TempDir() + "/only-cases.json";
  conkit::write_file(manifest, json{{"cases", json::array()}}.dump());
  conkit::VerifyOptions o;
  o.registry = reg;
  o.manifest = manifest;
  o.only = {"no-such-claim"};
  try {
    conkit::verify(o);
    ADD_FAILURE() << "accepted an unknown claim id";
  } catch (const conkit::RegistryError& e) {
    EXPECT_NE(std::string(e.what()).find("--only no-such-claim: no such claim"), std::string::npos) << e.what();
  }
  // --only restricts the document (hence table, reports and exit status) to the chosen claims.
  json two = registry_with(span_check);
  two["claims"].push_back(two["claims"][0]);
  two["claims"][1]["id"] = "c2";
  conkit::write_file(reg, two.dump());
  o.only = {"c2"};
  conkit::VerifyResult r = conkit::verify(o);
  ASSERT_EQ(r.raw["claims"].size(), 1u);
  EXPECT_EQ(r.raw["claims"][0]["id"], "c2");
  EXPECT_EQ(conkit::verify_exit_status(r.raw), 3);  // no case ran: undecided, not contradicted
}

// What verify runs: a variant no check reads (its `where` fact differs) gets its one run and no
// more; the variant a timer check reads gets min_noisy_runs; the check's `args` reach the argv.
TEST(Verify, RunsOnlyTheVariantsTheChecksReadAndAppendsTheirArgs) {
  const std::string dir = ::testing::TempDir();
  const std::string expect = dir + "/variant.expect";
  conkit::write_file(expect, "# Pass proves: the case ran.\nscenario: s\nmodel: m\nout \"done\"\n");
  // $1 is the variant, the rest what verify appended.
  const std::string script =
      "v=$1; shift; printf '{\"fact\":\"variant\",\"value\":\"%s\"}\\n{\"fact\":\"x\",\"value\":1}\\n"
      "{\"fact\":\"args\",\"value\":\"%s\"}\\n' \"$v\" \"$*\" >\"/dev/fd/$CONKIT_FACTS_FD\"; echo done";
  json cases = json::array();
  for (const char* v : {"a", "b"})
    cases.push_back({{"name", std::string("v.") + v}, {"scenario", "s"}, {"model", "m"}, {"expect", expect},
                     {"argv", {"/bin/sh", "-c", script, "sh", v}}, {"labels", json::array({"case"})}});
  const std::string manifest = dir + "/variant-cases.json", reg = dir + "/variant-claims.json";
  conkit::write_file(manifest, json{{"cases", cases}}.dump());
  json check = {{"label", "x"}, {"scenario", "s"}, {"model", "m"}, {"where", {{"variant", "a"}}}, {"fact", "x"}, {"per", "unit"},
                {"op", "<="}, {"bound", 5}, {"noise", "timer"}, {"args", json::array({"--flag", "1"})}, {"reason", "r"}};
  conkit::write_file(reg, registry_with(check).dump());
  conkit::VerifyOptions o;
  o.registry = reg;
  o.manifest = manifest;
  o.seed = 1;
  conkit::VerifyResult r = conkit::verify(o);
  std::map<std::string, const CaseResult*> by_name;
  for (const auto& c : r.results) by_name[c.name] = &c;
  ASSERT_EQ(by_name.size(), 2u) << r.raw.dump(2);
  EXPECT_EQ(by_name["v.a"]->runs.size(), static_cast<std::size_t>(conkit::min_noisy_runs));
  EXPECT_EQ(by_name["v.b"]->runs.size(), 1u) << "a variant no check reads ran more than once";
  bool saw_args = false;
  for (conkit::FactView f : by_name["v.a"]->runs.front().facts) {
    if (f.name != "args") continue;
    saw_args = true;
    EXPECT_EQ(f.string.value_or(""), "--flag 1");
  }
  EXPECT_TRUE(saw_args) << "the case wrote no facts";
  EXPECT_EQ(r.raw["options"]["case_args"]["v.a"], json::array({"--flag", "1"}));
  EXPECT_EQ(r.raw["claims"][0]["scopes"][0]["checks"][0]["cases"].size(), 1u);  // v.b is not evidence
}

// A case that SKIPs (e.g. every repetition disturbed by other processes) is not run again in the
// same pass: more runs would most likely skip too (with --wait-quiet it resumes once quiet).
TEST(Verify, ACaseThatSkipsIsNotRunAgainWithoutWaitQuiet) {
  const std::string dir = ::testing::TempDir();
  const std::string expect = dir + "/skipper.expect";
  conkit::write_file(expect, "# Pass proves: the case ran.\nscenario: s\nmodel: skipper\nout \"done\"\n");
  json cases = json::array({{{"name", "skipper"}, {"scenario", "s"}, {"model", "skipper"}, {"expect", expect},
                             {"argv", {"/bin/sh", "-c", "echo 'SKIP: machine busy' >&2; exit 77"}}, {"labels", json::array({"case"})}}});
  const std::string manifest = dir + "/skipper-cases.json", reg = dir + "/skipper-claims.json";
  conkit::write_file(manifest, json{{"cases", cases}}.dump());
  json check = {{"scenario", "s"}, {"model", "skipper"}, {"fact", "x"}, {"op", "<="}, {"bound", 5}, {"noise", "cpu"}, {"reason", "r"}};
  conkit::write_file(reg, registry_with(check).dump());
  conkit::VerifyOptions o;
  o.registry = reg;
  o.manifest = manifest;
  conkit::VerifyResult r = conkit::verify(o);
  ASSERT_EQ(r.results.size(), 1u);
  EXPECT_EQ(r.results[0].status, conkit::Status::skip);
  EXPECT_EQ(r.results[0].runs.size(), 1u) << "a skipping case was run again";
  EXPECT_EQ(verdict_of(r.raw["claims"]), "INCONCLUSIVE");
}

// The free-threaded plumbing, on a machine without a free-threaded interpreter: a stand-in
// python3 whose sitecustomize says the GIL is off (sys._is_gil_enabled() false, Py_GIL_DISABLED
// set, sys.executable the stand-in). Everything else is the real path: run_case.py writes the
// facts gil 0 and python_build free-threading, verify's fingerprint reads the build, and
// decide_claims flips the expectation of threads-gil-cpu/python to REFUTED. The stand-in still
// has a GIL, so its threads do not speed up: HOLDS against the expected REFUTED, exit 1 (or
// INCONCLUSIVE, exit 3, on a noisy machine) — never the exit 0 a faked verdict would give.
TEST(Verify, AFreeThreadedInterpreterFlipsTheGilExpectationAndReportsNameTheBuild) {
  const conkit::ShippedCase* shipped = nullptr;
  const auto manifest_cases = conkit::load_manifest(CONKIT_BINARY_DIR "/conkit-cases.json");
  for (const auto& c : manifest_cases)
    if (c.name == "cpu_parallelism.python_threading") shipped = &c;
  if (!shipped) GTEST_SKIP() << "no Python cases in this build (sanitizer preset, or no interpreter)";
  const std::string real = shipped->argv.at(0), dir = ::testing::TempDir() + "/gil_off";
  std::filesystem::create_directories(dir);
  conkit::write_file(dir + "/sitecustomize.py",
                     "import os, sys, sysconfig\n"
                     "sys._is_gil_enabled = lambda: False\n"
                     "_config_var = sysconfig.get_config_var\n"
                     "sysconfig.get_config_var = lambda name: 1 if name == 'Py_GIL_DISABLED' else _config_var(name)\n"
                     "sys.executable = os.environ['GIL_OFF_STUB']\n");
  const std::string stub = dir + "/python3";
  conkit::write_file(stub, "#!/bin/sh\nexport PYTHONPATH='" + dir + "' GIL_OFF_STUB='" + stub + "'\nexec '" + real + "' \"$@\"\n");
  std::filesystem::permissions(stub, std::filesystem::perms::owner_all);
  // The shipped case with less work per run (the verdict is not what this test is about).
  json c = {{"name", shipped->name}, {"scenario", shipped->scenario}, {"model", shipped->model}, {"expect", shipped->expect},
            {"argv", shipped->argv}, {"labels", shipped->labels}};
  c["argv"].push_back("--iterations");
  c["argv"].push_back("200000");
  const std::string manifest = dir + "/cases.json";
  conkit::write_file(manifest, json{{"cases", json::array({c})}}.dump());
  auto run_with = [&](const std::string& python) {
    conkit::VerifyOptions o;
    o.registry = CONKIT_SOURCE_DIR "/expected/claims.json";
    o.manifest = manifest;
    o.only = {"threads-gil-cpu"};
    o.python = python;
    return conkit::verify(o).raw;
  };
  auto python_scope = [](const json& raw) {
    for (const auto& s : raw.at("claims").at(0).at("scopes"))
      if (s.value("scope", "") == "python") return s;
    return json();
  };
  const json off = run_with(stub), scope = python_scope(off);
  EXPECT_EQ(off["environment"]["python"]["executable"], stub);
  EXPECT_EQ(off["environment"]["python"]["build"], "free-threaded");
  EXPECT_EQ(scope["python_build"], "free-threaded") << scope.dump(2);
  EXPECT_EQ(scope["expected"], "REFUTED") << scope.dump(2);
  EXPECT_NE(scope["verdict"], "REFUTED") << "the stand-in has a GIL: its threads cannot speed up\n" << scope.dump(2);
  EXPECT_NE(conkit::verify_exit_status(off), 0);
  EXPECT_NE(conkit::render_markdown(off).find("(free-threaded)"), std::string::npos);
  EXPECT_NE(conkit::render_html(off).find("expected REFUTED, Python free-threaded"), std::string::npos);
  // The control: the real interpreter, same case, same registry.
  const json on = run_with(real), control = python_scope(on);
  EXPECT_EQ(on["environment"]["python"]["build"], "gil");
  EXPECT_EQ(control["python_build"], "gil") << control.dump(2);
  EXPECT_EQ(control["expected"], "HOLDS") << control.dump(2);
}

// Every report names the Boost version and the source's git revision ("unknown" outside a
// checkout) beside CPU, cores, kernel, compiler and Python.
TEST(ClaimsReport, EnvironmentNamesBoostAndTheGitRevision) {
  json env = conkit::environment_fingerprint("none", "", CONKIT_SOURCE_DIR);
  EXPECT_TRUE(std::regex_match(env.value("boost", ""), std::regex(R"(\d+\.\d+\.\d+)"))) << env.dump(2);
  if (std::filesystem::exists(CONKIT_SOURCE_DIR "/.git")) {
    EXPECT_TRUE(std::regex_match(env.value("git", ""), std::regex("[0-9a-f]{12}(-dirty)?"))) << env.dump(2);
  }
  EXPECT_EQ(conkit::environment_fingerprint("none", "", "/")["git"], "unknown");
  EXPECT_EQ(conkit::environment_fingerprint("none", "")["git"], "unknown");
  json raw = sample_document();
  raw["environment"] = env;
  raw["environment"]["python"] = {{"executable", "python3"}, {"version", "3.11.7"}, {"implementation", "cpython"}, {"build", "gil"}};
  for (const std::string& report : {conkit::render_markdown(raw), conkit::render_html(raw)}) {
    for (const std::string& want : std::vector<std::string>{"Boost", env.value("boost", "?"), "git " + env.value("git", "?"),
                                                             "cpython 3.11.7 (gil)", "kernel", "compiler"})
      EXPECT_NE(report.find(want), std::string::npos) << want << "\n" << report.substr(0, 2000);
  }
}

}  // namespace
