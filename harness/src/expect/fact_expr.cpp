// The expected-file parser's fact expressions: a recursive-descent parser over one line, with the
// type checks (a condition is boolean, an operand a value) and the nesting limits that keep the
// tree small enough to destroy without exhausting the stack.
#include "expect/fact_expr.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "expect/literals.hpp"

namespace conkit::expect_detail {

namespace {

constexpr int kMaxNesting = 64;    // parentheses, `not` and unary minus chains
constexpr int kMaxExprDepth = 256; // the whole tree, so destroying it cannot exhaust the stack

class ExprParser {
 public:
  ExprParser(Scanner& sc, const std::string& path) : sc_(sc), path_(path) {}

  // A whole condition: must be boolean.
  PExpr condition() {
    PExpr c = parse_or(0);
    need_bool(c);
    return c;
  }

 private:
  Scanner& sc_;
  const std::string& path_;

  SourceLoc loc_at(std::size_t pos) const {
    return SourceLoc{path_, sc_.line, static_cast<int>(pos) + 1};
  }
  std::string text_of(const PExpr& p) const {
    return "'" + display(sc_.s.substr(p.begin, p.end - p.begin), 40) + "'";
  }
  void need_bool(const PExpr& p) const {
    if (!p.boolean)
      sc_.fail(static_cast<int>(p.begin) + 1, "expected a condition (a comparison), found the value " + text_of(p));
  }
  void need_value(const PExpr& p) const {
    if (p.boolean)
      sc_.fail(static_cast<int>(p.begin) + 1, "expected a value, found the condition " + text_of(p));
  }
  void need_kind(const PExpr& p, bool boolean) const {
    if (boolean) need_bool(p);
    else need_value(p);
  }
  void check_nesting(int nest) const {
    if (nest > kMaxNesting)
      sc_.fail(sc_.col(), "expected at most " + std::to_string(kMaxNesting) +
                              " levels of nesting, found more");
  }

  PExpr make(Expr::Kind kind, std::size_t at, std::vector<PExpr> args, bool boolean,
             CmpOp op = CmpOp::eq) {
    auto e = std::make_shared<Expr>();
    e->kind = kind;
    e->op = op;
    e->loc = loc_at(at);
    PExpr p;
    p.boolean = boolean;
    p.begin = args.empty() ? at : args.front().begin;
    p.end = args.empty() ? sc_.pos : args.back().end;
    int depth = 0;
    for (auto& a : args) {
      depth = std::max(depth, a.depth);
      e->args.push_back(a.e);
    }
    p.depth = depth + 1;
    if (p.depth > kMaxExprDepth)
      sc_.fail(static_cast<int>(at) + 1, "expected an expression at most " +
                                             std::to_string(kMaxExprDepth) + " levels deep, found a deeper one");
    p.e = std::move(e);
    return p;
  }

  // One operator of a binary level, as it is written and the node it makes.
  struct BinaryOp {
    std::string_view text;
    Expr::Kind kind;
  };
  static constexpr BinaryOp kOr[] = {{"or", Expr::Kind::or_}};
  static constexpr BinaryOp kAnd[] = {{"and", Expr::Kind::and_}};
  static constexpr BinaryOp kAdd[] = {{"+", Expr::Kind::add}, {"-", Expr::Kind::sub}};
  static constexpr BinaryOp kMul[] = {{"*", Expr::Kind::mul}, {"/", Expr::Kind::div}};

  // One left-associative level: operand (OP operand)*, with OP one of `ops`. The operands are
  // conditions (`boolean`) or values, and so is what the level makes.
  PExpr binary(int nest, std::span<const BinaryOp> ops, bool boolean, PExpr (ExprParser::*operand)(int)) {
    PExpr l = (this->*operand)(nest);
    while (true) {
      sc_.ws();
      std::size_t at = sc_.pos;
      auto op = std::find_if(ops.begin(), ops.end(), [&](const BinaryOp& o) { return sc_.accept(o.text); });
      if (op == ops.end()) return l;
      PExpr r = (this->*operand)(nest);
      need_kind(l, boolean);
      need_kind(r, boolean);
      l = make(op->kind, at, {l, r}, boolean);
    }
  }

  PExpr parse_or(int nest) {
    check_nesting(nest);
    return binary(nest, kOr, true, &ExprParser::parse_and);
  }
  PExpr parse_and(int nest) { return binary(nest, kAnd, true, &ExprParser::parse_not); }

  PExpr parse_not(int nest) {
    sc_.ws();
    std::size_t at = sc_.pos;
    if (!sc_.accept("not")) return parse_cmp(nest);
    check_nesting(nest + 1);
    PExpr x = parse_not(nest + 1);
    need_bool(x);
    PExpr p = make(Expr::Kind::not_, at, {x}, true);
    p.begin = at;
    return p;
  }

  std::optional<CmpOp> accept_cmp() {
    return expect_detail::accept_cmp(sc_, {CmpOp::eq, CmpOp::ne, CmpOp::le, CmpOp::ge, CmpOp::lt, CmpOp::gt});
  }

