// Reading expected/claims.json into the typed Registry (conkit/claims.hpp), validating every key
// and value: a typo in the registry must stop `conkit verify` (exit 2) with the file, the JSON path
// and what was expected, not quietly change a verdict.
#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "conkit/claims.hpp"

namespace conkit {
namespace {

using json = nlohmann::json;

const char* type_name(const json& j) {
  switch (j.type()) {
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::null: return "null";
    default: return "a number";
  }
}

// Collects problems; every reader below reports through it and returns a harmless default.
struct Problems {
  std::string file;
  std::vector<std::string> list;
  void add(const std::string& path, const std::string& what) { list.push_back(fmt::format("{}: {}: {}", file, path, what)); }
};

// One JSON object being read: knows its path, which keys were read, and rejects the others.
class Obj {
 public:
  Obj(const json& j, std::string path, Problems& p) : j_(j), path_(std::move(path)), p_(p) {
    if (!j_.is_object()) p_.add(path_, fmt::format("expected an object, got {}", type_name(j_)));
  }
  // Call last: every key not read is an error naming the keys allowed here.
  void reject_unknown() {
    if (!j_.is_object()) return;
    for (const auto& [key, value] : j_.items())
      if (!read_.count(key)) {
        std::string allowed;
        for (const auto& k : read_) allowed += (allowed.empty() ? "" : ", ") + k;
        p_.add(path_, fmt::format("unknown key '{}' (expected one of {})", key, allowed));
      }
  }
  std::string path(const std::string& key) const { return path_ + "." + key; }
  bool has(const std::string& key) {
    read_.insert(key);
    return j_.is_object() && j_.contains(key);
  }
  const json* get(const std::string& key, bool required) {
    if (has(key)) return &j_.at(key);
    if (required) p_.add(path_, fmt::format("missing key '{}'", key));
    return nullptr;
  }
  std::string str(const std::string& key, bool required, std::string fallback = "") {
    const json* v = get(key, required);
    if (!v) return fallback;
    if (v->is_string() && !v->get<std::string>().empty()) return v->get<std::string>();
    p_.add(path(key), fmt::format("expected a non-empty string, got {}", v->is_string() ? "\"\"" : type_name(*v)));
    return fallback;
  }
  double num(const std::string& key, bool required, double fallback = 0) {
    const json* v = get(key, required);
    if (!v) return fallback;
    if (v->is_number()) return v->get<double>();
    p_.add(path(key), fmt::format("expected a number, got {}", type_name(*v)));
    return fallback;
  }
  // A string from a closed set.
  template <class T>
  T one_of(const std::string& key, const std::vector<std::pair<const char*, T>>& table, T fallback) {
    const json* v = get(key, false);
    if (!v) return fallback;
    std::string names;
    for (const auto& [name, value] : table) names += (names.empty() ? "" : ", ") + std::string(name);
    if (v->is_string())
      for (const auto& [name, value] : table)
        if (*v == name) return value;
    p_.add(path(key), fmt::format("expected one of {}, got {}", names, v->is_string() ? "'" + v->get<std::string>() + "'" : type_name(*v)));
    return fallback;
  }
  std::vector<std::string> strings(const std::string& key) {
    std::vector<std::string> out;
    const json* v = get(key, false);
    if (!v) return out;
    if (!v->is_array()) {
      p_.add(path(key), fmt::format("expected an array of strings, got {}", type_name(*v)));
      return out;
    }
    for (std::size_t i = 0; i < v->size(); ++i)
      if ((*v)[i].is_string()) out.push_back((*v)[i]);
      else p_.add(fmt::format("{}[{}]", path(key), i), fmt::format("expected a string, got {}", type_name((*v)[i])));
    return out;
  }

