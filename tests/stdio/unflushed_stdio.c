/* Prints three lines one unit apart with printf() and never flushes. Over a pipe C stdio keeps
   them in its buffer until exit() flushes it; on a terminal (stdio: pty) stdout is line-buffered
   and each line goes out at its newline. Each line ends in the program's own CLOCK_MONOTONIC time
   (ns) just before the write, so a run's JSON shows how far conkit's arrival stamp lags it:
   lag_ms = t_ms - (written_ns - spawn_ns) / 1e6. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void sleep_ms(long ms) {
  struct timespec left = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&left, &left) == -1 && errno == EINTR) {
  }
}

static long long monotonic_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(void) {
  const char* unit = getenv("CONKIT_UNIT_MS");
  const long unit_ms = unit ? atol(unit) : 100;
  printf("first %lld\n", monotonic_ns());
  sleep_ms(unit_ms);
  printf("second %lld\n", monotonic_ns());
  sleep_ms(unit_ms);
  printf("third %lld\n", monotonic_ns());
  return 0;
}
