// shared_counter under async: W coroutines on one io_context thread add 1 to one shared int I
// times each, handing the loop to the others after every increment (asio::post).
//   --variant plain  `++counter`, then yield: an increment never spans a switch, so none is lost
//   --variant await  read, co_await (yield), write back: every coroutine reads the same value
//                    before any writes, so updates are lost on ONE thread, with no data race
// Claims: threads-race (its async counterpart: a lost update needs a switch point, not threads).
// Run: conkit run shared_counter.async.await  (argv: the `run:` line of its .expect)
#include <boost/asio.hpp>
#include <string>

#include <conkit/facts.hpp>

#include "await_all.hpp"
#include "case_args.hpp"
#include "counter_report.hpp"

namespace asio = boost::asio;

namespace {
int counter = 0;  // shared by every coroutine; only the loop thread touches it

asio::awaitable<void> yield() {
  co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
}

asio::awaitable<void> count(int iterations, bool await_between) {
  for (int i = 0; i < iterations; ++i) {
    if (await_between) {
      const int seen = counter;
      co_await yield();  // the others run here and read the same `seen`
      counter = seen + 1;
    } else {
      ++counter;
      co_await yield();
    }
  }
}
}  // namespace

int main(int argc, char** argv) {
  std::string variant = "plain";
  int workers = 4, iterations = 10'000;
  conkit::cases::choice_arg(argc, argv, "--variant", variant, {"plain", "await"});
  conkit::cases::range_arg(argc, argv, "--workers", workers, 1, 10'000);
  conkit::cases::range_arg(argc, argv, "--iterations", iterations, 1, 10'000'000);

  conkit::say("Counting with " + std::to_string(workers) + " coroutines, variant " + variant + "...");
  asio::io_context loop;
  for (int w = 0; w < workers; ++w)
    asio::co_spawn(loop, count(iterations, variant == "await"), conkit::cases::rethrow);
  loop.run();  // this thread alone runs every coroutine

  conkit::cases::report_counter("async", variant, workers, iterations, counter);
  conkit::say("done");
}
