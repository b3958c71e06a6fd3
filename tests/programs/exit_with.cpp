// exit_with N|abort — exits with code N, or aborts (SIGABRT). Shows how endings are recorded.
#include <cstdlib>
#include <string_view>

int main(int argc, char** argv) {
  std::string_view what = argc > 1 ? argv[1] : "0";
  if (what == "abort") std::abort();
  return std::atoi(what.data());  // what views a NUL-terminated argv string
}
