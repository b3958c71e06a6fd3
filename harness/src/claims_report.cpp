// Renderers of a raw verify document: terminal table, Markdown, JUnit XML, self-contained HTML with
// SVG plots, and the comparison matrix of several documents. Nothing here runs anything.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "conkit/claims.hpp"
#include "conkit/verify.hpp"

#include "common/text.hpp"

namespace conkit {
namespace {

using json = nlohmann::json;

std::string md_cell(std::string s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : c == '\n' ? std::string(" ") : std::string(1, c);
  return out;
}

std::string scope_evidence(const json& s) {
  std::string why = s.value("reason", "");
  std::string fig = s.value("figure", "");
  return s.value("verdict", "") == "INCONCLUSIVE" && !why.empty() ? why : fig;
}

// The caveats' notes, for the line under a scope's verdict.
std::vector<std::string> caveat_notes(const json& s) {
  std::vector<std::string> out;
  for (const auto& k : s.value("caveats", json::array()))
    out.push_back(fmt::format("caveat: {} ({})", k.value("note", ""), k.value("figure", k.value("why", ""))));
  return out;
}

// ---- SVG plots ---------------------------------------------------------------------------------

const char* palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};

std::string svg_speedup(const json& series, int cores) {
  const double W = 640, H = 320, L = 50, R = 190, T = 20, B = 40;  // R: room for the longest model name
  double max_w = 4, max_s = std::max(2.0, static_cast<double>(cores));
  for (const auto& s : series)
    for (const auto& p : s["points"]) max_w = std::max(max_w, p[0].get<double>()), max_s = std::max(max_s, p[1].get<double>());
  max_s = std::ceil(max_s + 0.5);
  auto x = [&](double w) { return L + (w - 1) / std::max(1.0, max_w - 1) * (W - L - R); };
  auto y = [&](double s) { return H - B - s / max_s * (H - T - B); };
  std::string o = fmt::format("<svg id=\"plot-speedup\" class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" role=\"img\">", W, H);
  o += fmt::format("<title>Speedup vs workers per model</title><line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#333\"/>", L, H - B, W - R, H - B);
  o += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#333\"/>", L, T, L, H - B);
  for (int s = 0; s <= max_s; ++s)
    o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{}x</text>", L - 6, y(s) + 4, s);
  for (int w = 1; w <= max_w; ++w)
    o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>", x(w), H - B + 16, w);
  o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">workers W</text>", (L + W - R) / 2, H - 6);
  // The ideal line min(W, cores).
  std::string ideal;
  for (int w = 1; w <= max_w; ++w) ideal += fmt::format("{},{} ", x(w), y(std::min(w, cores)));
  o += fmt::format("<polyline class=\"ideal\" points=\"{}\" fill=\"none\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>", ideal);
  int i = 0;
  for (const auto& s : series) {
    const char* col = palette[i % 8];
    std::string pts;
    for (const auto& p : s["points"]) {
      pts += fmt::format("{},{} ", x(p[0]), y(p[1]));
      o += fmt::format("<circle class=\"point\" cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{}\"><title>{} W={} speedup {:.2f}x</title></circle>",
                       x(p[0]), y(p[1]), col, xml_escape(s["model"]), p[0].get<double>(), p[1].get<double>());
    }
    o += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>", pts, col);
    o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"{}\">{}</text>", W - R + 10, T + 16 * (i + 1), col,
                     xml_escape(s["model"]));
    ++i;
  }
  o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#999\">ideal min(W, {})</text>", W - R + 10, T + 16 * (i + 1), cores);
  return o + "</svg>";
}

