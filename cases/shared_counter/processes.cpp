// shared_counter under processes: W child processes (spawn_worker) add 1 to a counter I times
// each, then the parent reads it.
//   --variant copy  each child increments the `counter` in its own memory: the parent reads 0
//   --variant shm   the counter is a std::atomic<int> in explicit POSIX shared memory (shm_open +
//                   mmap, a unique name, unlinked at the end): the parent reads W*I
// Claims: procs-separate-memory.
// Run: conkit run shared_counter.processes.shm  (argv: the `run:` line of its .expect)
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <new>
#include <string>
#include <system_error>
#include <vector>

#include <conkit/facts.hpp>
#include "worker.hpp"
#include "case_args.hpp"
#include "counter_report.hpp"

namespace {
int counter = 0;  // every process has its own copy
static_assert(std::atomic<int>::is_always_lock_free, "a shared atomic must not hide a process-local lock");

// Maps the shared counter; the parent creates the object, the children open it.
std::atomic<int>* map_shared(const std::string& name, bool create) {
  const int fd = ::shm_open(name.c_str(), O_RDWR | (create ? O_CREAT | O_EXCL : 0), 0600);
  if (fd < 0 || (create && ::ftruncate(fd, sizeof(std::atomic<int>)) != 0))
    throw std::system_error(errno, std::generic_category(), "shm " + name);
  void* at = ::mmap(nullptr, sizeof(std::atomic<int>), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ::close(fd);
  if (at == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap " + name);
  return create ? new (at) std::atomic<int>(0) : static_cast<std::atomic<int>*>(at);
}

// Worker: --worker copy I  |  --worker shm I NAME
int run_worker(const std::vector<std::string>& args) {
  const int iterations = std::stoi(args.at(1));
  const std::string me = "worker " + std::to_string(::getpid());
  if (args.at(0) == "shm") {
    std::atomic<int>* shared = map_shared(args.at(2), false);
    for (int i = 0; i < iterations; ++i) shared->fetch_add(1, std::memory_order_relaxed);
    conkit::say(me + ": added " + std::to_string(iterations) + " to the shared counter");
  } else {
    for (int i = 0; i < iterations; ++i) ++counter;
    conkit::say(me + ": its own counter = " + std::to_string(counter));
  }
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  if (conkit::cases::is_worker(argc, argv)) return run_worker({argv + 2, argv + argc});
  std::string variant = "copy";
  int workers = 2, iterations = 100'000;
  conkit::cases::choice_arg(argc, argv, "--variant", variant, {"copy", "shm"});
  conkit::cases::range_arg(argc, argv, "--workers", workers, 1, 64);
  conkit::cases::range_arg(argc, argv, "--iterations", iterations, 1, 10'000'000);

  conkit::say("Counting with " + std::to_string(workers) + " processes, variant " + variant + "...");
  // Removes the shared memory object when the parent is done, also on an exception.
  struct shm_name {
    std::string path;
    bool owned;
    ~shm_name() { if (owned) ::shm_unlink(path.c_str()); }
  } const name{"/conkit-shared-counter-" + std::to_string(::getpid()), variant == "shm"};
  std::atomic<int>* shared = name.owned ? map_shared(name.path, true) : nullptr;

  boost::asio::io_context ctx;
  std::vector<boost::process::v2::process> children;
  for (int w = 0; w < workers; ++w)
    children.push_back(conkit::cases::spawn_worker(ctx, {variant, std::to_string(iterations), name.path}));
  int failed = 0;
  for (auto& child : children) failed += child.wait() != 0;

  const int seen = shared ? shared->load() : counter;
  conkit::cases::report_counter("processes", variant, workers, iterations, seen);
  if (failed) return 1;
  conkit::say("done");
}
