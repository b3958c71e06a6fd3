"""cpu_burn — pure-Python CPU work for the Python cases (cpu_parallelism, hybrid).

The loop holds the GIL the whole time (no I/O, no C calls that release it), so it shows what the
interpreter lets run in parallel. About 60-100 ms per million iterations on CPython 3.11-3.13.

    import cpu_burn
    wall_ms, cpu_ms = cpu_burn.spin(1_000_000)   # the loop's wall time and its thread's CPU time

cpu_ms / wall_ms tells whether the loop had a core to itself: on a machine that other work keeps
busy it drops well below 1, and a speedup measured then says more about the neighbours.
"""
import time

import conkit_facts as ck


def spin(iterations):
    """Runs `iterations` steps of arithmetic in the interpreter; returns (wall ms, CPU ms)."""
    wall, cpu = time.monotonic_ns(), time.thread_time_ns()
    acc = 0
    for i in range(iterations):
        acc = (acc + i * i) % 1_000_003
    return (time.monotonic_ns() - wall) / 1e6, (time.thread_time_ns() - cpu) / 1e6


def sequential(workers, iterations):
    """The baseline: the same tasks one after another on this thread; returns (wall ms, CPU share)."""
    wall, cpu = time.monotonic_ns(), time.process_time_ns()
    for _ in range(workers):
        spin(iterations)
    wall, cpu = time.monotonic_ns() - wall, time.process_time_ns() - cpu
    return wall / 1e6, cpu / wall


def best_of(repetitions, measure):
    """Runs measure() -> {seq_ms, par_ms, cpu_share, task_ms: [...]} `repetitions` times and
    combines the fastest sequential time with the fastest parallel repetition. A neighbour on a
    shared host (another VM on the same physical core) can stretch one short timing without
    showing in our own CPU time; the minimum of each is its least disturbed estimate. (Picking
    the repetition with the highest speedup instead would favour a disturbed baseline.)"""
    results = [measure() for _ in range(repetitions)]
    fastest = min(results, key=lambda r: r["par_ms"])
    return dict(fastest, seq_ms=min(r["seq_ms"] for r in results))


def report(best, workers, what):
    """Writes the chosen repetition's facts (docs/facts.md) and the line a person sees."""
    for ms in best["task_ms"]:
        ck.fact("task_ms", ms)
    ck.fact("cpu_share", best["cpu_share"])
    ck.fact("seq_ms", best["seq_ms"])
    ck.fact("par_ms", best["par_ms"])
    ck.fact("speedup", best["seq_ms"] / best["par_ms"])
    ck.say(f"sequential {best['seq_ms']:.0f} ms, {workers} {what} {best['par_ms']:.0f} ms")
