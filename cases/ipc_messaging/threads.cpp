// ipc_messaging under threads: the main side exchanges M numbered messages each way with each of
// N peer threads through two bounded mutex+condition_variable queues per peer (one per direction).
// Messages move between threads without a copy (shared memory); the same checks as for processes
// (numbering and payload, cases/common/ipc_messages.hpp) show none lost, duplicated or reordered.
// Per peer, the parent's side runs on its own thread, with a second thread writing while it reads.
// Claims: ipc-needed, procs-high-overhead (threads are the baseline for the cost comparison).
// Run: conkit run ipc_messaging.threads  (argv: the `run:` line of its .expect)
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ipc_messages.hpp"
#include "message_queue.hpp"

namespace ipc = conkit::cases::ipc;
using queue = conkit::cases::message_queue<ipc::message>;

namespace {
constexpr std::size_t queue_capacity = 16;  // a full queue blocks the writer, as a full pipe does

struct peer_link {
  queue to_peer{queue_capacity}, from_peer{queue_capacity};
};

// The parent's side of one peer: one at a time for the RTT, then a writer thread streams while
// this thread reads the answers and, last, the peer's report.
ipc::exchange_result exchange(peer_link& l, std::uint32_t messages, std::uint32_t pings) {
  ipc::exchange_result r;
  ipc::channel_check rx(messages);
  for (std::uint32_t seq = 0; seq < pings; ++seq) {
    const std::int64_t t0 = conkit::now_ns();
    l.to_peer.push(ipc::make_message(seq));
    ++r.parent.sent;
    auto answer = l.from_peer.pop();
    if (!answer) break;
    r.rtt_ns.push_back(conkit::now_ns() - t0);
    rx.on(*answer);
  }
  r.stream_start = conkit::now_ns();
  {
    std::jthread writer([&] {
      for (std::uint32_t seq = pings; seq < messages; ++seq, ++r.parent.sent) l.to_peer.push(ipc::make_message(seq));
      l.to_peer.close();
    });
    while (auto m = l.from_peer.pop()) {
      if (m->seq == ipc::report_seq) {
        r.peer = ipc::read_report(*m);
        r.peer_reported = true;
        break;
      }
      rx.on(*m);
    }
  }
  r.stream_end = conkit::now_ns();
  r.parent.add(rx);
  return r;
}
}  // namespace

int main(int argc, char** argv) {
  const ipc::setup s = ipc::start(argc, argv, "threads");
  const int peers = s.peers;
  const std::uint32_t messages = s.messages, pings = s.pings;
  std::vector<std::unique_ptr<peer_link>> links;
  std::vector<ipc::exchange_result> results(peers);
  const std::int64_t cpu0 = ipc::cpu_now_ns(CLOCK_PROCESS_CPUTIME_ID);  // every thread of both ends
  {
    std::vector<std::jthread> threads;
    for (int p = 0; p < peers; ++p) {
      peer_link& l = *links.emplace_back(std::make_unique<peer_link>());
      threads.emplace_back([&l, messages] {
        ipc::serve_peer(messages, [&] { return l.to_peer.pop(); }, [&](ipc::message m) { l.from_peer.push(std::move(m)); });
      });
      threads.emplace_back([&l, &results, p, messages, pings] { results[p] = exchange(l, messages, pings); });
    }
  }
  ipc::report("threads", messages, pings, results, ipc::cpu_now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0,
              ipc::peers_in::this_process);
  conkit::say("done");
}