std::string svg_log_bars(const std::string& id, const std::string& title, const json& rows, const std::string& key,
                         const std::string& unit) {
  std::vector<std::pair<std::string, double>> bars;
  for (const auto& r : rows)
    if (r.contains(key) && r[key].get<double>() > 0) bars.emplace_back(r["model"], r[key].get<double>());
  const double W = 680, row = 24, L = 270, T = 24;  // L: room for "python_multiprocessing (forkserver)"
  const double H = T + row * std::max<std::size_t>(1, bars.size()) + 30;
  double lo = 1e300, hi = 0;
  for (auto& [m, v] : bars) lo = std::min(lo, v), hi = std::max(hi, v);
  const double dlo = bars.empty() ? 0 : std::floor(std::log10(lo)), dhi = bars.empty() ? 1 : std::ceil(std::log10(hi)) + (lo == hi);
  auto x = [&](double v) { return L + (std::log10(v) - dlo) / std::max(1.0, dhi - dlo) * (W - L - 80); };
  std::string o = fmt::format("<svg id=\"{}\" class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" role=\"img\">", id, W, H);
  o += fmt::format("<title>{}</title><text x=\"{}\" y=\"14\" font-size=\"12\">{} (log scale)</text>", xml_escape(title), L, xml_escape(title));
  for (double d = dlo; d <= dhi; ++d)
    o += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#ddd\"/><text x=\"{0}\" y=\"{3}\" font-size=\"10\" text-anchor=\"middle\">{4:g}</text>",
                     x(std::pow(10, d)), T, H - 26, H - 12, std::pow(10, d));
  int i = 0;
  for (auto& [m, v] : bars) {
    const double yy = T + row * i;
    o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">{}</text>", L - 6, yy + 15, xml_escape(m));
    o += fmt::format("<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}: {:.4g} {}</title></rect>", L, yy + 3,
                     std::max(1.0, x(v) - L), row - 6, palette[i % 8], xml_escape(m), v, unit);
    o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\">{:.3g} {}</text>", x(v) + 4, yy + 15, v, unit);
    ++i;
  }
  return o + "</svg>";
}

std::string svg_timeline(const json& timeline) {
  const auto& rows = timeline["rows"];
  double span = 1;
  for (const auto& r : rows)
    for (const auto& e : r["events"]) span = std::max(span, e["t_ms"].get<double>());
  const double W = 680, row = 40, L = 270, T = 24;
  const double H = T + row * std::max<std::size_t>(1, rows.size()) + 30;
  auto x = [&](double t) { return L + t / span * (W - L - 30); };
  std::string o = fmt::format("<svg id=\"plot-timeline\" class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" role=\"img\">", W, H);
  o += fmt::format("<title>Timeline of {} per model</title><text x=\"{}\" y=\"14\" font-size=\"12\">{}: output lines over time (ms from the first line)</text>",
                   xml_escape(timeline.value("scenario", "")), L, xml_escape(timeline.value("scenario", "")));
  int i = 0;
  for (const auto& r : rows) {
    const double yy = T + row * i + row / 2;
    o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">{}</text>", L - 6, yy + 4, xml_escape(r["model"]));
    o += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#ccc\"/>", L, yy, W - 30, yy);
    for (const auto& e : r["events"]) {
      const std::string text = e["text"];
      const bool done = text.find("complet") != std::string::npos;
      o += fmt::format("<circle class=\"event\" cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{}\"><title>{:.1f} ms: {}</title></circle>", x(e["t_ms"]),
                       yy, done ? "#2ca02c" : "#1f77b4", e["t_ms"].get<double>(), xml_escape(text));
    }
    ++i;
  }
  o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"10\">0</text><text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"end\">{:.0f} ms</text>", L,
                   H - 10, W - 30, H - 10, span);
  return o + "</svg>";
}

