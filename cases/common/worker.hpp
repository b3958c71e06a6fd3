// worker.hpp — start this same case program again in a worker role, with Boost.Process v2.
//
// Process-model cases re-execute themselves (`<self> --worker ROLE ARGS...`) instead of forking and
// continuing: a fork that keeps running is unsafe in a multi-threaded parent and under TSan.
//
//   if (conkit::cases::is_worker(argc, argv)) return run_worker(argc, argv);
//   asio::io_context ctx;
//   auto p = conkit::cases::spawn_worker(ctx, {"count", "1000"});
//   p.wait();
//
// The facts channel (CONKIT_FACTS_FD) stays open in workers, so they can write facts too.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio.hpp>
#include <boost/process/v2.hpp>

namespace conkit::cases {

namespace bp = boost::process::v2;

// Boost.Process v2 is meant to close every inherited fd but its whitelist (stdio) in the child;
// keep the facts channel on the list. (Boost 1.81 misses the gaps between whitelisted fds, so
// pipes meant for one worker must be close-on-exec, as Asio's pipes are.)
struct keep_facts_fd {
  template <class Launcher>
  bp::error_code on_setup(Launcher& launcher, const bp::filesystem::path&, const char* const*) {
    if (const char* v = std::getenv("CONKIT_FACTS_FD")) launcher.fd_whitelist.push_back(std::atoi(v));
    return {};
  }
};

inline std::string self_exe() { return std::filesystem::read_symlink("/proc/self/exe").string(); }

inline bool is_worker(int argc, char** argv) {
  return argc >= 2 && std::string_view(argv[1]) == "--worker";
}

// Starts `<self> --worker args...`; extra Boost.Process initializers (process_stdio, ...) follow.
template <class... Init>
bp::process spawn_worker(boost::asio::io_context& ctx, std::vector<std::string> args, Init&&... init) {
  args.insert(args.begin(), "--worker");
  return bp::process(ctx.get_executor(), self_exe(), args, keep_facts_fd{}, std::forward<Init>(init)...);
}

}  // namespace conkit::cases
