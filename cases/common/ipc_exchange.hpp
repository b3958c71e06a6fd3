// ipc_exchange.hpp — the parent's side of one ipc_messaging exchange, as an Asio coroutine over
// any Link (a pipe pair to a child process, a pair of experimental::channels, ...):
//   asio::awaitable<void> send(message);                  // waits while the link is full
//   asio::awaitable<std::optional<message>> receive();    // nothing once the peer has closed
//   asio::awaitable<void> close();                        // tells the peer no more is coming
//
// First `pings` messages go one at a time (send, await the answer): their round trips are the RTT.
// Then the rest stream both ways at once: a writer and a reader run concurrently, so a peer that
// blocks writing a big answer is always drained, and big messages cannot deadlock the pair.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

#include "ipc_messages.hpp"

namespace conkit::cases::ipc {

template <class Link>
boost::asio::awaitable<void> write_stream(Link& link, std::uint32_t from, std::uint32_t messages, tally& t) {
  for (std::uint32_t seq = from; seq < messages; ++seq, ++t.sent) co_await link.send(make_message(seq));
  co_await link.close();
}

template <class Link>
boost::asio::awaitable<void> read_stream(Link& link, channel_check& rx, exchange_result& r) {
  while (auto m = co_await link.receive()) {
    if (m->seq == report_seq) {
      r.peer = read_report(*m);
      r.peer_reported = true;
      co_return;
    }
    rx.on(*m);
  }
}

template <class Link>
boost::asio::awaitable<exchange_result> exchange(Link& link, std::uint32_t messages, std::uint32_t pings) {
  using namespace boost::asio::experimental::awaitable_operators;
  exchange_result r;
  channel_check rx(messages);
  for (std::uint32_t seq = 0; seq < pings; ++seq) {
    const std::int64_t t0 = conkit::now_ns();
    co_await link.send(make_message(seq));
    ++r.parent.sent;
    auto answer = co_await link.receive();
    if (!answer) break;
    r.rtt_ns.push_back(conkit::now_ns() - t0);
    rx.on(*answer);
  }
  r.stream_start = conkit::now_ns();
  co_await (write_stream(link, pings, messages, r.parent) && read_stream(link, rx, r));
  r.stream_end = conkit::now_ns();
  r.parent.add(rx);
  co_return r;
}

}  // namespace conkit::cases::ipc
