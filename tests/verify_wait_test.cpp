// How verify spends wall time waiting. --wait-quiet: cases parked because their runs were disturbed
// by foreign load resume once the machine is quiet, and stay INCONCLUSIVE (never REFUTED) with the
// load measured when it is not quiet within the wait. The machine's load is a seam
// (VerifyOptions::load_probe) that the tests drive, and the case reads the same state: it is
// "loaded" (writes foreign_load 0.5 and a figure on the refuting side, then SKIPs as the CPU cases
// do) while a marker file exists, quiet afterwards. Overlap: cases whose runs only wait run two at
// a time, every other case alone.
#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "conkit/report.hpp"
#include "conkit/verify.hpp"

namespace {

using json = nlohmann::json;

// A one-case verify setup: the case `loaded`, its expected file, a registry with one check that
// reads its figure x (<= 5; the loaded runs write 50, so a disturbed figure would refute) over
// `runs` runs, and the marker that makes it loaded.
struct LoadedCase {
  std::string dir, marker, manifest, registry;
  static constexpr int runs = 5;

  explicit LoadedCase(const std::string& name) {
    dir = ::testing::TempDir() + "/" + name;
    std::filesystem::create_directories(dir);
    marker = dir + "/loaded";
    conkit::write_file(marker, "");
    const std::string expect = dir + "/loaded.expect";
    conkit::write_file(expect, "# Pass proves: the case ran.\nscenario: s\nmodel: loaded\nout \"done\"\n");
    const std::string script =
        "if [ -e \"$1\" ]; then\n"
        "  printf '{\"fact\":\"foreign_load\",\"value\":0.5}\\n{\"fact\":\"x\",\"value\":50}\\n' >\"/dev/fd/$CONKIT_FACTS_FD\"\n"
        "  echo 'SKIP: machine busy: other processes used >= 50% of the cores' >&2; exit 77\n"
        "fi\n"
        "printf '{\"fact\":\"foreign_load\",\"value\":0.02}\\n{\"fact\":\"x\",\"value\":1}\\n' >\"/dev/fd/$CONKIT_FACTS_FD\"\n"
        "echo done\n";
    json cases = json::array({{{"name", "loaded"}, {"scenario", "s"}, {"model", "loaded"}, {"expect", expect},
                               {"argv", {"/bin/sh", "-c", script, "sh", marker}}, {"labels", json::array({"case"})}}});
    manifest = dir + "/cases.json";
    conkit::write_file(manifest, json{{"cases", cases}}.dump());
    // noise "none" and an explicit run count: the verdict does not hang on this machine's calibration.
    json check = {{"label", "x"}, {"scenario", "s"}, {"model", "loaded"}, {"fact", "x"}, {"op", "<="}, {"bound", 5},
                  {"noise", "none"}, {"runs", runs}, {"reason", "test"}};
    json reg = {{"articles", {{"003", "An article"}}},
                {"claims", {{{"id", "c1"}, {"claim", "a claim"}, {"sources", {"003"}},
                             {"scopes", {{"native", {{"requires", json::array()}, {"checks", {check}}}}}}}}}};
    registry = dir + "/claims.json";
    conkit::write_file(registry, reg.dump());
  }