 private:
  const json& j_;
  std::string path_;
  Problems& p_;
  std::set<std::string> read_;
};

const std::vector<std::pair<const char*, CmpOp>> ops = {
    {"<", CmpOp::lt}, {"<=", CmpOp::le}, {">", CmpOp::gt}, {">=", CmpOp::ge}, {"==", CmpOp::eq}};
const std::vector<std::pair<const char*, Agg>> aggs = {{"last", Agg::last}, {"count", Agg::count}, {"distinct", Agg::distinct},
                                                       {"min", Agg::min},   {"max", Agg::max},     {"sum", Agg::sum}};
const std::vector<std::pair<const char*, Combine>> combines = {{"median", Combine::median}, {"min", Combine::min}, {"max", Combine::max}};
const std::vector<std::pair<const char*, Noise>> noises = {{"none", Noise::none}, {"timer", Noise::timer}, {"cpu", Noise::cpu}};
const std::vector<std::pair<const char*, Pick>> picks = {{"max_workers_le_cores", Pick::max_workers_le_cores}};
const std::vector<std::pair<const char*, Verdict>> verdicts = {
    {"HOLDS", Verdict::holds}, {"REFUTED", Verdict::refuted}, {"INCONCLUSIVE", Verdict::inconclusive}};

// The keys of a selection + figure, shared by a check and its ratio_to.
Evidence read_evidence(Obj& o, const std::string& path, Problems& p) {
  Evidence e;
  e.scenario = o.str("scenario", true);
  e.model = o.str("model", true);
  if (const json* w = o.get("where", false)) {
    Obj where(*w, o.path("where"), p);
    if (w->is_object())
      for (const auto& [key, value] : w->items()) {
        where.has(key);
        if (value.is_string()) e.where.emplace_back(key, value.get<std::string>());
        else if (value.is_number()) e.where.emplace_back(key, fmt::format("{}", value.get<double>()));
        else p.add(where.path(key), fmt::format("expected a string or a number, got {}", type_name(value)));
      }
  }
  e.fact = o.str("fact", true);
  e.agg = o.one_of("agg", aggs, Agg::last);
  if (o.has("minus")) e.minus = o.str("minus", true);
  e.plus = o.strings("plus");
  if (o.has("per")) {
    const std::string per = o.str("per", true);
    if (per == "unit") e.per = Per::unit;
    else if (per == "n_unit") e.per = Per::n_unit;
    else if (per.rfind("fact:", 0) == 0 && per.size() > 5) e.per = Per::fact, e.per_fact = per.substr(5);
    else if (!per.empty()) p.add(o.path("per"), fmt::format("expected unit, n_unit or fact:NAME, got '{}'", per));
  }
  e.args = o.strings("args");
  for (std::size_t i = 0; i < e.args.size(); ++i)
    if (e.args[i].empty()) p.add(fmt::format("{}[{}]", o.path("args"), i), "expected a non-empty argument");
  (void)path;
  return e;
}

Check read_check(const json& j, const std::string& path, Problems& p) {
  Check c;
  c.path = path;
  Obj o(j, path, p);
  c.of = read_evidence(o, path, p);
  c.label = o.str("label", false, c.of.fact);
  c.reason = o.str("reason", true);
  if (const json* r = o.get("ratio_to", false)) {
    Obj ro(*r, o.path("ratio_to"), p);
    c.ratio_to = read_evidence(ro, o.path("ratio_to"), p);
    ro.reject_unknown();
  }
  c.pick = o.one_of("pick", picks, Pick::every);
  c.combine = o.one_of("combine", combines, Combine::median);
  if (const json* e = o.get("evidence_if", false)) {
    Obj eo(*e, o.path("evidence_if"), p);
    FactCondition f;
    f.fact = eo.str("fact", true);
    f.op = eo.one_of("op", ops, CmpOp::ge);
    f.bound = eo.num("bound", true);
    f.why = eo.str("why", true);
    eo.reject_unknown();
    c.evidence_if = f;
  }
  if (!o.has("op")) p.add(path, "missing key 'op'");
  c.op = o.one_of("op", ops, CmpOp::le);
  if (const json* b = o.get("bound", true)) {
    if (b->is_number()) {
      c.bound.value = b->get<double>();
    } else if (b->is_object()) {
      Obj bo(*b, o.path("bound"), p);
      c.bound.value = bo.num("k", true);
      const std::string times = bo.str("times", true);
      if (times == "min_workers_cores") c.bound.times_min_workers_cores = true;
      else if (!times.empty()) p.add(bo.path("times"), fmt::format("expected min_workers_cores, got '{}'", times));
      bo.reject_unknown();
    } else {
      p.add(o.path("bound"), fmt::format("expected a number or {{\"k\", \"times\"}}, got {}", type_name(*b)));
    }
  }
  c.noise = o.one_of("noise", noises, Noise::none);
  if (o.has("runs")) {
    const double runs = o.num("runs", true);
    if (runs < 1 || runs != static_cast<int>(runs)) p.add(o.path("runs"), fmt::format("expected a whole number >= 1, got {}", runs));
    else c.runs = static_cast<int>(runs);
  }
  o.reject_unknown();
  return c;
}

Scope read_scope(const std::string& name, const json& j, const std::string& path, Problems& p) {
  Scope s;
  s.name = name;
  if (name != "native" && name != "python") p.add(path, "expected the scope native or python");
  Obj o(j, path, p);
  const auto reqs = o.strings("requires");
  for (std::size_t i = 0; i < reqs.size(); ++i) {
    const std::string& r = reqs[i];
    if (r == "python") s.requires_.python = true;
    else if (r.rfind("cores>=", 0) == 0 && r.size() > 7 && r.find_first_not_of("0123456789", 7) == std::string::npos)
      s.requires_.min_cores = std::stoi(r.substr(7));
    else p.add(fmt::format("{}[{}]", o.path("requires"), i), fmt::format("expected python or cores>=N, got '{}'", r));
  }
  s.expect = o.one_of("expect", verdicts, Verdict::holds);
  if (o.has("expect_free_threaded")) s.expect_free_threaded = o.one_of("expect_free_threaded", verdicts, Verdict::holds);
  if (const json* caveats = o.get("caveats", false)) {
    if (!caveats->is_array()) p.add(o.path("caveats"), fmt::format("expected an array of caveats, got {}", type_name(*caveats)));
    else
      for (std::size_t i = 0; i < caveats->size(); ++i) {
        const std::string cpath = fmt::format("{}[{}]", o.path("caveats"), i);
        // A caveat is a check plus what it says either way; read the two texts, then the check.
        json body = (*caveats)[i];
        Caveat cv;
        if (body.is_object()) {
          Obj co(body, cpath, p);
          cv.if_holds = co.str("if_holds", true);
          cv.if_refuted = co.str("if_refuted", true);
          body.erase("if_holds");
          body.erase("if_refuted");
        }
        cv.check = read_check(body, cpath, p);
        s.caveats.push_back(std::move(cv));
      }
  }
  if (const json* checks = o.get("checks", true)) {
    if (!checks->is_array() || checks->empty())
      p.add(o.path("checks"), "expected a non-empty array of checks");
    else
      for (std::size_t i = 0; i < checks->size(); ++i)
        s.checks.push_back(read_check((*checks)[i], fmt::format("{}[{}]", o.path("checks"), i), p));
  }
  o.reject_unknown();
  return s;
}

// The cases of one scenario and model run once per round for every check that reads them, so
// the checks that give `args` for them must give the same (or the runs would answer only one).
void check_args_agree(const Registry& r, Problems& p) {
  std::map<std::pair<std::string, std::string>, std::pair<std::vector<std::string>, std::string>> first;  // -> args, path
  for_each_check(r, [&](const Check& check) {
    auto note = [&](const Evidence& e, const std::string& path) {
      if (e.args.empty()) return;
      auto [it, fresh] = first.emplace(std::pair(e.scenario, e.model), std::pair(e.args, path));
      if (!fresh && it->second.first != e.args)
        p.add(path + ".args", fmt::format("expected the args {} gives for {}/{}: [{}], got [{}]", it->second.second, e.scenario,
                                          e.model, fmt::join(it->second.first, ", "), fmt::join(e.args, ", ")));
    };
    note(check.of, check.path);
    if (check.ratio_to) note(*check.ratio_to, check.path + ".ratio_to");
  });
}

}  // namespace

std::string to_string(Verdict v) {
  for (const auto& [name, verdict] : verdicts)  // the names the registry's "expect" accepts
    if (verdict == v) return name;
  return "?";
}

std::string Registry::article_title(const std::string& id) const {
  for (const auto& [k, title] : articles)
    if (k == id) return title;
  return "";
}

RegistryError::RegistryError(std::vector<std::string> problems_)
    : std::runtime_error([&] {
        std::string all;
        for (const auto& s : problems_) all += (all.empty() ? "" : "\n") + s;
        return all;
      }()),
      problems(std::move(problems_)) {}

Registry parse_registry(const json& j, const std::string& file) {
  Problems p{file, {}};
  Registry r;
  r.file = file;
  Obj top(j, "$", p);
  top.str("comment", false);
  if (const json* a = top.get("articles", false)) {
    Obj ao(*a, "$.articles", p);
    if (a->is_object())
      for (const auto& [id, title] : a->items()) {
        if (!ao.has(id) || !title.is_string()) p.add(ao.path(id), fmt::format("expected the article's title, got {}", type_name(title)));
        else r.articles.emplace_back(id, title.get<std::string>());
      }
  }
  std::set<std::string> ids;
  if (const json* claims = top.get("claims", true)) {
    if (!claims->is_array()) p.add("$.claims", fmt::format("expected an array of claims, got {}", type_name(*claims)));
    else
      for (std::size_t i = 0; i < claims->size(); ++i) {
        const std::string path = fmt::format("$.claims[{}]", i);
        Obj o((*claims)[i], path, p);
        Claim c;
        c.id = o.str("id", true);
        if (!c.id.empty() && !ids.insert(c.id).second) p.add(o.path("id"), fmt::format("duplicate claim id '{}'", c.id));
        c.claim = o.str("claim", true);
        c.sources = o.strings("sources");
        for (std::size_t k = 0; k < c.sources.size(); ++k)
          if (r.article_title(c.sources[k]).empty())
            p.add(fmt::format("{}[{}]", o.path("sources"), k), fmt::format("expected an id listed in $.articles, got '{}'", c.sources[k]));
        if (const json* scopes = o.get("scopes", true)) {
          if (!scopes->is_object() || scopes->empty()) p.add(o.path("scopes"), "expected an object of scopes (native, python)");
          else
            for (const auto& [name, body] : scopes->items()) c.scopes.push_back(read_scope(name, body, o.path("scopes") + "." + name, p));
        }
        o.reject_unknown();
        r.claims.push_back(std::move(c));
      }
  }
  top.reject_unknown();
  check_args_agree(r, p);
  if (!p.list.empty()) throw RegistryError(std::move(p.list));
  return r;
}

Registry load_registry(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw RegistryError({fmt::format("{}: cannot read the claims registry", path)});
  json j;
  try {
    j = json::parse(in);
  } catch (const json::parse_error& e) {
    throw RegistryError({fmt::format("{}: not valid JSON (byte {}): {}", path, e.byte, e.what())});
  }
  return parse_registry(j, path);
}

}  // namespace conkit
