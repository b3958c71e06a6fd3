// my_process_pool.hpp — the user's own process pool: every job runs in a fresh child started with
// posix_spawn (never a fork that keeps running), fed and answered over two O_CLOEXEC pipes by a
// thread of its own. A job is bytes, the answer too; the child program is given to the pool.
// It knows nothing of conkit's suites; my_process_pool_adapter.hpp maps it onto the concept.
#pragma once

#include <csignal>
#include <functional>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace my {

class ProcessPool {
 public:
  // `speak` writes a job to the child's stdin and reads its answer from its stdout (the framing is
  // the child program's business).
  using Exchange = std::function<std::string(int to_child, int from_child, const std::string& job)>;

  ProcessPool(std::string program, std::vector<std::string> args, Exchange speak)
      : program_(std::move(program)), args_(std::move(args)), speak_(std::move(speak)) {
    std::signal(SIGPIPE, SIG_IGN);  // a write to a dead child is an error, not a signal
  }
  ~ProcessPool() {  // every submitted job finishes; each child was reaped by its thread
    for (auto& t : threads_) t.join();
  }

  std::future<std::string> submit(std::string job) {
    auto answer = std::make_shared<std::promise<std::string>>();
    auto future = answer->get_future();
    threads_.emplace_back([this, answer, job = std::move(job)] {
      try {
        answer->set_value(run_one(job));
      } catch (...) {
        answer->set_exception(std::current_exception());
      }
    });
    return future;
  }

 private:
  std::string run_one(const std::string& job) {
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
    if (::pipe2(out, O_CLOEXEC) != 0) {
      ::close(in[0]);
      ::close(in[1]);
      throw std::runtime_error("pipe2");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);  // dup2 clears O_CLOEXEC on 0 and 1 only
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    std::vector<std::string> argv_s = {program_};
    argv_s.insert(argv_s.end(), args_.begin(), args_.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, program_.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    if (rc != 0) {
      ::close(in[1]);
      ::close(out[0]);
      throw std::runtime_error("posix_spawn " + program_ + " failed");
    }
    std::string answer;
    std::exception_ptr error;
    try {
      answer = speak_(in[1], out[0], job);
    } catch (...) {
      error = std::current_exception();
    }
    ::close(in[1]);
    ::close(out[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);  // reap it, whatever happened
    if (error) std::rethrow_exception(error);
    return answer;
  }

  std::string program_;
  std::vector<std::string> args_;
  Exchange speak_;
  std::vector<std::thread> threads_;
};

}  // namespace my