  conkit::VerifyOptions options(double wait_quiet_s) const {
    conkit::VerifyOptions o;
    o.registry = registry;
    o.manifest = manifest;
    o.seed = 1;
    o.wait_quiet_s = wait_quiet_s;
    return o;
  }
};

const json& only_case_check(const json& raw) { return raw.at("claims").at(0).at("scopes").at(0).at("checks").at(0).at("cases").at(0); }

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Loaded for the first three probes (and the case's first run), quiet from the fourth: the parked
// case resumes, gets its full count of undisturbed runs, and is decided on them alone.
TEST(VerifyWaitQuiet, ParkedCasesResumeWhenTheMachineTurnsQuietAndAreDecided) {
  const LoadedCase setup("wait_quiet_resume");
  std::atomic<int> probes{0};
  conkit::VerifyOptions o = setup.options(60);
  o.load_probe = [&](double window_ms) {
    EXPECT_GT(window_ms, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (++probes < 4) return 0.5;
    std::filesystem::remove(setup.marker);
    return 0.03;
  };
  std::vector<std::string> said;
  o.on_status = [&](const std::string& s) { said.push_back(s); };
  const auto t0 = std::chrono::steady_clock::now();
  const conkit::VerifyResult r = conkit::verify(o);
  const double took_s = seconds_since(t0);

  EXPECT_EQ(probes.load(), 4) << "verify stopped waiting before the machine was quiet, or waited on after it was";
  EXPECT_LT(took_s, 30) << "the wait ran to its limit although the machine turned quiet";
  bool announced = false;
  for (const auto& s : said) announced |= s.find("1 case(s) skipped on a busy machine: waiting up to 60 s") != std::string::npos;
  EXPECT_TRUE(announced) << "no status line said what verify waits for";

  ASSERT_EQ(r.results.size(), 1u);
  EXPECT_EQ(r.results[0].status, conkit::Status::pass) << r.results[0].reason;
  EXPECT_EQ(r.results[0].runs.size(), 1u + LoadedCase::runs) << "the disturbed run plus the full count of quiet ones";
  const json& one = only_case_check(r.raw);
  EXPECT_EQ(one.value("verdict", ""), "HOLDS") << one.dump(2);
  EXPECT_EQ(one.value("runs", 0), LoadedCase::runs) << "the figure must come from the full count of undisturbed runs\n" << one.dump(2);
  EXPECT_EQ(one.value("value", 0.0), 1.0) << "the disturbed run's figure was counted\n" << one.dump(2);
  EXPECT_NE(one.value("discarded", "").find("1 run(s) under foreign load (up to 50 %) not counted"), std::string::npos) << one.dump(2);
  EXPECT_EQ(r.raw["claims"][0]["scopes"][0]["verdict"], "HOLDS");
  EXPECT_EQ(conkit::verify_exit_status(r.raw), 0) << conkit::verify_summary(r.raw);
}

// Loaded throughout: verify waits its --wait-quiet seconds (not less, and not unboundedly more),
// does not resume the parked case, and leaves its claim INCONCLUSIVE with the load the case
// measured: never REFUTED from the disturbed figure (50 against a bound of 5).
TEST(VerifyWaitQuiet, StaysInconclusiveWithTheLoadWhenTheMachineStaysBusy) {
  const LoadedCase setup("wait_quiet_busy");
  std::atomic<int> probes{0};
  const double wait_s = 1.5;
  conkit::VerifyOptions o = setup.options(wait_s);
  o.load_probe = [&](double) {
    ++probes;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return 0.5;
  };
  const auto t0 = std::chrono::steady_clock::now();
  const conkit::VerifyResult r = conkit::verify(o);
  const double took_s = seconds_since(t0);

  EXPECT_GE(took_s, wait_s) << "verify gave up waiting early";
  EXPECT_GE(probes.load(), 2) << "verify did not keep measuring the load while it waited";
  EXPECT_LT(took_s, wait_s + 25) << "--wait-quiet must bound the waiting";
  ASSERT_EQ(r.results.size(), 1u);
  EXPECT_EQ(r.results[0].status, conkit::Status::skip);
  EXPECT_EQ(r.results[0].runs.size(), 1u) << "a case parked on a machine that stayed busy was run again";
  const json& scope = r.raw["claims"][0]["scopes"][0];
  EXPECT_EQ(scope.value("verdict", ""), "INCONCLUSIVE") << scope.dump(2);
  const std::string why = only_case_check(r.raw).value("why", "");
  EXPECT_NE(why.find("machine busy"), std::string::npos) << why;
  EXPECT_NE(why.find("50%"), std::string::npos) << "the verdict must say the load measured: " << why;
  EXPECT_EQ(conkit::verify_exit_status(r.raw), 3) << conkit::verify_summary(r.raw);
}

// Without --wait-quiet the load is never probed (no waiting) and the case is not resumed.
TEST(VerifyWaitQuiet, NoWaitWithoutTheOption) {
  const LoadedCase setup("wait_quiet_off");
  int probes = 0;
  conkit::VerifyOptions o = setup.options(0);
  o.load_probe = [&](double) { return ++probes, 0.0; };
  const conkit::VerifyResult r = conkit::verify(o);
  EXPECT_EQ(probes, 0);
  ASSERT_EQ(r.results.size(), 1u);
  EXPECT_EQ(r.results[0].runs.size(), 1u);
  EXPECT_EQ(r.raw["claims"][0]["scopes"][0]["verdict"], "INCONCLUSIVE");
}

// Waiting cases (a waiting scenario, read by timer checks and no CPU check) run on two lanes beside
// each other; a ratio's pair of waiting cases runs on one lane, alternately, never beside each
// other; a case a CPU check reads, or of a scenario that computes, never runs beside anything.
TEST(VerifyOverlap, WaitingCasesRunOnTwoLanesAndNoOtherCaseOverlapsAnything) {
  const std::string dir = ::testing::TempDir() + "/overlap";
  std::filesystem::create_directories(dir);
  const std::string script = "sleep 0.2; printf '{\"fact\":\"x\",\"value\":1}\\n' >\"/dev/fd/$CONKIT_FACTS_FD\"; echo done";
  json cases = json::array();
  json checks = json::array();
  for (auto [scenario, model, noise] :
       std::vector<std::array<std::string, 3>>{{"worker_join", "a", "timer"}, {"worker_join", "b", "timer"}, {"worker_join", "c", "timer"},
                                               {"worker_join", "d", "timer"}, {"worker_join", "cpu", "cpu"}, {"s", "t", "timer"}}) {
    const std::string expect = dir + "/" + scenario + "-" + model + ".expect";
    conkit::write_file(expect, "# Pass proves: the case ran.\nscenario: " + scenario + "\nmodel: " + model + "\nout \"done\"\n");
    cases.push_back({{"name", scenario + "." + model}, {"scenario", scenario}, {"model", model}, {"expect", expect},
                     {"argv", {"/bin/sh", "-c", script}}, {"labels", json::array({"case"})}});
    checks.push_back({{"label", model}, {"scenario", scenario}, {"model", model}, {"fact", "x"}, {"op", "<="}, {"bound", 5},
                      {"noise", noise}, {"reason", "test"}});
  }
  checks.push_back({{"label", "c/d"}, {"scenario", "worker_join"}, {"model", "c"}, {"fact", "x"}, {"op", "<="}, {"bound", 5},
                    {"ratio_to", {{"scenario", "worker_join"}, {"model", "d"}, {"fact", "x"}}}, {"reason", "test"}});
  const std::string manifest = dir + "/cases.json", registry = dir + "/claims.json";
  conkit::write_file(manifest, json{{"cases", cases}}.dump());
  conkit::write_file(registry, json{{"articles", {{"003", "An article"}}},
                                    {"claims", {{{"id", "c1"}, {"claim", "a claim"}, {"sources", {"003"}},
                                                 {"scopes", {{"native", {{"requires", json::array()}, {"checks", checks}}}}}}}}}
                                   .dump());
  for (unsigned seed : {1u, 2u}) {  // two case orders
    conkit::VerifyOptions o;
    o.registry = registry;
    o.manifest = manifest;
    o.seed = seed;
    const conkit::VerifyResult r = conkit::verify(o);
    struct Span {
      std::string name;
      double from, to;
    };
    std::vector<Span> spans;
    // At least the minimum each: verify adds rounds where it judges a figure undecided, which a
    // disturbed machine can cause; what this test asserts is who ran beside whom, in every round.
    for (const auto& c : r.results) {
      EXPECT_GE(c.runs.size(), static_cast<std::size_t>(conkit::min_noisy_runs))
          << c.name << ": " << conkit::to_string(c.status) << " " << c.reason;
      for (const auto& run : c.runs)
        spans.push_back({c.name, static_cast<double>(run.spawn_ns) / 1e6, static_cast<double>(run.spawn_ns) / 1e6 + run.wall_ms});
    }
    ASSERT_GE(spans.size(), 6u * conkit::min_noisy_runs);
    std::map<std::string, std::set<std::string>> beside;  // case -> the cases some run of it overlapped
    for (const auto& a : spans)
      for (const auto& b : spans)
        if (&a != &b && b.from < a.to && a.from < b.to) beside[a.name].insert(b.name);
    for (const char* w : {"worker_join.a", "worker_join.b", "worker_join.c", "worker_join.d"})
      EXPECT_FALSE(beside[w].empty()) << w << " (seed " << seed << ") never ran beside another waiting case";
    EXPECT_EQ(beside["worker_join.c"].count("worker_join.d"), 0u) << "a ratio's pair ran side by side (seed " << seed << ")";
    for (const char* a : {"worker_join.cpu", "s.t"})
      EXPECT_TRUE(beside[a].empty()) << a << " (seed " << seed << ") ran beside " << *beside[a].begin();
  }
}

}  // namespace
