// facts_writer — writes facts through conkit/facts.hpp, two lines that are not facts, and a fact
// from a grandchild (itself, re-executed with --grandchild), which inherits the facts channel.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>

#include <conkit/facts.hpp>

extern char** environ;

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "--grandchild") {
    conkit::fact("from", "grandchild");
    return 0;
  }
  conkit::fact("answer", 42);
  conkit::fact("model", "threads");
  conkit::fact("flag", true);
  conkit::fact("ratio", 0.5);
  if (const char* fd = std::getenv("CONKIT_FACTS_FD")) {
    conkit::detail::write_all(std::atoi(fd), "not json\n");
    conkit::detail::write_all(std::atoi(fd), "{\"value\":1}\n");
  }
  pid_t pid = 0;
  char arg1[] = "--grandchild";
  char* args[] = {argv[0], arg1, nullptr};
  if (posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, args, environ) != 0) return 2;
  int status = 0;
  ::waitpid(pid, &status, 0);
  conkit::say("done");
  return 0;
}
