// big_output N — writes N bytes to stdout and N bytes to stderr, alternating 1 KiB lines.
// Shows: a reader that drains one stream before the other deadlocks (the pipe buffer is 64 KiB).
#include <cstdlib>
#include <string>

#include <unistd.h>

#include <conkit/facts.hpp>

int main(int argc, char** argv) {
  long total = argc > 1 ? std::atol(argv[1]) : 1 << 20;
  std::string line(1023, 'a');
  line += '\n';
  for (long done = 0; done < total; done += static_cast<long>(line.size())) {
    std::string_view chunk(line.data(), std::min<long>(total - done, static_cast<long>(line.size())));
    conkit::detail::write_all(STDOUT_FILENO, chunk);
    conkit::detail::write_all(STDERR_FILENO, chunk);
  }
}
