// delay_server.hpp — a local TCP server that answers each request after a fixed delay: real network
// I/O whose latency a client cannot shorten, for the loopback_fetch scenario.
//
//   conkit::cases::delay_server server(conkit::unit());  // listens on 127.0.0.1:<ephemeral port>
//   // a client connects to 127.0.0.1:server.port(), sends one line, reads the reply "data\n"
//   // ~delay_server() stops the server and joins its thread
//
// The server overlaps its delays (one coroutine and one steady_timer per connection), so only the
// clients' model decides whether N fetches take about 1u or N·u. It runs in the case's own process,
// on its own thread with its own io_context: cheaper and simpler to stop than a worker process,
// and the clients' tid/pid facts come from the client tasks only, so the server thread does not
// blur them.
//
// Thread safety: port() is fixed before the constructor returns; everything else lives on the
// server's thread. Spawn workers with a different io_context than this one.
//
//   conkit::cases::reserve_descriptors(2 * n + 16);  // first, while the process has one thread
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include <boost/asio.hpp>

namespace conkit::cases {

// Grows this process's descriptor table to hold `n` descriptors. The kernel grows the table by
// copying it, and while other threads share it each growth waits for an RCU grace period: 13-24 ms
// here, on the loop thread and the server's accepting thread at once, at the 65th and the 129th
// descriptor. A shell hands its children a 256-slot table (bash keeps fd 255 open), conkit-init a
// 64-slot one, so the same hundred fetches took 1.04u from a shell and 1.3-1.4u under conkit.
// Growing it first, single-threaded, costs nothing and keeps that kernel detail out of the span.
inline void reserve_descriptors(int n) {
  const int fd = ::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, n - 1);
  if (fd >= 0) ::close(fd);
}

class delay_server {
 public:
  explicit delay_server(std::chrono::milliseconds delay) : delay_(delay) {
    boost::asio::co_spawn(ctx_, accept_loop(), boost::asio::detached);
    thread_ = std::jthread([this] { ctx_.run(); });
  }
  delay_server(const delay_server&) = delete;
  delay_server& operator=(const delay_server&) = delete;
  ~delay_server() { ctx_.stop(); }  // then thread_ joins, before the io_context goes

  unsigned short port() const { return port_; }

 private:
  using tcp = boost::asio::ip::tcp;

  boost::asio::awaitable<void> accept_loop() {
    for (;;) {
      tcp::socket socket = co_await acceptor_.async_accept(boost::asio::use_awaitable);
      boost::asio::co_spawn(ctx_, answer(std::move(socket)), boost::asio::detached);
    }
  }

  boost::asio::awaitable<void> answer(tcp::socket socket) {
    try {
      std::string request;
      co_await boost::asio::async_read_until(socket, boost::asio::dynamic_buffer(request), '\n',
                                             boost::asio::use_awaitable);
      boost::asio::steady_timer latency(ctx_, delay_);
      co_await latency.async_wait(boost::asio::use_awaitable);  // other connections proceed meanwhile
      co_await boost::asio::async_write(socket, boost::asio::buffer(std::string_view("data\n")),
                                        boost::asio::use_awaitable);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "delay_server: %s\n", e.what());
    }
  }

  boost::asio::io_context ctx_;
  tcp::acceptor acceptor_{ctx_, {boost::asio::ip::address_v4::loopback(), 0}};
  unsigned short port_ = acceptor_.local_endpoint().port();
  std::chrono::milliseconds delay_;
  std::jthread thread_;
};

// The blocking client side: one request, one reply line. Used by the threads and processes cases.
inline std::string fetch_blocking(unsigned short port) {
  boost::asio::io_context ctx;
  boost::asio::ip::tcp::socket socket(ctx);
  socket.connect({boost::asio::ip::address_v4::loopback(), port});
  boost::asio::write(socket, boost::asio::buffer(std::string_view("GET\n")));
  std::string reply;
  boost::asio::read_until(socket, boost::asio::dynamic_buffer(reply), '\n');  // blocks ~1u
  return reply;
}

}  // namespace conkit::cases
