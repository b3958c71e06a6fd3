// ipc_messaging under processes: the parent exchanges M numbered messages each way with each of
// N child processes over pipes (the child's stdin and stdout, Asio pipes in the parent), framed
// as header + payload; some messages are 256 KiB, four times the 64 KiB pipe buffer. The parent
// writes and reads each pipe pair concurrently (one io_context), so neither side can block the
// other; every receiver checks numbering and payload (cases/common/ipc_messages.hpp).
// Claims: ipc-needed, procs-high-overhead.
// Run: conkit run ipc_messaging.processes  (argv: the `run:` line of its .expect)
#include <unistd.h>

#include <array>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio.hpp>
#include <boost/process/v2.hpp>

#include "ipc_exchange.hpp"
#include "worker.hpp"

namespace asio = boost::asio;
namespace ipc = conkit::cases::ipc;

namespace {
constexpr std::uint32_t max_frame = 16 << 20;  // a larger header size means a torn stream

template <class Stream>
std::optional<ipc::message> read_frame(Stream& in) {  // blocking; nothing at end of stream
  ipc::header h{};
  boost::system::error_code ec;
  if (asio::read(in, asio::buffer(&h, sizeof h), ec) != sizeof h || h.size > max_frame) return std::nullopt;
  ipc::message m{h.seq, std::string(h.size, '\0')};
  if (asio::read(in, asio::buffer(m.payload), ec) != h.size) return std::nullopt;
  return m;
}

// The parent's end of one child: it writes the child's stdin and reads its stdout.
struct pipe_link {
  asio::writable_pipe to_child;
  asio::readable_pipe from_child;
  asio::awaitable<void> send(ipc::message m) {
    const ipc::header h{m.seq, static_cast<std::uint32_t>(m.payload.size())};
    const std::array<asio::const_buffer, 2> frame{asio::buffer(&h, sizeof h), asio::buffer(m.payload)};
    co_await asio::async_write(to_child, frame, asio::use_awaitable);
  }
  asio::awaitable<std::optional<ipc::message>> receive() {
    ipc::header h{};
    const auto eof = asio::as_tuple(asio::use_awaitable);  // an error (EOF) is a value, not a throw
    if (std::get<0>(co_await asio::async_read(from_child, asio::buffer(&h, sizeof h), eof)) || h.size > max_frame)
      co_return std::nullopt;
    ipc::message m{h.seq, std::string(h.size, '\0')};
    if (std::get<0>(co_await asio::async_read(from_child, asio::buffer(m.payload), eof))) co_return std::nullopt;
    co_return m;
  }
  asio::awaitable<void> close() {  // end of stream: the child reads EOF
    to_child.close();
    co_return;
  }
};

int run_peer(std::uint32_t messages) {  // the child: blocking reads and writes on stdin/stdout
  asio::io_context ctx;
  asio::readable_pipe in(ctx, ::dup(STDIN_FILENO));
  asio::writable_pipe out(ctx, ::dup(STDOUT_FILENO));
  ipc::serve_peer(messages, [&] { return read_frame(in); }, [&](const ipc::message& m) {
    const ipc::header h{m.seq, static_cast<std::uint32_t>(m.payload.size())};
    asio::write(out, std::array<asio::const_buffer, 2>{asio::buffer(&h, sizeof h), asio::buffer(m.payload)});
  });
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  if (conkit::cases::is_worker(argc, argv)) return run_peer(std::stoul(argv[2]));
  const ipc::setup s = ipc::start(argc, argv, "processes");
  const int peers = s.peers;
  const std::uint32_t messages = s.messages, pings = s.pings;
  asio::io_context ctx;
  std::vector<pipe_link> links;
  links.reserve(peers);
  std::vector<boost::process::v2::process> children;
  for (int p = 0; p < peers; ++p) {
    auto& link = links.emplace_back(pipe_link{asio::writable_pipe(ctx), asio::readable_pipe(ctx)});
    children.push_back(conkit::cases::spawn_worker(ctx, {std::to_string(messages)},
        boost::process::v2::process_stdio{link.to_child, link.from_child, {}}));
  }
  std::vector<ipc::exchange_result> results(peers);
  for (int p = 0; p < peers; ++p)
    asio::co_spawn(ctx, ipc::exchange(links[p], messages, pings),
                   [&results, p](std::exception_ptr e, ipc::exchange_result r) {
                     if (e) std::rethrow_exception(e);
                     results[p] = std::move(r);
                   });
  const std::int64_t cpu0 = ipc::cpu_now_ns(CLOCK_PROCESS_CPUTIME_ID);  // the spawns are not the exchange
  ctx.run();
  const std::int64_t parent_cpu_ns = ipc::cpu_now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
  int failed = 0;
  for (auto& child : children) failed += child.wait() != 0;
  ipc::report("processes", messages, pings, results, parent_cpu_ns, ipc::peers_in::own_processes);
  if (failed) return 1;
  conkit::say("done");
}
