// mutant_process_pool.hpp — a process-per-job pool (posix_spawn of `conkit_conformance_worker
// --once`, one thread per job) with one deliberate bug switched in per instance, to prove the
// process-pool suite catches each bug class. Mutations are marked `MUTANT(<bug>)`.
#pragma once

#include <csignal>
#include <future>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <conkit/conformance/job.hpp>
#include <conkit/conformance/process_pool.hpp>

namespace conkit::mutants {

enum class ProcessBug {
  none,
  leaks_zombies,         // never waits for its children
  pipe_buffer_deadlock,  // waits for the child's exit before reading its stdout
  leaks_fds,             // pipes without O_CLOEXEC: every child inherits every pipe
  waits_for_eof,         // reads the answer until EOF, which a grandchild holds off
  runs_in_parent,        // runs the job in a thread of the parent: no isolation
};

template <ProcessBug Bug>
class MutantProcessPool {
 public:
  explicit MutantProcessPool(conformance::ProcessPoolOptions options) : options_(std::move(options)) {
    std::signal(SIGPIPE, SIG_IGN);
  }
  ~MutantProcessPool() {
    for (auto& t : jobs_) t.join();
  }

  // One thread per job; packaged_task hands run_one's answer, or its exception, to the future.
  std::future<std::string> submit(std::string job) {
    std::packaged_task<std::string()> run([this, job = std::move(job)] { return run_one(job); });
    auto future = run.get_future();
    jobs_.emplace_back(std::move(run));
    return future;
  }

 private:
  std::string run_one(const std::string& job) {
    namespace j = conformance::job;
    if constexpr (Bug == ProcessBug::runs_in_parent) return j::perform(job);  // MUTANT(runs_in_parent)
    const int flags = Bug == ProcessBug::leaks_fds ? 0 : O_CLOEXEC;           // MUTANT(leaks_fds)
    int in[2], out[2];
    if (::pipe2(in, flags) != 0 || ::pipe2(out, flags) != 0) throw std::runtime_error("pipe2");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    std::string program = options_.worker, once = "--once";
    char* argv[] = {program.data(), once.data(), nullptr};
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    if (rc != 0) throw std::runtime_error("posix_spawn failed");
    j::framed_write(in[1], job);
    ::close(in[1]);
    int status = 0;
    if constexpr (Bug == ProcessBug::pipe_buffer_deadlock) ::waitpid(pid, &status, 0);  // MUTANT(pipe_buffer_deadlock)
    std::optional<std::string> answer;
    if constexpr (Bug == ProcessBug::waits_for_eof) {  // MUTANT(waits_for_eof)
      std::string all;
      char buf[65536];
      for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;) all.append(buf, static_cast<std::size_t>(n));
      if (all.size() >= 8) answer = all.substr(8);
    } else {
      answer = j::framed_read(out[0]);
    }
    ::close(out[0]);
    if constexpr (Bug != ProcessBug::leaks_zombies && Bug != ProcessBug::pipe_buffer_deadlock) {
      ::waitpid(pid, &status, 0);  // MUTANT(leaks_zombies): skipped
    }
    if (!answer) throw std::runtime_error("the child died without answering");
    return *answer;
  }

  conformance::ProcessPoolOptions options_;
  std::vector<std::thread> jobs_;
};

}  // namespace conkit::mutants
