// run/options.cpp — the runner's option values and the remarks every report shows.
#include <unistd.h>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "common/names.hpp"
#include "common/text.hpp"
#include "conkit/run.hpp"

namespace conkit {

namespace {
// Each containment mode with its name in options and headers; one table for both directions.
constexpr detail::NameTable<Containment, 3> kContainmentNames = {
    {Containment::automatic, "auto"},
    {Containment::pid_namespace, "pid-namespace"},
    {Containment::subreaper, "subreaper"},
};
}  // namespace

std::string to_string(Containment c) { return detail::name_of(kContainmentNames, c, "auto"); }

std::optional<Containment> parse_containment(const std::string& text) {
  return detail::value_named(kContainmentNames, text);
}

namespace {
// "<number> <suffix>" with optional blanks; the suffix as written (may be empty).
bool number_and_suffix(const std::string& text, double& value, std::string& suffix) {
  std::size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  std::size_t start = i;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == start) return false;
  const std::string digits = text.substr(start, i - start);
  char* end = nullptr;
  value = std::strtod(digits.c_str(), &end);
  if (end != digits.c_str() + digits.size()) return false;  // "1.2.3", "." : not one number
  while (i < text.size() && text[i] == ' ') ++i;
  suffix = text.substr(i);
  while (!suffix.empty() && suffix.back() == ' ') suffix.pop_back();
  return std::isfinite(value) && value >= 0;
}
}  // namespace

std::optional<std::uint64_t> parse_size(const std::string& text) {
  double v = 0;
  std::string suffix;
  if (!number_and_suffix(text, v, suffix)) return std::nullopt;
  double scale = suffix.empty() || suffix == "B" ? 1 : suffix == "KiB" ? 1024.0 : suffix == "MiB" ? 1024.0 * 1024
               : suffix == "GiB" ? 1024.0 * 1024 * 1024 : 0;
  if (scale == 0 || v * scale > 1e18) return std::nullopt;
  return static_cast<std::uint64_t>(v * scale);
}

std::optional<double> parse_duration_ms(const std::string& text) {
  double v = 0;
  std::string suffix;
  if (!number_and_suffix(text, v, suffix)) return std::nullopt;
  if (suffix == "ms") return v;
  if (suffix == "s") return v * 1000;
  return std::nullopt;
}

std::uint64_t default_memory_limit() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return 0;  // unknown: no limit rather than a wrong one
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page) / 2;
}

std::vector<std::string> run_remarks(const RunResult& r) {
  std::vector<std::string> out;
  if (!r.strays.empty()) {
    constexpr std::size_t kListed = 5;
    std::string s = "killed " + std::to_string(r.strays.size()) + (r.strays.size() == 1 ? " stray: " : " strays: ");
    for (std::size_t i = 0; i < r.strays.size() && i < kListed; ++i) {
      const auto& st = r.strays[i];
      s += (i ? ", " : "") + std::string("pid ") + std::to_string(st.pid) + " " + escape_for_display(st.command) +
           (st.left_group ? " (left the process group)" : "");
    }
    if (r.strays.size() > kListed) s += ", and " + std::to_string(r.strays.size() - kListed) + " more";
    out.push_back(s);
  }
  if (r.pipe_held_after_exit) out.push_back("a descendant held a stream open after the main process exited");
  if (r.bad_fact_lines > 0) {
    std::string s = std::to_string(r.bad_fact_lines) + " bad fact line" + (r.bad_fact_lines == 1 ? "" : "s") +
                    " (torn or not a fact)";
    if (!r.bad_facts.empty()) {
      std::string first = r.bad_facts.front().substr(0, 60);
      s += ", first: " + escape_for_display(first) + (r.bad_facts.front().size() > 60 ? "..." : "");
    }
    out.push_back(s);
  }
  std::string cut;
  if (r.truncated_out) cut += "stdout";
  if (r.truncated_err) cut += std::string(cut.empty() ? "" : ", ") + "stderr";
  if (r.truncated_facts) cut += std::string(cut.empty() ? "" : ", ") + "facts";
  if (!cut.empty()) out.push_back(cut + " truncated at the output limit");
  return out;
}

}  // namespace conkit