// One check's figure against its bound: the runs as a strip (outliers hollow and red), the median
// as a point with its interval as an error bar, the bound as a dashed line.
std::string svg_interval(const json& k) {
  const json samples = k.value("samples", json::array());
  if (!k.contains("interval") || !k.contains("bound")) return "";
  const double lo = k["interval"][0], hi = k["interval"][1], bound = k["bound"], value = k.value("value", lo);
  double a = std::min({lo, bound, value}), b = std::max({hi, bound, value});
  for (const auto& v : samples) a = std::min(a, v.get<double>()), b = std::max(b, v.get<double>());
  const double pad = (b - a) * 0.08 + (b == a ? std::max(1e-9, std::fabs(a) * 0.1) : 0);
  a -= pad, b += pad;
  const double W = 460, H = 56, L = 10, R = 10;
  auto x = [&](double v) { return L + (v - a) / (b - a) * (W - L - R); };
  std::set<double> outliers;
  for (const auto& o : k.value("outliers", json::array())) outliers.insert(o.get<double>());
  std::string o = fmt::format("<svg class=\"plot interval\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" role=\"img\">", W, H);
  o += fmt::format("<title>{}: {:.4g} [{:.4g}, {:.4g}] against the bound {:.4g}</title>", xml_escape(k.value("label", "")), value, lo, hi, bound);
  o += fmt::format("<line class=\"bound\" x1=\"{0}\" y1=\"4\" x2=\"{0}\" y2=\"{1}\" stroke=\"#b00\" stroke-dasharray=\"4 3\"/>", x(bound), H - 14);
  o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"10\" fill=\"#b00\" text-anchor=\"middle\">bound {:.3g}</text>", x(bound), H - 3, bound);
  std::size_t i = 0;
  for (const auto& v : samples) {
    const double sv = v.get<double>();
    const bool out = outliers.count(sv) > 0;
    o += fmt::format("<circle class=\"sample{}\" cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{}\" stroke=\"{}\"><title>run {}: {:.4g}{}</title></circle>",
                     out ? " outlier" : "", x(sv), 12 + static_cast<double>(i % 3) * 4, out ? "none" : "#888", out ? "#d62728" : "#888", i + 1, sv,
                     out ? " (outlier, 1.5 IQR)" : "");
    ++i;
  }
  o += fmt::format("<line class=\"errorbar\" x1=\"{}\" y1=\"32\" x2=\"{}\" y2=\"32\" stroke=\"#1f77b4\" stroke-width=\"2\"/>", x(lo), x(hi));
  o += fmt::format("<line x1=\"{0}\" y1=\"27\" x2=\"{0}\" y2=\"37\" stroke=\"#1f77b4\"/><line x1=\"{1}\" y1=\"27\" x2=\"{1}\" y2=\"37\" stroke=\"#1f77b4\"/>", x(lo), x(hi));
  o += fmt::format("<circle class=\"estimate\" cx=\"{}\" cy=\"32\" r=\"4\" fill=\"#1f77b4\"><title>median {:.4g}, interval [{:.4g}, {:.4g}] ({} runs)</title></circle>",
                   x(value), value, lo, hi, k.value("runs", 0));
  return o + "</svg>";
}

std::string anchor_of(const std::string& case_name) {
  std::string id = "case-";
  for (char c : case_name) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  return id;
}

// The environment and calibration of the run, one row per fact (HTML and Markdown).
std::vector<std::pair<std::string, std::string>> environment_rows(const json& raw) {
  const json env = raw.value("environment", json::object()), cal = raw.value("calibration", json::object());
  const json py = env.value("python", json::object());
  std::vector<std::pair<std::string, std::string>> rows = {
      {"CPU", env.value("cpu_model", "?")},
      {"cores", fmt::format("{} usable of {} online", cal.value("usable_cores", 0), cal.value("online_cores", 0))},
      {"kernel", env.value("kernel", "?")},
      {"compiler", env.value("compiler", "?")},
      {"build flags", env.value("flags", "?")},
      {"sanitizer", env.value("sanitizer", "none")},
      {"Python", py.empty() ? "none" : fmt::format("{} {} ({})", py.value("implementation", "?"), py.value("version", "?"), py.value("build", "?"))},
      {"Boost", env.value("boost", "?")},
      {"conkit", fmt::format("{} (git {})", env.value("conkit", "?"), env.value("git", "unknown"))},
      {"foreign load", env.contains("foreign_load") ? fmt::format("{}", env["foreign_load"].dump()) : "not measured"},
      {"calibration", fmt::format("sleep overshoot p50 {:.3f} / p99 {:.3f} / max {:.3f} ms; CPU noise {:.3f} (MAD/median); spawn {:.2f} ms",
                                  cal.value("sleep_overshoot_p50_ms", 0.0), cal.value("sleep_overshoot_p99_ms", 0.0),
                                  cal.value("sleep_overshoot_max_ms", 0.0), cal.value("cpu_noise_cv", 0.0), cal.value("spawn_ms_p50", 0.0))},
      {"unit, budget, seed", fmt::format("{} ms, {} s, {}", raw.value("options", json::object()).value("unit_ms", 0.0),
                                         raw.value("options", json::object()).value("budget_s", 0.0),
                                         raw.value("options", json::object()).value("seed", 0))}};
  return rows;
}

std::string environment_table(const json& raw) {
  std::string o = "<table id=\"environment\">";
  for (const auto& [k, v] : environment_rows(raw)) o += fmt::format("<tr><th>{}</th><td>{}</td></tr>", xml_escape(k), xml_escape(v));
  return o + "</table>\n";
}

