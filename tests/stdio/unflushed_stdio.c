/* Prints three lines one unit apart with printf() and never flushes. Over a pipe C stdio keeps
   them in its buffer until exit() flushes it; on a terminal (stdio: pty) stdout is line-buffered
   and each line goes out at its newline. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void sleep_ms(long ms) {
  struct timespec left = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&left, &left) == -1 && errno == EINTR) {
  }
}

int main(void) {
  const char* unit = getenv("CONKIT_UNIT_MS");
  const long unit_ms = unit ? atol(unit) : 100;
  printf("first\n");
  sleep_ms(unit_ms);
  printf("second\n");
  sleep_ms(unit_ms);
  printf("third\n");
  return 0;
}
