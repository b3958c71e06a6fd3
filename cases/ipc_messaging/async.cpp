// ipc_messaging under async: on one io_context thread, the parent's coroutines exchange M
// numbered messages each way with each of N peer coroutines through two bounded
// asio::experimental::channels per peer (one per direction). The same checks as for processes
// (numbering and payload, cases/common/ipc_messages.hpp) show none lost, duplicated or
// reordered; the parent's side is the same coroutine (cases/common/ipc_exchange.hpp).
// Claims: ipc-needed, procs-high-overhead (coroutines are the baseline for the cost comparison).
// Run: conkit run ipc_messaging.async  (argv: the `run:` line of its .expect)
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/experimental/channel.hpp>

#include "await_all.hpp"
#include "ipc_exchange.hpp"

namespace asio = boost::asio;
namespace ipc = conkit::cases::ipc;
using channel = asio::experimental::channel<void(boost::system::error_code, ipc::message)>;

namespace {
constexpr std::size_t channel_capacity = 16;  // a full channel suspends the sender, as a full pipe does
constexpr std::uint32_t end_seq = 0xfffffffe;  // "no more messages"

struct peer_link {  // the parent's view: send to the peer, receive from it
  channel& out;
  channel& in;
  asio::awaitable<void> send(ipc::message m) { co_await out.async_send({}, std::move(m), asio::use_awaitable); }
  asio::awaitable<std::optional<ipc::message>> receive() {
    // No structured binding here: g++ 12 destroys it twice on the early co_return.
    auto got = co_await in.async_receive(asio::as_tuple(asio::use_awaitable));
    if (std::get<0>(got) || std::get<1>(got).seq == end_seq) co_return std::nullopt;
    co_return std::move(std::get<1>(got));
  }
  // The end of the stream is a message: channel::close() drops what is still buffered (seen
  // here: the last 16 messages, the capacity, never arrived).
  asio::awaitable<void> close() {
    ipc::message end{end_seq, {}};  // named: g++ 12 destroys a braced temporary in co_await twice
    co_await send(std::move(end));
  }
};

// The peer: answers each message with one of its own; when the parent closes, sends its tally.
asio::awaitable<void> serve_peer(peer_link peer, std::uint32_t messages) {
  ipc::channel_check rx(messages);
  ipc::tally mine;
  while (auto m = co_await peer.receive()) {
    rx.on(*m);
    co_await peer.send(ipc::make_message(mine.sent++));
  }
  mine.add(rx);
  co_await peer.send(ipc::make_report(mine));
}
}  // namespace

int main(int argc, char** argv) {
  const ipc::setup s = ipc::start(argc, argv, "coroutines");
  const int peers = s.peers;
  const std::uint32_t messages = s.messages, pings = s.pings;
  asio::io_context loop;
  std::vector<std::unique_ptr<channel>> channels;
  std::vector<peer_link> links;
  std::vector<ipc::exchange_result> results(peers);
  for (int p = 0; p < peers; ++p) {
    channel& to_peer = *channels.emplace_back(std::make_unique<channel>(loop, channel_capacity));
    channel& from_peer = *channels.emplace_back(std::make_unique<channel>(loop, channel_capacity));
    links.push_back(peer_link{to_peer, from_peer});
    asio::co_spawn(loop, serve_peer(peer_link{from_peer, to_peer}, messages), conkit::cases::rethrow);
  }
  for (int p = 0; p < peers; ++p)
    asio::co_spawn(loop, ipc::exchange(links[p], messages, pings),
                   [&results, p](std::exception_ptr e, ipc::exchange_result r) {
                     conkit::cases::rethrow(e);
                     results[p] = std::move(r);
                   });
  const std::int64_t cpu0 = ipc::cpu_now_ns(CLOCK_PROCESS_CPUTIME_ID);
  loop.run();  // this thread alone runs every coroutine
  ipc::report("async", messages, pings, results, ipc::cpu_now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0,
              ipc::peers_in::this_process);
  conkit::say("done");
}