// Per claim: its words and articles, each scope's verdict, each check against its bound, caveats,
// and links to the transcripts of the cases that decided it.
std::string claim_sections(const json& raw) {
  std::ostringstream o;
  for (const auto& c : raw.value("claims", json::array())) {
    o << fmt::format("<section class=\"claim\" id=\"claim-{}\"><h3>{}</h3><p>{}", xml_escape(c.value("id", "")), xml_escape(c.value("id", "")),
                     xml_escape(c.value("claim", "")));
    for (const auto& src : c.value("sources", json::array())) o << " <i class=\"article\">" << xml_escape(src.value("title", "")) << "</i>";
    o << "</p>\n";
    for (const auto& s : c.value("scopes", json::array())) {
      const std::string v = s.value("verdict", "");
      o << fmt::format("<h4>{}: <span class=\"{}\">{}</span> (expected {}{})</h4>\n", xml_escape(s.value("scope", "")), v, v,
                       xml_escape(s.value("expected", "")), s.contains("python_build") ? ", Python " + xml_escape(s.value("python_build", "")) : "");
      if (!s.value("reason", "").empty()) o << "<p>" << xml_escape(s.value("reason", "")) << "</p>\n";
      for (const auto& k : s.value("checks", json::array())) {
        o << fmt::format("<div class=\"check\"><b class=\"{}\">{}</b> {}<br>", k.value("verdict", ""), k.value("verdict", ""),
                         xml_escape(k.value("figure", k.value("why", ""))));
        o << svg_interval(k) << "<br><small>bound's reason: " << xml_escape(k.value("reason", "")) << "</small>";
        for (const auto& one : k.value("cases", json::array())) {
          o << fmt::format(" <a href=\"#{}\">{}</a>", anchor_of(one.value("case", "")), xml_escape(one.value("case", "")));
          if (one.contains("paired_with"))
            o << fmt::format(" / <a href=\"#{}\">{}</a>", anchor_of(one.value("paired_with", "")), xml_escape(one.value("paired_with", "")));
        }
        o << "</div>\n";
      }
      for (const auto& k : s.value("caveats", json::array()))
        o << fmt::format("<div class=\"caveat\">caveat — {}: {} <small>({})</small></div>\n", xml_escape(k.value("label", "")),
                         xml_escape(k.value("note", "")), xml_escape(k.value("figure", k.value("why", ""))));
    }
    o << "</section>\n";
  }
  return o.str();
}

// The output of each case's runs (at most 40 lines a run), as targets of the claims' links.
std::string transcripts(const json& raw) {
  std::ostringstream o;
  for (const auto& c : raw.value("cases", json::array())) {
    o << fmt::format("<details class=\"transcript\" id=\"{}\"><summary>{} — {} ({} runs)</summary>", anchor_of(c.value("name", "")),
                     xml_escape(c.value("name", "")), xml_escape(c.value("status", "")), c.value("runs", json::array()).size());
    int r = 0;
    for (const auto& run : c.value("runs", json::array())) {
      o << "<pre>run " << ++r << ":\n";
      int n = 0;
      for (const auto& l : run.value("lines", json::array())) {
        if (++n > 40) {
          o << "...\n";
          break;
        }
        o << fmt::format("{:9.2f} {} {}\n", l.value("t_ms", 0.0), l.value("stream", "out"), xml_escape(l.value("text", "")));
      }
      o << "</pre>";
    }
    o << "</details>\n";
  }
  return o.str();
}

}  // namespace

std::string render_claims_table(const json& raw) {
  std::ostringstream o;
  const json cal = raw.value("calibration", json::object());
  o << fmt::format("conkit verify: {} usable cores, unit {} ms, sleep overshoot p99 {:.2f} ms, CPU noise cv {:.3f}\n",
                   cal.value("usable_cores", 0), raw.value("options", json::object()).value("unit_ms", 0.0),
                   cal.value("sleep_overshoot_p99_ms", 0.0), cal.value("cpu_noise_cv", 0.0));
  o << fmt::format("{:<24} {:<7} {:<13} {}\n", "claim", "scope", "verdict", "deciding figure / reason");
  for (const auto& c : raw.value("claims", json::array()))
    for (const auto& s : c["scopes"]) {
      const std::string v = s.value("verdict", ""), e = s.value("expected", "HOLDS");
      o << fmt::format("{:<24} {:<7} {:<13} {}{}\n", c.value("id", ""), s.value("scope", ""), v, scope_evidence(s),
                       v == e ? "" : fmt::format("   (expected {})", e));
      for (const auto& note : caveat_notes(s)) o << fmt::format("{:<46} {}\n", "", note);
    }
  if (!raw.value("complete", true)) o << "INCOMPLETE: " << raw.value("incomplete_reason", "interrupted") << "\n";
  o << verify_summary(raw) << "\n";
  return o.str();
}

