// annotations.cpp — the grader's sparse notes on transcript lines (see conkit/grade.hpp).
#include <algorithm>
#include <numeric>

#include "conkit/grade.hpp"

namespace conkit {

void Annotations::add(std::size_t line, std::string_view note, bool problem) {
  auto [it, added] = plain_forms_.try_emplace({std::string(note), problem}, static_cast<std::uint32_t>(forms_.size()));
  if (added) forms_.push_back(Form{std::string(note), "", false, problem});
  add_numbered(line, it->second, 0);
}

std::uint32_t Annotations::numbered(std::string head, std::string tail) {
  forms_.push_back(Form{std::move(head), std::move(tail), true, false});
  return static_cast<std::uint32_t>(forms_.size() - 1);
}

void Annotations::add_numbered(std::size_t line, std::uint32_t form, std::uint64_t i) {
  if (!entries_.empty()) {
    Entry& b = entries_.back();
    const bool next_line = std::uint64_t{b.line} + b.count == line;
    const bool next_i = forms_[form].numbered ? std::uint64_t{b.i} + b.count == i : b.i == i;
    if (b.form == form && next_line && next_i) {  // extends the run
      ++b.count;
      ++notes_;
      sealed_ = false;
      return;
    }
  }
  push(Entry{static_cast<std::uint32_t>(line), 1, form, static_cast<std::uint32_t>(i)});
}

void Annotations::push(const Entry& e) {
  entries_.push_back(e);
  notes_ += e.count;
  sealed_ = false;
}

void Annotations::append(const Annotations& other) {
  std::vector<std::uint32_t> remap(other.forms_.size());
  for (std::size_t f = 0; f < other.forms_.size(); ++f) {
    const Form& form = other.forms_[f];
    if (form.numbered) {
      remap[f] = numbered(form.head, form.tail);
      continue;
    }
    auto [it, added] = plain_forms_.try_emplace({form.head, form.problem}, static_cast<std::uint32_t>(forms_.size()));
    if (added) forms_.push_back(form);
    remap[f] = it->second;
  }
  for (Entry e : other.entries_) {
    e.form = remap[e.form];
    push(e);
  }
}

std::vector<std::uint32_t> Annotations::by_first_line() const {
  std::vector<std::uint32_t> order(entries_.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return entries_[a].line < entries_[b].line; });
  return order;
}

void Annotations::seal() {
  if (sealed_) return;
  order_ = by_first_line();
  reach_.resize(order_.size());
  std::uint64_t reach = 0;
  for (std::size_t k = 0; k < order_.size(); ++k) {
    const Entry& e = entries_[order_[k]];
    reach = std::max(reach, std::uint64_t{e.line} + e.count);
    reach_[k] = static_cast<std::uint32_t>(reach);
  }
  sealed_ = true;
}

// f(entry) for each run that covers `line`, in the order the runs were added.
template <class F>
void Annotations::for_line(std::size_t line, F&& f) const {
  auto covers = [&](const Entry& e) { return e.line <= line && line < std::uint64_t{e.line} + e.count; };
  if (!sealed_) {  // a few notes added by hand after seal()
    for (const auto& e : entries_)
      if (covers(e)) f(e);
    return;
  }
  // Runs starting at or before `line`, walked back while some run that far back still reaches it.
  auto p = std::upper_bound(order_.begin(), order_.end(), line,
                            [&](std::size_t l, std::uint32_t k) { return l < entries_[k].line; });
  std::vector<std::uint32_t> hits;
  for (auto q = static_cast<std::size_t>(p - order_.begin()); q-- > 0 && reach_[q] > line;)
    if (covers(entries_[order_[q]])) hits.push_back(order_[q]);
  std::sort(hits.begin(), hits.end());
  for (auto k : hits) f(entries_[k]);
}

// f(line) for each line some run (a problem run, if problems_only) covers, ascending, each once,
// while f returns true.
template <class F>
void Annotations::sweep(bool problems_only, F&& f) const {
  std::vector<std::uint32_t> local;
  if (!sealed_) local = by_first_line();
  std::uint64_t next = 0;
  for (auto k : sealed_ ? order_ : local) {
    const Entry& e = entries_[k];
    if (problems_only && !forms_[e.form].problem) continue;
    const std::uint64_t end = std::uint64_t{e.line} + e.count;
    for (std::uint64_t l = std::max<std::uint64_t>(next, e.line); l < end; ++l)
      if (!f(static_cast<std::size_t>(l))) return;
    next = std::max(next, end);
  }
}

std::string Annotations::text(const Entry& e, std::size_t line) const {
  const Form& form = forms_[e.form];
  if (!form.numbered) return form.head;
  return form.head + std::to_string(std::uint64_t{e.i} + (line - e.line)) + form.tail;
}

std::vector<std::string> Annotations::at(std::size_t line) const {
  std::vector<std::string> out;
  for_line(line, [&](const Entry& e) { out.push_back(text(e, line)); });
  return out;
}

bool Annotations::has(std::size_t line) const {
  bool any = false;
  for_line(line, [&](const Entry&) { any = true; });
  return any;
}

bool Annotations::has_problem(std::size_t line) const {
  bool any = false;
  for_line(line, [&](const Entry& e) { any = any || forms_[e.form].problem; });
  return any;
}

std::vector<std::size_t> Annotations::lines() const {
  std::vector<std::size_t> out;
  sweep(false, [&](std::size_t l) { out.push_back(l); return true; });
  return out;
}

std::vector<std::size_t> Annotations::problem_lines() const {
  std::vector<std::size_t> out;
  sweep(true, [&](std::size_t l) { out.push_back(l); return true; });
  return out;
}

void Annotations::for_each_line(const std::function<bool(std::size_t)>& f) const { sweep(false, f); }

}  // namespace conkit
