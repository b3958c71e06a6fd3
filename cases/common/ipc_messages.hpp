// ipc_messages.hpp — the messages the ipc_messaging cases exchange, and the receiver's checks.
//
// A parent and each peer send `messages` numbered messages each way. Every channel (one peer, one
// direction) numbers its messages 0, 1, 2, ...; the receiver checks the numbers (none lost, none
// duplicated, FIFO) and the payload, whose size and bytes follow from the number, so a torn or
// mixed-up message is caught too. Some messages are larger than a pipe buffer (64 KiB here).
//
//   ipc::message m = ipc::make_message(seq);     // sender
//   ipc::channel_check rx(messages);  rx.on(m);  // receiver; rx.lost() etc. at the end
//
// On a pipe a message is framed as a fixed header (seq, size) followed by the payload bytes.
// The last message of a peer is a `report`: the peer's own count of what it sent and received,
// and the CPU time its thread spent serving the exchange.
//
// What a message costs is measured as CPU time of both ends per message (user + sys, from the
// kernel's per-thread and per-process CPU clocks), beside the throughput and the round-trip
// latencies. Why that figure separates pipes from an in-process queue on a noisy machine: wall
// throughput and round trips stretch with whatever else runs (both sides wait on a kernel wake-up,
// so their latencies are alike), but the CPU a message costs stays the cost of its system calls and
// copies: a pipe copies every byte into and out of the kernel, a queue hands over a pointer. The
// part every model pays alike (making and checking each payload byte) is measured in the same run
// and taken out: `transport_cpu_us_per_msg` is what moving a message costs.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include <conkit/facts.hpp>

#include "case_args.hpp"

