// bench_main.cpp — the in-process benchmarks of ci/bench (Google Benchmark), each beside its anchor.
//
//   Capture/conkit/<len>  conkit::run() of `produce lines N LEN`: lines and bytes per second
//   Capture/pipe/<len>    the anchor: the same producer on a raw pipe read by a plain read(2) loop
//   ParseExpect           parse_expect() on a generated 20 000-line expected file: bytes per second
//   FactLines             the facts-channel reader on writer-shaped lines: facts per second
//   TranscriptAdd         appending 1M short lines to a Transcript
//
// Run by ci/bench (which passes PRODUCE=<path of the produce program> in the environment).
#include <benchmark/benchmark.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../harness/src/fact_parse.hpp"  // private: the facts-channel reader
#include "conkit/expect.hpp"
#include "conkit/run.hpp"
#include "conkit/transcript.hpp"

namespace {

std::string produce_path() {
  const char* p = std::getenv("PRODUCE");
  return p ? p : "produce";
}

// Bytes to capture per iteration: 16 MiB (under the 64 MiB cap), as lines of `len` bytes.
long long lines_for(long long len) { return (16LL << 20) / len; }

void CaptureConkit(benchmark::State& state) {
  const long long len = state.range(0), n = lines_for(len);
  conkit::RunOptions o;
  o.argv = {produce_path(), "lines", std::to_string(n), std::to_string(len)};
  for (auto _ : state) {
    conkit::RunResult r = conkit::run(o);
    if (r.lines.size() != static_cast<std::size_t>(n)) state.SkipWithError("lines lost");
    benchmark::DoNotOptimize(r.lines.size());
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(state.iterations() * n * len);
}

// The anchor: fork, exec the producer with stdout on a pipe, read(2) 64 KiB at a time, count
// newlines, wait. No stamps, no storage.
void CapturePipe(benchmark::State& state) {
  const long long len = state.range(0), n = lines_for(len);
  const std::string exe = produce_path(), count = std::to_string(n), size = std::to_string(len);
  std::vector<char> buf(64 * 1024);
  for (auto _ : state) {
    int p[2];
    if (::pipe(p) != 0) return state.SkipWithError("pipe");
    pid_t pid = ::fork();
    if (pid == 0) {
      ::dup2(p[1], 1);
      ::close(p[0]);
      ::close(p[1]);
      ::execl(exe.c_str(), exe.c_str(), "lines", count.c_str(), size.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(p[1]);
    long long lines = 0;
    for (;;) {
      ssize_t k = ::read(p[0], buf.data(), buf.size());
      if (k <= 0) break;
      for (const char* q = buf.data(); (q = static_cast<const char*>(std::memchr(q, '\n', buf.data() + k - q)));) {
        ++lines;
        ++q;
      }
    }
    ::close(p[0]);
    ::waitpid(pid, nullptr, 0);
    if (lines != n) state.SkipWithError("lines lost");
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(state.iterations() * n * len);
}

BENCHMARK(CaptureConkit)->Name("Capture/conkit")->Arg(2)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(CapturePipe)->Name("Capture/pipe")->Arg(2)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();

void ParseExpect(benchmark::State& state) {
  std::string text = "scenario: bench\nmodel: parse\n";
  for (int i = 0; i < 5000; ++i) {
    text += "out \"line " + std::to_string(i) + "\" @l" + std::to_string(i) + "\n";
    text += "any-order {\n  out /^data [0-9]+$/ x2\n}\n";
  }
  for (auto _ : state) {
    auto p = conkit::parse_expect(text, "bench.expect");
    if (!p.ok()) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(p.file.steps.size());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<long long>(text.size()));
}
BENCHMARK(ParseExpect)->Unit(benchmark::kMillisecond);

void FactLines(benchmark::State& state) {
  std::vector<std::string> lines;
  for (int i = 0; i < 100000; ++i)
    lines.push_back("{\"fact\":\"n\",\"value\":" + std::to_string(i) + ",\"t_ns\":" + std::to_string(1000000 + i) +
                    ",\"pid\":4711,\"tid\":4712}");
  for (auto _ : state) {
    conkit::FactLog log;
    for (const auto& l : lines) conkit::detail::add_fact_line(l, 1.0, 0, log);
    benchmark::DoNotOptimize(log.size());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<long long>(lines.size()));
}
BENCHMARK(FactLines)->Unit(benchmark::kMillisecond);

void TranscriptAdd(benchmark::State& state) {
  for (auto _ : state) {
    conkit::Transcript t;
    for (int i = 0; i < 1000000; ++i) t.add(conkit::Stream::out, i / 4096, "data 123456");
    benchmark::DoNotOptimize(t.size());
  }
  state.SetItemsProcessed(state.iterations() * 1000000);
}
BENCHMARK(TranscriptAdd)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