std::string render_markdown(const json& raw) {
  std::ostringstream o;
  o << "# conkit verify\n\n";
  if (!raw.value("complete", true)) o << "**Incomplete:** " << raw.value("incomplete_reason", "interrupted") << "\n\n";
  o << "| environment | |\n|---|---|\n";
  for (const auto& [k, v] : environment_rows(raw)) o << fmt::format("| {} | {} |\n", k, md_cell(v));
  o << "\n";
  o << "| claim | scope | verdict | expected | deciding figure / reason |\n|---|---|---|---|---|\n";
  for (const auto& c : raw.value("claims", json::array()))
    for (const auto& s : c["scopes"])
      o << fmt::format("| `{}` | {} | **{}** | {} | {} |\n", c.value("id", ""), s.value("scope", ""), s.value("verdict", ""),
                       s.value("expected", ""), md_cell(scope_evidence(s)));
  o << "\n## Claims\n\n";
  for (const auto& c : raw.value("claims", json::array())) {
    o << "### " << c.value("id", "") << "\n\n" << c.value("claim", "") << " (";
    bool first = true;
    for (const auto& s : c.value("sources", json::array())) o << (first ? "" : "; ") << "*" << s.value("title", "") << "*", first = false;
    o << ")\n\n";
    for (const auto& s : c["scopes"])
      for (const auto& k : s.value("checks", json::array()))
        o << fmt::format("- {}: {} — {} {}\n", s.value("scope", ""), k.value("verdict", ""),
                         md_cell(k.value("figure", k.value("why", ""))), k.contains("why") ? "(" + md_cell(k["why"]) + ")" : "")
          << "  - bound's reason: " << md_cell(k.value("reason", "")) << "\n";
    for (const auto& s : c["scopes"])
      for (const auto& note : caveat_notes(s)) o << "- " << s.value("scope", "") << ": " << md_cell(note) << "\n";
    o << "\n";
  }
  return o.str();
}

std::string render_claims_junit(const json& raw) {
  int tests = 0, failures = 0, skipped = 0;
  std::ostringstream cases;
  for (const auto& c : raw.value("claims", json::array()))
    for (const auto& s : c["scopes"]) {
      ++tests;
      const std::string v = s.value("verdict", ""), e = s.value("expected", "HOLDS");
      cases << fmt::format("    <testcase classname=\"conkit.claims.{}\" name=\"{}\">\n", xml_escape(s.value("scope", "")),
                           xml_escape(c.value("id", "")));
      if (v != e) {
        ++failures;
        cases << fmt::format("      <failure message=\"{} (expected {})\">{}</failure>\n", xml_escape(v), xml_escape(e),
                             xml_escape(scope_evidence(s)));
      } else if (v == "INCONCLUSIVE") {
        ++skipped;
        cases << fmt::format("      <skipped message=\"{}\"/>\n", xml_escape(scope_evidence(s)));
      }
      std::string notes;
      for (const auto& note : caveat_notes(s)) notes += "\n" + note;
      cases << fmt::format("      <system-out>{}: {}{}</system-out>\n    </testcase>\n", xml_escape(v), xml_escape(scope_evidence(s)),
                           xml_escape(notes));
    }
  return fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"conkit.claims\" tests=\"{}\" "
                     "failures=\"{}\" skipped=\"{}\">\n{}  </testsuite>\n</testsuites>\n",
                     tests, failures, skipped, cases.str());
}

