// conkit/transcript.hpp — the captured output and facts of one run, stored compactly.
//
// A Transcript keeps every line of both streams in arrival order in one append-only byte buffer
// (the text without its newline) plus a small index: a 2-byte length per line, an 8-byte offset
// per 64 lines, and one arrival stamp (time and stream) per read, shared by every line that read
// completed. Memory is about the captured bytes plus 2-3 bytes per line, not a string per line.
// A FactLog keeps the facts channel the same way: names interned, values in one byte buffer.
//
// Reading is by value: operator[] and iteration give light views that point into the store.
//
//   const conkit::Transcript& t = result.lines;
//   for (conkit::LineView l : t)                      // arrival order, both streams
//     if (l.stream == conkit::Stream::out && l.text == "done") ...
//   std::string_view last = t[t.size() - 1].text;     // random access: O(log reads)
//
//   for (conkit::FactView f : result.facts)
//     if (f.name == "counter" && f.number) total += *f.number;
//
// Views stay valid until the store is changed or destroyed. Building one by hand (tests) takes
// owning values: `Transcript t{Line{Stream::out, 1.0, "a"}, ...}` or `t.push_back(line)`.
//
// Limits: at most 2^32 - 1 lines or facts (add() throws std::length_error beyond; the runner's
// per-stream output cap keeps real runs far below).
//
// Thread safety: none; a store is filled by one thread (the runner) and then only read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace conkit {

// merged: stdout and stderr shared one pipe (StdioMode::merged), so their order is the program's.
enum class Stream : std::uint8_t { out, err, merged };

// One line as a case writes it (owning; for building transcripts by hand).
struct Line {
  Stream stream = Stream::out;
  double t_ms = 0;      // arrival, ms since the spawn (CLOCK_MONOTONIC)
  std::string text;     // raw bytes without the newline (invalid UTF-8 kept as is)
};

// One line of a Transcript: what it points at lives in the Transcript.
struct LineView {
  Stream stream = Stream::out;
  double t_ms = 0;
  std::string_view text;
};

namespace detail {
// An append-only byte store that grows with realloc(): past glibc's mmap threshold a grown block
// is moved by mremap() (page tables, not bytes), so a capture of many MiB is not copied at each
// doubling nor briefly held twice, as std::string's new-copy-free growth would.
class ByteBuffer {
 public:
  ByteBuffer() = default;
  ByteBuffer(const ByteBuffer& o) { append(o.view()); }
  ByteBuffer& operator=(const ByteBuffer& o) {
    if (this != &o) {
      size_ = 0;
      append(o.view());
    }
    return *this;
  }
  ByteBuffer(ByteBuffer&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)), cap_(std::exchange(o.cap_, 0)) {}
  ByteBuffer& operator=(ByteBuffer&& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    std::swap(cap_, o.cap_);
    return *this;
  }
  ~ByteBuffer();

  void append(std::string_view bytes);
  void reserve(std::size_t n);
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return cap_; }
  std::string_view view() const { return {data_, size_}; }

 private:
  char* data_ = nullptr;
  std::size_t size_ = 0, cap_ = 0;
};

// What Transcript's and FactLog's iterators share: a forward iterator over views, by index.
template <class View>
class IndexIterator {
 public:
  using iterator_category = std::forward_iterator_tag;
  using value_type = View;
  using difference_type = std::ptrdiff_t;
  using pointer = void;
  using reference = View;

  bool operator==(const IndexIterator& o) const { return i_ == o.i_; }

 protected:
  IndexIterator() = default;
  explicit IndexIterator(std::size_t i) : i_(i) {}
  std::size_t i_ = 0;
};
}  // namespace detail

class Transcript {
 public:
  class const_iterator;
  using value_type = LineView;
  using size_type = std::size_t;

  Transcript() = default;
  Transcript(std::initializer_list<Line> lines);
  Transcript(const std::vector<Line>& lines);  // NOLINT: implicit, so tests can assign vectors

  // Appends one line. Lines of one read share a stamp: a line with the same stream and t_ms as the
  // one before adds no stamp. `text` must not contain the newline.
  void add(Stream stream, double t_ms, std::string_view text);
  void push_back(const Line& l) { add(l.stream, l.t_ms, l.text); }
  void reserve_bytes(std::size_t n) { text_.reserve(n); }

  std::size_t size() const { return lengths_.size(); }
  bool empty() const { return lengths_.empty(); }
  // Views are returned const so that `t[i].text = ...` does not compile (it would change a copy).
  const LineView operator[](std::size_t i) const;
  const LineView front() const { return (*this)[0]; }
  const LineView back() const { return (*this)[size() - 1]; }
  const_iterator begin() const;
  const_iterator end() const;