  PExpr parse_cmp(int nest) {
    PExpr l = parse_add(nest);
    sc_.ws();
    std::size_t at = sc_.pos;
    auto op = accept_cmp();
    if (!op) return l;
    PExpr r = parse_add(nest);
    need_value(l);
    need_value(r);
    PExpr p = make(Expr::Kind::cmp, at, {l, r}, true, *op);
    sc_.ws();
    std::size_t save = sc_.pos;
    if (accept_cmp()) {
      sc_.pos = save;
      sc_.expected("'and' or 'or' between comparisons");
    }
    return p;
  }

  PExpr parse_add(int nest) { return binary(nest, kAdd, false, &ExprParser::parse_mul); }
  PExpr parse_mul(int nest) { return binary(nest, kMul, false, &ExprParser::parse_unary); }

  // -x is 0 - x (or a negative literal).
  PExpr parse_unary(int nest) {
    sc_.ws();
    std::size_t at = sc_.pos;
    if (sc_.peek() != '-') return primary(nest);
    ++sc_.pos;
    check_nesting(nest + 1);
    PExpr x = parse_unary(nest + 1);
    need_value(x);
    if (x.e->kind == Expr::Kind::number) {
      auto e = std::make_shared<Expr>(*x.e);
      e->number = -e->number;
      e->loc = loc_at(at);
      x.e = std::move(e);
      x.begin = at;
      return x;
    }
    PExpr zero = number_node(at, 0);
    PExpr p = make(Expr::Kind::sub, at, {zero, x}, false);
    p.begin = at;
    return p;
  }

  PExpr number_node(std::size_t at, double v) {
    PExpr p = make(Expr::Kind::number, at, {}, false);
    std::const_pointer_cast<Expr>(p.e)->number = v;
    p.begin = at;
    return p;
  }

  PExpr leaf(Expr::Kind kind, std::size_t at, std::string text) {
    PExpr p = make(kind, at, {}, false);
    std::const_pointer_cast<Expr>(p.e)->text = std::move(text);
    p.begin = at;
    p.end = sc_.pos;
    return p;
  }

  PExpr primary(int nest) {
    sc_.ws();
    std::size_t at = sc_.pos;
    char c = sc_.peek();
    if (c == '(') {
      ++sc_.pos;
      PExpr inner = parse_or(nest + 1);
      sc_.expect(")", "')' to close the '(' at col " + std::to_string(at + 1));
      inner.begin = at;
      inner.end = sc_.pos;
      return inner;
    }
    if (is_digit(c)) {
      double v = *scan_number(sc_);
      if (is_ident_char(sc_.peek()) || sc_.peek() == '.') sc_.expected("an operator");
      PExpr p = number_node(at, v);
      p.end = sc_.pos;
      return p;
    }
    if (c == '"') {
      std::string text = scan_string(sc_);
      return leaf(Expr::Kind::string, at, std::move(text));
    }
    if (is_ident_start(c)) {
      std::string id = sc_.ident();
      if (id == "and" || id == "or" || id == "not") {
        sc_.pos = at;
        sc_.expected("an operand");
      }
      std::size_t id_end = sc_.pos;
      sc_.ws();
      if (sc_.peek() == '(') return call(id, at, nest);
      sc_.pos = id_end;
      return leaf(Expr::Kind::fact, at, std::move(id));
    }
    sc_.expected("a number, a \"string\", a fact name, a function call or '('");
  }

  PExpr call(const std::string& fn, std::size_t at, int nest) {
    static const std::set<std::string> one_fact = {"count", "distinct", "sum", "first", "last"};
    bool minmax = fn == "min" || fn == "max";
    if (!minmax && !one_fact.count(fn)) {
      sc_.pos = at;
      sc_.expected("a function (count, distinct, sum, first, last, min, max)");
    }
    ++sc_.pos;  // '('
    std::vector<PExpr> args;
    if (!minmax) {
      sc_.ws();
      std::size_t arg_at = sc_.pos;
      std::string f = sc_.ident();
      if (f.empty() || f == "and" || f == "or" || f == "not") {
        sc_.pos = arg_at;
        sc_.expected("a fact name as the argument of " + fn + "()");
      }
      args.push_back(leaf(Expr::Kind::fact, arg_at, f));
    } else {
      check_nesting(nest + 1);
      do {
        PExpr a = parse_or(nest + 1);
        need_value(a);
        args.push_back(a);
      } while (sc_.accept(","));
      if (args.size() == 1 && args[0].e->kind != Expr::Kind::fact)
        sc_.fail(static_cast<int>(args[0].begin) + 1,
                 "expected a fact name or two or more arguments to " + fn + "(), found " + text_of(args[0]));
    }
    sc_.expect(")", "')' to close " + fn + "(");
    PExpr p = make(Expr::Kind::call, at, std::move(args), false);
    std::const_pointer_cast<Expr>(p.e)->text = fn;
    p.begin = at;
    p.end = sc_.pos;
    return p;
  }
};

}  // namespace

PExpr parse_condition(Scanner& sc, const std::string& path) { return ExprParser(sc, path).condition(); }

}  // namespace conkit::expect_detail
