// flood — starts a sleeping grandchild (prints "sleeper PID"), then writes to stdout forever.
// Shows: the output cap stops a runaway case, and the whole group is killed with it.
#include <spawn.h>
#include <unistd.h>

#include <string>

#include <conkit/facts.hpp>

extern char** environ;

int main() {
  pid_t sleeper = 0;
  char arg0[] = "sleep", arg1[] = "30";
  char* args[] = {arg0, arg1, nullptr};
  if (posix_spawnp(&sleeper, "sleep", nullptr, nullptr, args, environ) != 0) return 2;
  conkit::say("sleeper " + std::to_string(sleeper));
  std::string line(4095, 'x');
  line += '\n';
  for (;;) conkit::detail::write_all(STDOUT_FILENO, line);
}
