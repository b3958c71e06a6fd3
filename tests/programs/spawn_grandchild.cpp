// spawn_grandchild hold|wait — starts `sleep 30` as a grandchild that inherits stdout/stderr and
// prints "grandchild PID" (also the fact grandchild_pid). `hold`: exits at once, leaving the
// grandchild holding the pipes. `wait`: sleeps too, until conkit's timeout.
#include <spawn.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <string_view>
#include <thread>

#include <conkit/facts.hpp>

extern char** environ;

int main(int argc, char** argv) {
  std::string_view mode = argc > 1 ? argv[1] : "hold";
  pid_t grandchild = 0;
  char arg0[] = "sleep", arg1[] = "30";
  char* args[] = {arg0, arg1, nullptr};
  if (posix_spawnp(&grandchild, "sleep", nullptr, nullptr, args, environ) != 0) return 2;
  conkit::fact("grandchild_pid", static_cast<long>(grandchild));
  conkit::say("grandchild " + std::to_string(grandchild));
  if (mode == "wait") std::this_thread::sleep_for(std::chrono::seconds(30));
  return 0;
}
