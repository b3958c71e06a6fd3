// echo_lines — prints each argument as a line, 10 ms apart; "err:TEXT" goes to stderr as TEXT.
// Shows: lines arrive in order, with increasing stamps, on the stream they were written to.
#include <chrono>
#include <string_view>
#include <thread>

#include <unistd.h>

#include <conkit/facts.hpp>

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.substr(0, 4) == "err:") {
      std::string line(arg.substr(4));
      line += '\n';
      conkit::detail::write_all(STDERR_FILENO, line);
    } else {
      conkit::say(arg);
    }
    // Sleeps never end early, so each line is written at least 10 ms after the one before.
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}
