// await_all.hpp — the coroutine plumbing the async cases share: start N tasks and await them all
// (what asyncio.gather does in the articles), and the completion handler that lets a task's
// exception end the program instead of vanishing into its io_context.
//
//   co_await conkit::cases::await_all(n, [&](int i) { return task(i, span); });
//   asio::co_spawn(loop, main_task(...), conkit::cases::rethrow);
//   loop.run();   // a task's exception leaves run() here
#pragma once

#include <exception>
#include <utility>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/experimental/parallel_group.hpp>

namespace conkit::cases {

// co_spawn's completion handler: rethrows a task's exception from io_context::run().
inline void rethrow(std::exception_ptr e) {
  if (e) std::rethrow_exception(e);
}

// Starts make_task(0) .. make_task(n - 1) on the calling coroutine's executor, all before any
// awaits, and returns once every one finished; then rethrows the exception of the first task (in start order) that threw, if any.
template <class MakeTask>
boost::asio::awaitable<void> await_all(int n, MakeTask make_task) {
  namespace asio = boost::asio;
  auto ex = co_await asio::this_coro::executor;
  std::vector<decltype(asio::co_spawn(ex, make_task(0), asio::deferred))> tasks;
  for (int i = 0; i < n; ++i) tasks.push_back(asio::co_spawn(ex, make_task(i), asio::deferred));
  auto [order, errors] = co_await asio::experimental::make_parallel_group(std::move(tasks))
                             .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace conkit::cases
