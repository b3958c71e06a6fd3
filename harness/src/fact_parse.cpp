// fact_parse.cpp — facts-channel lines to FactLog entries, fast for the writers' flat objects.
#include "fact_parse.hpp"

#include <charconv>
#include <exception>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

namespace conkit::detail {
namespace {

// The general path: any JSON text.
bool add_parsed(std::string_view text, double arrival_ms, std::int64_t spawn_ns, FactLog& log) {
  try {
    auto j = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) return false;
    auto name = j.find("fact");
    auto value = j.find("value");
    if (name == j.end() || !name->is_string() || value == j.end()) return false;
    Fact f;
    f.name = name->get<std::string>();
    f.value_json = value->dump();
    if (value->is_boolean()) f.number = value->get<bool>() ? 1.0 : 0.0;
    else if (value->is_number()) f.number = value->get<double>();
    else if (value->is_string()) f.string = value->get<std::string>();
    f.t_ms = arrival_ms;
    if (auto t = j.find("t_ns"); t != j.end() && t->is_number())
      f.inner_ms = (t->get<double>() - static_cast<double>(spawn_ns)) / 1e6;
    if (auto p = j.find("pid"); p != j.end() && p->is_number_integer()) f.pid = p->get<std::int64_t>();
    if (auto p = j.find("tid"); p != j.end() && p->is_number_integer()) f.tid = p->get<std::int64_t>();
    log.push_back(f);
    return true;
  } catch (const std::exception&) {
    return false;  // e.g. a string that is not valid UTF-8 cannot be dumped
  }
}

// One scalar token of a flat object.
struct Token {
  enum Kind { string, integer, real, boolean, null } kind = null;
  std::string_view text;  // as written (strings with their quotes)
  std::int64_t integer_value = 0;
  double real_value = 0;
};

// A scanner for flat objects of plain tokens. Every refusal sends the line to the general path,
// so it only has to be right about what it accepts.
class FlatScanner {
 public:
  explicit FlatScanner(std::string_view s) : p_(s.data()), end_(s.data() + s.size()) {}

  void ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\r' || *p_ == '\n')) ++p_;
  }
  bool eat(char c) {
    ws();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  bool at_end() {
    ws();
    return p_ == end_;
  }
  // A string of printable ASCII without escapes: it reads and dumps as itself.
  bool plain_string(std::string_view& inner) {
    ws();
    if (p_ == end_ || *p_ != '"') return false;
    const char* b = ++p_;
    while (p_ < end_ && *p_ != '"') {
      auto c = static_cast<unsigned char>(*p_);
      if (c < 0x20 || c > 0x7e || c == '\\') return false;
      ++p_;
    }
    if (p_ == end_) return false;
    inner = std::string_view(b, static_cast<std::size_t>(p_ - b));
    ++p_;
    return true;
  }
  bool token(Token& t) {
    ws();
    if (p_ == end_) return false;
    const char* b = p_;
    if (*p_ == '"') {
      std::string_view inner;
      if (!plain_string(inner)) return false;
      t.kind = Token::string;
      t.text = std::string_view(b, static_cast<std::size_t>(p_ - b));
      return true;
    }
    for (auto [word, kind] : {std::pair{std::string_view("true"), Token::boolean},
                              std::pair{std::string_view("false"), Token::boolean},
                              std::pair{std::string_view("null"), Token::null}}) {
      if (static_cast<std::size_t>(end_ - p_) >= word.size() && std::string_view(p_, word.size()) == word) {
        p_ += word.size();
        t.kind = kind;
        t.text = word;
        return true;
      }
    }
    return number(t);
  }

 private:
  // JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  bool number(Token& t) {
    const char* b = p_;
    auto digits = [&] {
      const char* d = p_;
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
      return static_cast<std::size_t>(p_ - d);
    };
    if (p_ < end_ && *p_ == '-') ++p_;
    if (p_ == end_) return false;
    if (*p_ == '0') ++p_;
    else if (digits() == 0) return false;
    bool integral = true;
    if (p_ < end_ && *p_ == '.') {
      ++p_;
      if (digits() == 0) return false;
      integral = false;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (digits() == 0) return false;
      integral = false;
    }
    t.text = std::string_view(b, static_cast<std::size_t>(p_ - b));
    if (integral) {
      if (t.text.size() > 18) return false;  // might not fit an int64: the general path decides
      t.kind = Token::integer;
      return std::from_chars(b, p_, t.integer_value).ec == std::errc();
    }
    t.kind = Token::real;
    auto r = std::from_chars(b, p_, t.real_value);
    return r.ec == std::errc() && r.ptr == p_;
  }

  const char* p_;
  const char* end_;
};

// The fast path; false means "not sure": the caller tries the general path.
bool add_flat(std::string_view text, double arrival_ms, std::int64_t spawn_ns, FactLog& log) {
  FlatScanner sc(text);
  if (!sc.eat('{')) return false;
  // Each known key at most once (a repeat is "not sure"); other keys are ignored, as the general
  // path ignores them (repeats of them do not matter).
  std::optional<Token> fact, value, t_ns, pid, tid;
  const std::pair<std::string_view, std::optional<Token>*> slots[] = {
      {"fact", &fact}, {"value", &value}, {"t_ns", &t_ns}, {"pid", &pid}, {"tid", &tid}};
  if (!sc.eat('}')) {
    for (;;) {
      std::string_view key;
      Token v;
      if (!sc.plain_string(key) || !sc.eat(':') || !sc.token(v)) return false;
      for (const auto& [slot_key, slot] : slots) {
        if (key != slot_key) continue;
        if (slot->has_value()) return false;
        *slot = v;
        break;
      }
      if (sc.eat(',')) continue;
      if (sc.eat('}')) break;
      return false;
    }
  }
  if (!sc.at_end() || !fact || fact->kind != Token::string || !value) return false;
  const std::string_view name = fact->text.substr(1, fact->text.size() - 2);

  FactView f;
  f.name = name;
  f.t_ms = arrival_ms;
  std::string dumped;
  switch (value->kind) {
    case Token::string:
      f.value_json = value->text;
      f.string = value->text.substr(1, value->text.size() - 2);
      break;
    case Token::integer: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, value->integer_value);
      dumped.assign(buf, r.ptr);  // "-0" reads as 0 and dumps as "0", like nlohmann
      f.value_json = dumped;
      f.number = static_cast<double>(value->integer_value);
      break;
    }
    case Token::real:
      dumped = nlohmann::json(value->real_value).dump();
      f.value_json = dumped;
      f.number = value->real_value;
      break;
    case Token::boolean:
      f.value_json = value->text;
      f.number = value->text == "true" ? 1.0 : 0.0;
      break;
    case Token::null: f.value_json = "null"; break;
  }
  if (t_ns && (t_ns->kind == Token::integer || t_ns->kind == Token::real)) {
    double t = t_ns->kind == Token::integer ? static_cast<double>(t_ns->integer_value) : t_ns->real_value;
    f.inner_ms = (t - static_cast<double>(spawn_ns)) / 1e6;
  }
  if (pid && pid->kind == Token::integer) f.pid = pid->integer_value;
  if (tid && tid->kind == Token::integer) f.tid = tid->integer_value;
  log.add(f);
  return true;
}

}  // namespace

bool add_fact_line(std::string_view line, double arrival_ms, std::int64_t spawn_ns, FactLog& log) {
  return add_flat(line, arrival_ms, spawn_ns, log) || add_parsed(line, arrival_ms, spawn_ns, log);
}

}  // namespace conkit::detail