  std::size_t text_bytes() const { return text_.size(); }  // captured bytes, newlines not counted
  std::size_t memory_bytes() const;                        // what the store holds allocated

 private:
  friend class const_iterator;
  static constexpr std::uint16_t kLong = 0xFFFF;  // the length is in long_lengths_
  static constexpr std::size_t kBlock = 64;        // lines per stored offset
  struct Stamp {
    double t_ms;
    std::uint32_t first;  // index of the first line with this stamp
    Stream stream;
  };
  std::size_t length(std::size_t i) const;
  std::size_t offset(std::size_t i) const;
  std::size_t stamp_of(std::size_t i) const;  // index into stamps_

  detail::ByteBuffer text_;
  std::vector<std::uint16_t> lengths_;
  std::vector<std::pair<std::uint32_t, std::uint64_t>> long_lengths_;  // (line, length), ascending
  std::vector<std::uint64_t> block_offsets_;                          // offset of line k * kBlock
  std::vector<Stamp> stamps_;
};

class Transcript::const_iterator : public detail::IndexIterator<LineView> {
 public:
  const_iterator() = default;
  const LineView operator*() const;
  const_iterator& operator++();
  const_iterator operator++(int) { auto c = *this; ++*this; return c; }

 private:
  friend class Transcript;
  const_iterator(const Transcript* t, std::size_t i);
  const Transcript* t_ = nullptr;
  std::size_t offset_ = 0, stamp_ = 0;  // of line i_: the next line's start follows from them
};

// One JSON line from the facts channel, owning: {"fact": name, "value": ..., "t_ns", "pid", "tid"}.
struct Fact {
  std::string name;
  std::string value_json;            // the value, as compact JSON text (number, string, bool, ...)
  std::optional<double> number;      // the value if it is a JSON number (or bool: 0/1)
  std::optional<std::string> string; // the value if it is a JSON string
  double t_ms = 0;                   // arrival, ms since the spawn
  std::optional<double> inner_ms;    // the case's own stamp (t_ns), converted to ms since the spawn
  std::optional<std::int64_t> pid, tid;
};

// One fact of a FactLog: the strings point into the log.
struct FactView {
  std::string_view name;
  std::string_view value_json;
  std::optional<double> number;
  std::optional<std::string_view> string;
  double t_ms = 0;
  std::optional<double> inner_ms;
  std::optional<std::int64_t> pid, tid;
  Fact to_fact() const;
};

class FactLog {
 public:
  class const_iterator;
  using value_type = FactView;
  using size_type = std::size_t;

  FactLog() = default;
  FactLog(std::initializer_list<Fact> facts);
  FactLog(const std::vector<Fact>& facts);  // NOLINT: implicit, so tests can assign vectors

  void add(const FactView& f);
  void push_back(const Fact& f);

  std::size_t size() const { return records_.size(); }
  bool empty() const { return records_.empty(); }
  const FactView operator[](std::size_t i) const;  // const: see Transcript::operator[]
  const FactView front() const { return (*this)[0]; }
  const FactView back() const { return (*this)[size() - 1]; }
  const_iterator begin() const;
  const_iterator end() const;
  std::size_t memory_bytes() const;

 private:
  enum Flag : std::uint8_t { has_number = 1, has_string = 2, has_inner = 4, has_pid = 8, has_tid = 16,
                        string_shared = 32 };  // the decoded string is value_json without its quotes
  struct Record {
    std::uint64_t value_offset;  // value_json, then (if a string) the decoded string
    std::uint32_t json_length, string_length;
    std::uint32_t name;          // index into names_
    std::uint32_t who;           // index into owners_ (pid, tid)
    double number, t_ms, inner_ms;
    std::uint8_t flags;
  };
  std::uint32_t intern(std::string_view name);

  std::vector<std::string> names_;
  std::unordered_map<std::string, std::uint32_t> name_ids_;
  std::vector<std::pair<std::int64_t, std::int64_t>> owners_;  // distinct (pid, tid) pairs
  std::map<std::pair<std::int64_t, std::int64_t>, std::uint32_t> owner_ids_;
  std::string values_;
  std::vector<Record> records_;
};

class FactLog::const_iterator : public detail::IndexIterator<FactView> {
 public:
  const_iterator() = default;
  const FactView operator*() const { return (*log_)[i_]; }
  const_iterator& operator++() { ++i_; return *this; }
  const_iterator operator++(int) { auto c = *this; ++i_; return c; }

 private:
  friend class FactLog;
  const_iterator(const FactLog* log, std::size_t i) : IndexIterator(i), log_(log) {}
  const FactLog* log_ = nullptr;
};

}  // namespace conkit
