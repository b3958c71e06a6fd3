// conkit/stdio.hpp — how a case's output reaches conkit, and how to tell when it came too late.
//
// A program whose stdout is a pipe is usually block-buffered by its stdio library (C stdio,
// Python, most runtimes): every line it prints then arrives at once when it exits, and time bounds
// on those lines measure nothing. StdioMode::pty (RunOptions::stdio, the `stdio:` header) gives
// the case a pseudo-terminal for stdout instead, so the same libraries buffer per line as they do
// on a terminal. find_exit_bursts() recognises the symptom in any finished run:
//
//   for (const conkit::OutputBurst& b : conkit::find_exit_bursts(result))
//     std::cerr << conkit::burst_note(b, result.stdio) << "\n";
//
// Thread safety: plain functions over values; no shared state.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conkit/run.hpp"

namespace conkit {

// "pipe", "pty", "merged"; and back (nullopt for anything else).
std::string to_string(StdioMode mode);
std::optional<StdioMode> parse_stdio_mode(std::string_view text);

// Most of one stream's lines arrived together at the very end of the run: at least
// kBurstMinLines lines, at least kBurstShare of the stream's lines, all within kBurstWindowMs of
// the stream's last line, and that last line in the later half of the run (or no more than
// kBurstAtExitMs before the main child exited). A program that writes as it goes spreads its lines
// over the run instead; one that prints a few lines at its start and then works is not at exit.
struct OutputBurst {
  Stream stream = Stream::out;
  std::size_t lines = 0;        // lines in the burst
  std::size_t total = 0;        // lines of the stream
  double first_ms = 0, last_ms = 0;  // arrival of the burst's first and last line
  std::size_t first_line = 0;   // index into RunResult::lines of the burst's first line
};

inline constexpr std::size_t kBurstMinLines = 3;
inline constexpr double kBurstShare = 0.9;
// A flush of a block buffer arrives in one or a few reads; 1 ms holds them even on a busy machine
// (scheduling delays between reads of one buffer are ~0.1 ms idle, a few ms only when starved).
inline constexpr double kBurstWindowMs = 1.0;
// An exit-time flush comes from the exit path itself: C stdio flushes in exit() and is gone within
// a millisecond, but CPython flushes early in its teardown, which took 230 ms of a 1.3 s run with
// both cores busy. So "at exit" is the later half of the run, or these 50 ms for short runs.
inline constexpr double kBurstAtExitMs = 50.0;
inline constexpr double kBurstLateShare = 0.5;

// The bursts of a finished run, one per stream at most, in stream order (out, err, merged).
std::vector<OutputBurst> find_exit_bursts(const RunResult& run);

// Whether RunResult::lines[index] belongs to `burst`.
bool in_burst(const OutputBurst& burst, const RunResult& run, std::size_t index);

// "stdout arrived in one burst at exit (6 lines within 0.1 ms): the program buffers its output;
// time bounds on these lines measure nothing — flush per line, or use stdio: pty". Under
// StdioMode::pty the advice to use a pty is left out (the program buffers on a terminal too).
std::string burst_note(const OutputBurst& burst, StdioMode mode);

}  // namespace conkit