namespace conkit::cases::ipc {

// The flags every ipc_messaging model takes: --peers N (1..64, default 2), --messages M each way
// per peer (default 1000), --pings P (the first P go one at a time, for the round trips; default
// 50, at most M). start() reads them and prints the first line: "Exchanging messages with N <what>...".
struct setup {
  int peers = 2;
  std::uint32_t messages = 1000, pings = 50;
};
inline setup start(int argc, char** argv, const char* what) {
  setup s;
  range_arg(argc, argv, "--peers", s.peers, 1, 64);
  range_arg(argc, argv, "--messages", s.messages, 1, 1'000'000);
  range_arg(argc, argv, "--pings", s.pings, 0, 10'000);
  s.pings = std::min(s.pings, s.messages);
  conkit::say("Exchanging messages with " + std::to_string(s.peers) + " " + what + "...");
  return s;
}

constexpr std::size_t big_bytes = 256 * 1024;     // >= 4 pipe buffers: a writer blocks mid-message
constexpr std::uint32_t report_seq = 0xffffffff;  // marks a peer's final report

struct message {
  std::uint32_t seq = 0;
  std::string payload;
};

struct header {  // on a pipe: header, then `size` payload bytes
  std::uint32_t seq;
  std::uint32_t size;
};

// Every 200th message is big (>= 256 KiB); the others are 16..143 bytes, so framing sees many sizes.
inline std::size_t size_of(std::uint32_t seq) {
  return seq % 200 == 199 ? big_bytes + seq % 7 : 16 + seq % 128;
}
inline char byte_at(std::uint32_t seq, std::size_t i) { return static_cast<char>((seq * 131 + i * 7) & 0xff); }

inline message make_message(std::uint32_t seq) {
  message m{seq, std::string(size_of(seq), '\0')};
  for (std::size_t i = 0; i < m.payload.size(); ++i) m.payload[i] = byte_at(seq, i);
  return m;
}
inline bool intact(const message& m) {
  if (m.payload.size() != size_of(m.seq)) return false;
  for (std::size_t i = 0; i < m.payload.size(); ++i)
    if (m.payload[i] != byte_at(m.seq, i)) return false;
  return true;
}

// The receiver's view of one channel. A damaged message does not count as delivered (so it
// shows as lost); a number seen before is a duplicate; a number other than "last + 1" is out of order.
class channel_check {
 public:
  explicit channel_check(std::uint32_t messages) : seen_(messages, false) {}
  void on(const message& m) {
    ++received_;
    if (m.seq != next_) ++out_of_order_;
    next_ = m.seq + 1;
    if (m.seq >= seen_.size() || !intact(m)) return;
    if (seen_[m.seq]) ++duplicated_;
    else seen_[m.seq] = true;
  }
  std::uint32_t received() const { return received_; }
  std::uint32_t duplicated() const { return duplicated_; }
  std::uint32_t out_of_order() const { return out_of_order_; }
  std::uint32_t lost() const {
    return static_cast<std::uint32_t>(std::count(seen_.begin(), seen_.end(), false));
  }

 private:
  std::vector<bool> seen_;
  std::uint32_t next_ = 0, received_ = 0, duplicated_ = 0, out_of_order_ = 0;
};

// What one side counted: the parent's side of one peer, or a peer's own side.
struct tally {
  std::uint32_t sent = 0, received = 0, lost = 0, duplicated = 0, out_of_order = 0;
  std::int64_t cpu_ns = 0;  // a peer's own: the CPU time of the thread that served the exchange
  void add(const channel_check& rx) {
    received += rx.received(), lost += rx.lost(), duplicated += rx.duplicated(), out_of_order += rx.out_of_order();
  }
  tally& operator+=(const tally& o) {
    sent += o.sent, received += o.received, lost += o.lost, duplicated += o.duplicated, out_of_order += o.out_of_order;
    cpu_ns += o.cpu_ns;
    return *this;
  }
};

// CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID) or this process, all threads
// (CLOCK_PROCESS_CPUTIME_ID), in ns: user + sys.
inline std::int64_t cpu_now_ns(clockid_t clock) {
  timespec ts{};
  ::clock_gettime(clock, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// A peer's tally travels to the parent as the payload of its last message.
inline message make_report(const tally& t) {
  message m{report_seq, std::string(sizeof t, '\0')};
  std::memcpy(m.payload.data(), &t, sizeof t);
  return m;
}
inline tally read_report(const message& m) {
  tally t;
  if (m.seq == report_seq && m.payload.size() == sizeof t) std::memcpy(&t, m.payload.data(), sizeof t);
  return t;
}

// A peer that answers each message with one of its own, then, once the parent is done (receive()
// returns nothing), sends its tally. Blocking form, for peer threads and peer processes.
template <class Receive, class Send>
void serve_peer(std::uint32_t messages, Receive receive, Send send) {
  const std::int64_t cpu0 = cpu_now_ns(CLOCK_THREAD_CPUTIME_ID);
  channel_check rx(messages);
  tally mine;
  while (auto m = receive()) {
    rx.on(*m);
    send(make_message(mine.sent++));
  }
  mine.add(rx);
  mine.cpu_ns = cpu_now_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;
  send(make_report(mine));
}

// One parent-peer pair's results, as the parent saw them.
struct exchange_result {
  tally parent, peer;          // the parent's count for this pair, and the peer's own report
  bool peer_reported = false;  // without the peer's report, what the parent sent counts as lost
  std::int64_t stream_start = 0, stream_end = 0;
  std::vector<std::int64_t> rtt_ns;  // one round trip of a small message each
};

// Where the peers run: their CPU time is in this process's clock, or reported by each peer.
enum class peers_in { this_process, own_processes };

// Writes the scenario's facts (docs/facts.md) and a summary line. Throughput counts the streamed
// messages, both ways, over the streaming phase of all peers. `own_cpu_ns` is this process's CPU
// time (all threads) over the exchange; peers in their own processes add what they report.
inline void report(const char* model, std::uint32_t messages, std::uint32_t pings,
                   const std::vector<exchange_result>& results, std::int64_t own_cpu_ns, peers_in where) {
  tally all;
  std::vector<std::int64_t> rtt;
  std::int64_t start = INT64_MAX, end = 0;
  for (const auto& r : results) {
    all += r.parent;
    all += r.peer;
    if (!r.peer_reported) all.lost += r.parent.sent;
    rtt.insert(rtt.end(), r.rtt_ns.begin(), r.rtt_ns.end());
    start = std::min(start, r.stream_start), end = std::max(end, r.stream_end);
  }
  std::sort(rtt.begin(), rtt.end());
  auto percentile_us = [&](double p) {
    return rtt.empty() ? 0.0 : double(rtt[static_cast<std::size_t>(p * double(rtt.size() - 1))]) / 1e3;
  };
  const double cpu_ns = double(own_cpu_ns) + (where == peers_in::own_processes ? double(all.cpu_ns) : 0.0);
  // Making and checking the payloads costs the same in every model (every byte is written and
  // read once): measured here, on one thread, for one channel's messages, times the channels.
  const std::int64_t handling0 = cpu_now_ns(CLOCK_THREAD_CPUTIME_ID);
  channel_check probe(messages);
  for (std::uint32_t seq = 0; seq < messages; ++seq) probe.on(make_message(seq));
  const double handling_ns = double(cpu_now_ns(CLOCK_THREAD_CPUTIME_ID) - handling0) * 2.0 * double(results.size());
  std::size_t max_bytes = 0;
  for (std::uint32_t seq = 0; seq < messages; ++seq) max_bytes = std::max(max_bytes, size_of(seq));
  const double streamed = 2.0 * (messages - pings) * double(results.size());
  conkit::fact("model", model);
  conkit::fact("peers", results.size());
  conkit::fact("messages", messages);
  conkit::fact("sent", all.sent);
  conkit::fact("received", all.received);
  conkit::fact("lost", all.lost);
  conkit::fact("duplicated", all.duplicated);
  conkit::fact("out_of_order", all.out_of_order);
  conkit::fact("max_message_bytes", max_bytes);
  conkit::fact("throughput_msgs_per_s", end > start ? streamed * 1e9 / double(end - start) : 0.0);
  conkit::fact("cpu_ms", cpu_ns / 1e6);
  conkit::fact("cpu_us_per_msg", all.sent ? cpu_ns / 1e3 / all.sent : 0.0);
  conkit::fact("handling_cpu_ms", handling_ns / 1e6);
  conkit::fact("transport_cpu_us_per_msg", all.sent ? std::max(0.0, cpu_ns - handling_ns) / 1e3 / all.sent : 0.0);
  conkit::fact("rtt_us_min", percentile_us(0));
  conkit::fact("rtt_us_p10", percentile_us(0.10));
  conkit::fact("rtt_us_p50", percentile_us(0.50));
  conkit::fact("rtt_us_p90", percentile_us(0.90));
  conkit::fact("rtt_us_p99", percentile_us(0.99));
  conkit::fact("rtt_us_max", percentile_us(1));
  conkit::say("received " + std::to_string(all.received) + " of " + std::to_string(all.sent) +
              " messages: lost " + std::to_string(all.lost) + ", duplicated " + std::to_string(all.duplicated) +
              ", out of order " + std::to_string(all.out_of_order));
}

}  // namespace conkit::cases::ipc
