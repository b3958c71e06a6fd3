// bad_utf8 — prints a line with invalid UTF-8, a valid UTF-8 line, and a last line without a
// newline. Shows: raw bytes are kept as they came.
#include <unistd.h>

#include <conkit/facts.hpp>

int main() {
  conkit::detail::write_all(STDOUT_FILENO, "ok \xff\xfe end\n");
  conkit::detail::write_all(STDOUT_FILENO, "caf\xc3\xa9\n");
  conkit::detail::write_all(STDOUT_FILENO, "tail");
}
