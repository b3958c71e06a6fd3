// annotations.cpp — the grader's sparse notes on transcript lines (see conkit/grade.hpp).
#include <algorithm>

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
  if (!entries_.empty() && line < entries_.back().line) in_line_order_ = false;
  entries_.push_back(Entry{static_cast<std::uint32_t>(line), form, static_cast<std::uint32_t>(i)});
  order_.clear();
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
  for (const Entry& e : other.entries_) add_numbered(e.line, remap[e.form], e.i);
}

void Annotations::seal() {
  if (in_line_order_ || order_.size() == entries_.size()) return;
  order_.resize(entries_.size());
  for (std::size_t k = 0; k < order_.size(); ++k) order_[k] = static_cast<std::uint32_t>(k);
  std::stable_sort(order_.begin(), order_.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return entries_[a].line < entries_[b].line; });
}

template <class F>
void Annotations::for_line(std::size_t line, F&& f) const {
  if (in_line_order_) {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), line,
                               [](const Entry& e, std::size_t l) { return e.line < l; });
    for (; it != entries_.end() && it->line == line; ++it) f(*it);
  } else if (order_.size() == entries_.size()) {
    auto it = std::lower_bound(order_.begin(), order_.end(), line,
                               [&](std::uint32_t k, std::size_t l) { return entries_[k].line < l; });
    for (; it != order_.end() && entries_[*it].line == line; ++it) f(entries_[*it]);
  } else {
    for (const auto& e : entries_)  // not sealed: a few notes added by hand
      if (e.line == line) f(e);
  }
}

std::string Annotations::text(const Entry& e) const {
  const Form& form = forms_[e.form];
  if (!form.numbered) return form.head;
  return form.head + std::to_string(e.i) + form.tail;
}

std::vector<std::string> Annotations::at(std::size_t line) const {
  std::vector<std::string> out;
  for_line(line, [&](const Entry& e) { out.push_back(text(e)); });
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
  for (const auto& e : entries_) out.push_back(e.line);
  if (!in_line_order_) std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::size_t> Annotations::problem_lines() const {
  std::vector<std::size_t> out;
  for (const auto& e : entries_)
    if (forms_[e.form].problem) out.push_back(e.line);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace conkit