std::string render_html(const json& raw) {
  const json plots = raw.value("plots", json::object()), cal = raw.value("calibration", json::object());
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>conkit verify</title><style>"
       "body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
       "padding:4px 8px;text-align:left;vertical-align:top}.HOLDS{color:#167a16}.REFUTED{color:#b00}.INCONCLUSIVE{color:#a60}"
       ".plot{border:1px solid #eee;margin:8px 0}</style></head><body>\n";
  o << "<h1>conkit verify</h1>\n";
  if (!raw.value("complete", true)) o << "<p><b>Incomplete:</b> " << xml_escape(raw.value("incomplete_reason", "interrupted")) << "</p>\n";
  o << "<p>" << fmt::format("{} usable cores; unit {} ms; sleep overshoot p99 {:.3f} ms; CPU noise cv {:.3f}.</p>\n",
                                                                          cal.value("usable_cores", 0), raw.value("options", json::object()).value("unit_ms", 0.0),
                                                                          cal.value("sleep_overshoot_p99_ms", 0.0), cal.value("cpu_noise_cv", 0.0));
  o << "<table id=\"claims\"><tr><th>claim</th><th>scope</th><th>verdict</th><th>expected</th><th>deciding figure / reason</th></tr>\n";
  for (const auto& c : raw.value("claims", json::array()))
    for (const auto& s : c["scopes"]) {
      const std::string v = s.value("verdict", "");
      o << fmt::format("<tr><td title=\"{}\">{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td></tr>\n",
                       xml_escape(c.value("claim", "")), xml_escape(c.value("id", "")), xml_escape(s.value("scope", "")), v, v,
                       xml_escape(s.value("expected", "")), xml_escape(scope_evidence(s)));
    }
  o << "</table>\n<h2>CPU parallelism: speedup vs workers</h2>\n"
    << svg_speedup(plots.value("speedup", json::array()), cal.value("usable_cores", 1));
  const json spawn = plots.value("spawn", json::array());
  o << "\n<h2>Spawn cost and memory per unit</h2>\n"
    << svg_log_bars("plot-spawn-cost", "time to create and finish one unit", spawn, "per_unit_us", "us") << "\n"
    << svg_log_bars("plot-spawn-memory", "memory per waiting unit", spawn, "idle_kib_per_unit", "KiB");
  o << "\n<h2>Timeline</h2>\n" << svg_timeline(plots.value("timeline", json{{"rows", json::array()}}));
  o << "\n<h2>Claims in detail</h2>\n" << claim_sections(raw);
  o << "\n<h2>Environment</h2>\n" << environment_table(raw);
  o << "\n<h2>Transcripts</h2>\n" << transcripts(raw);
  o << "\n</body></html>\n";
  return o.str();
}

std::string render_compare(const std::vector<json>& raws, const std::vector<std::string>& names) {
  // claim/scope -> per document: verdict, figure, value, band
  std::vector<std::string> order;
  std::map<std::string, std::vector<json>> rows;
  for (std::size_t i = 0; i < raws.size(); ++i)
    for (const auto& c : raws[i].value("claims", json::array()))
      for (const auto& s : c["scopes"]) {
        std::string key = c.value("id", "") + " " + s.value("scope", "");
        if (!rows.count(key)) order.push_back(key), rows[key].resize(raws.size());
        rows[key][i] = s;
      }
  std::ostringstream o;
  o << fmt::format("{:<32}", "claim scope");
  for (const auto& n : names) o << fmt::format(" | {:<28}", n.substr(0, 28));
  o << " | flags\n";
  int changed = 0, moved = 0;
  for (const auto& key : order) {
    const auto& docs = rows[key];
    o << fmt::format("{:<32}", key);
    std::set<std::string> verdicts;
    for (const auto& s : docs) {
      const std::string v = s.is_null() ? "-" : s.value("verdict", "-");
      verdicts.insert(v);
      o << fmt::format(" | {:<28}", v.substr(0, 28));
    }
    std::vector<std::string> flags;
    if (verdicts.size() > 1) flags.push_back("VERDICT CHANGED"), ++changed;
    // Figures: the first check of each scope, compared pairwise with the first document.
    auto first_check = [](const json& s) { return s.is_null() || s.value("checks", json::array()).empty() ? json() : s["checks"][0]; };
    const json base = docs.empty() ? json() : first_check(docs[0]);
    for (std::size_t i = 1; i < docs.size(); ++i) {
      const json k = first_check(docs[i]);
      if (base.is_null() || k.is_null() || !base.contains("value") || !k.contains("value")) continue;
      const double a = base["value"], b = k["value"];
      const double band = base.value("band", 0.0) + k.value("band", 0.0);
      const double tolerance = band > 0 ? band : 0.2 * std::max(std::fabs(a), std::fabs(b));
      if (std::fabs(a - b) > tolerance) {
        flags.push_back(fmt::format("{} moved {:.3g} -> {:.3g} (noise ±{:.2g})", base.value("label", "figure"), a, b, tolerance));
        ++moved;
      }
    }
    std::string joined;
    for (const auto& f : flags) joined += (joined.empty() ? "" : "; ") + f;
    o << " | " << joined << "\n";
  }
  o << fmt::format("{} verdict change(s), {} figure(s) moved beyond noise\n", changed, moved);
  return o.str();
}

}  // namespace conkit
