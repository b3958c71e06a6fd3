// Calibration probes (usable cores, sleep overshoot, CPU noise, spawn cost) and the environment
// fingerprint that every verify document carries.
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/version.hpp>
#include <fmt/format.h>

#include "conkit/claims.hpp"
#include "conkit/run.hpp"
#include "conkit/version.hpp"

#include "conkit/cores.hpp"
#include "common/stats.hpp"

namespace conkit {
namespace {

using clock_type = std::chrono::steady_clock;
using json = nlohmann::json;

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

// A fixed chunk of integer work the compiler cannot fold away.
double cpu_chunk_ms() {
  auto t0 = clock_type::now();
  volatile std::uint64_t sink = 0;
  std::uint64_t x = 88172645463325252ull;
  for (int i = 0; i < 2'000'000; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    sink = sink + x;
  }
  return ms_since(t0);
}

std::string first_line_of(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key, 0) == 0) {
      auto colon = line.find(':');
      std::string v = colon == std::string::npos ? line : line.substr(colon + 1);
      v.erase(0, v.find_first_not_of(" \t"));
      return v;
    }
  return "";
}

}  // namespace

Calibration calibrate() {
  Calibration c;
  const auto t0 = clock_type::now();
  c.usable_cores = usable_cores();
  c.online_cores = static_cast<int>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));

  // Sleep overshoot: 1 ms sleeps never end early; how late they end is the timer noise.
  std::vector<double> over;
  for (int i = 0; i < 150; ++i) {
    auto s = clock_type::now();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    over.push_back(ms_since(s) - 1.0);
  }
  c.sleep_overshoot_p50_ms = stats::percentile(over, 0.5);
  c.sleep_overshoot_p99_ms = stats::percentile(over, 0.99);
  c.sleep_overshoot_max_ms = *std::max_element(over.begin(), over.end());

  // Scheduler noise: spread of a fixed CPU chunk (first run warms caches and frequency), robustly:
  // per set of chunks the MAD-estimated sigma over the median, and the median over three sets, so
  // one preempted chunk (or one disturbed set) cannot make a quiet machine look noisy.
  cpu_chunk_ms();
  std::vector<double> set_cv;
  for (int set = 0; set < 3; ++set) {
    std::vector<double> chunk;
    for (int i = 0; i < 12; ++i) chunk.push_back(cpu_chunk_ms());
    const double m = stats::median(chunk);
    set_cv.push_back(m > 0 ? stats::mad_sigma(chunk) / m : 0);
  }
  c.cpu_noise_cv = stats::median(set_cv);

  // Spawn cost through the runner, as the cases see it.
  std::vector<double> spawn;
  for (int i = 0; i < 10; ++i) {
    RunOptions o;
    o.argv = {"/bin/true"};
    o.timeout_ms = 5000;
    RunResult r = run(o);
    if (r.ending == Ending::exited) spawn.push_back(r.end_ms);
  }
  c.spawn_ms_p50 = stats::percentile(spawn, 0.5);
  c.duration_ms = ms_since(t0);
  return c;
}

json to_json(const Calibration& c) {
  return {{"usable_cores", c.usable_cores},
          {"online_cores", c.online_cores},
          {"sleep_overshoot_p50_ms", c.sleep_overshoot_p50_ms},
          {"sleep_overshoot_p99_ms", c.sleep_overshoot_p99_ms},
          {"sleep_overshoot_max_ms", c.sleep_overshoot_max_ms},
          {"cpu_noise_cv", c.cpu_noise_cv},
          {"spawn_ms_p50", c.spawn_ms_p50},
          {"duration_ms", c.duration_ms}};
}

Calibration calibration_from_json(const json& j) {
  Calibration c;
  c.usable_cores = j.value("usable_cores", 1);
  c.online_cores = j.value("online_cores", 1);
  c.sleep_overshoot_p50_ms = j.value("sleep_overshoot_p50_ms", 0.0);
  c.sleep_overshoot_p99_ms = j.value("sleep_overshoot_p99_ms", 0.0);
  c.sleep_overshoot_max_ms = j.value("sleep_overshoot_max_ms", 0.0);
  c.cpu_noise_cv = j.value("cpu_noise_cv", 0.0);
  c.spawn_ms_p50 = j.value("spawn_ms_p50", 0.0);
  c.duration_ms = j.value("duration_ms", 0.0);
  return c;
}

namespace {

// The first stdout line of a short command, when it exits 0.
std::optional<std::string> first_output_line(std::vector<std::string> argv) {
  RunOptions o;
  o.argv = std::move(argv);
  o.timeout_ms = 10000;
  RunResult r = run(o);
  if (r.ending != Ending::exited || r.exit_code != 0) return std::nullopt;
  for (const auto& l : r.lines)
    if (l.stream == Stream::out && !l.text.empty()) return std::string(l.text);
  return std::nullopt;
}

std::string git_revision(const std::string& source_dir) {
  if (source_dir.empty()) return "unknown";
  // The commit, 12 hex digits, "-dirty" with uncommitted changes to tracked files; never a tag name.
  auto rev = first_output_line({"git", "-C", source_dir, "describe", "--always", "--dirty", "--abbrev=12", "--exclude=*"});
  return rev ? *rev : "unknown";
}

}  // namespace

json environment_fingerprint(const std::string& sanitizer, const std::string& python, const std::string& source_dir) {
  utsname u{};
  uname(&u);
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  json env = {{"cpu_model", first_line_of("/proc/cpuinfo", "model name")},
              {"online_cores", static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN))},
              {"usable_cores", usable_cores()},
              {"kernel", fmt::format("{} {} {}", u.sysname, u.release, u.machine)},
              {"host", host},
              {"compiler", fmt::format("{} {}",
#if defined(__clang__)
                                       "clang", __clang_version__
#else
                                       "g++", __VERSION__
#endif
                                       )},
              {"flags", CONKIT_BUILD_FLAGS},
              {"sanitizer", sanitizer},
              {"boost", fmt::format("{}.{}.{}", BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000, BOOST_VERSION % 100)},
              {"conkit", version()},
              {"git", git_revision(source_dir)}};
  if (!python.empty()) {
    RunOptions o;
    o.argv = {python, "-c",
              "import sys, sysconfig; print(sys.version.split()[0]); print(sys.implementation.name); "
              "print('free-threaded' if sysconfig.get_config_var('Py_GIL_DISABLED') else 'gil')"};
    o.timeout_ms = 10000;
    RunResult r = run(o);
    std::vector<std::string> out;
    for (const auto& l : r.lines)
      if (l.stream == Stream::out) out.emplace_back(l.text);
    if (r.ending == Ending::exited && r.exit_code == 0 && out.size() >= 3)
      env["python"] = {{"executable", python}, {"version", out[0]}, {"implementation", out[1]}, {"build", out[2]}};
    else
      env["python"] = {{"executable", python}, {"error", "could not run it"}};
  }
  return env;
}

}  // namespace conkit
