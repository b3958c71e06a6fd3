"""cpu_burn — pure-Python CPU work for the Python cases (cpu_parallelism, hybrid), and the
cpu_parallelism sweep every Python model shares (sweep()).

The loop holds the GIL the whole time (no I/O, no C calls that release it), so it shows what the
interpreter lets run in parallel. About 60-100 ms per million iterations on CPython 3.11-3.13.

    import cpu_burn
    wall_ms, cpu_ms = cpu_burn.spin(1_000_000)   # the loop's wall time and its thread's CPU time
    args = cpu_burn.sweep_args("the work, in all")   # --workers, --iterations, --reps of every sweep case

cpu_ms / wall_ms tells whether the loop had a core to itself: on a machine that other work keeps
busy it drops well below 1, and a speedup measured then says more about the neighbours.
"""
import argparse
import time

import conkit_facts as ck


def spin(iterations):
    """Runs `iterations` steps of arithmetic in the interpreter; returns (wall ms, CPU ms)."""
    wall, cpu = time.monotonic_ns(), time.thread_time_ns()
    acc = 0
    for i in range(iterations):
        acc = (acc + i * i) % 1_000_003
    return (time.monotonic_ns() - wall) / 1e6, (time.thread_time_ns() - cpu) / 1e6


def sweep_widths(cores):
    """W = 1, 2, 4, ... below `cores`, then `cores` and 2*cores (the plateau): 1 2 4 on two cores."""
    widths, w = [], 1
    while w < cores:
        widths.append(w)
        w *= 2
    return widths + [cores, 2 * cores]


def sweep_args(iterations_are):
    """The command line of every Python cpu_parallelism case: --workers (one point only; default
    the sweep), --iterations (default 1,000,000; what they are depends on the model) and --reps
    (sweep()'s repetitions, default 3)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, help="one point only (default: the sweep)")
    parser.add_argument("--iterations", type=int, default=1_000_000, help=iterations_are)
    parser.add_argument("--reps", type=int, default=3,
                        help="repetitions; the fastest is kept (conkit verify runs 1: its own runs give the interval)")
    return parser.parse_args()


def sweep(model, run_point, iterations, per_core, workers=None, repetitions=3):
    """The cpu_parallelism measurement of every Python model; the twin of speedup.hpp.

    run_point(W, iterations_per_task) runs W tasks and returns (wall ms, [task ms], cpu share),
    and optionally a fourth value, the cores it kept busy (this process's CPU seconds per wall
    second): the share is the CPU the tasks got per wall second per core they could use (below
    ~0.85 others took the cores). Cores used tells one-at-a-time from parallel where a wall-time
    speedup cannot: on a shared host the same loop's wall time swings by up to 2x between runs
    (42-82 ms here for 1M iterations, machine otherwise idle), CPU per wall second does not.
    Each point's work is `iterations` per core it can use, min(W, cores), when `per_core` (a model
    that may run in parallel), else `iterations` in all (one thread at a time: its sweep must not
    cost W times more on a wide machine). The baseline, `iterations` in
    a row on this thread, is measured in every repetition and scaled by the point's work (the loop's
    time is linear in its iterations); the fastest of `repetitions` is kept for the baseline and
    for each point: a neighbour on a shared host can stretch one short timing without showing in
    our own CPU time, and the minimum is each time's least disturbed estimate. (Picking the
    repetition with the highest speedup would favour a disturbed baseline.)

    Writes sweep_points and, per point in sweep order, sweep_workers, sweep_speedup, sweep_efficiency
    (speedup / min(W, cores)), sweep_par_ms and, where run_point gives it, sweep_cores_used and
    sweep_cores_share (cores used / min(W, cores)); for the point the claims read (W = usable cores,
    or the one `workers` point) workers, seq_ms, par_ms, speedup, task_ms, cpu_share and
    cores_used; prints one line per point, like the native cases. SKIPs on one core: no model could
    run in parallel there.
    """
    cores = ck.usable_cores()
    claimed = workers or cores
    ck.fact("workers", claimed)
    ck.fact("cores", cores)
    if cores < 2:
        ck.skip("one usable core: parallel speedup cannot be observed")
    spin(iterations // 10)  # warm up
    points = [(w, min(w, cores) if per_core else 1) for w in ([workers] if workers else sweep_widths(cores))]
    seq = None
    best = {}  # W -> (wall ms, task ms, share) of its fastest repetition
    for _ in range(repetitions):
        seq = min(seq or (float("inf"), 0), sequential(iterations))
        for w, scale in points:
            run = run_point(w, iterations * scale // w)
            if w not in best or run[0] < best[w][0]:
                best[w] = run
    seq_ms, seq_share = seq
    ck.fact("baseline_ms", seq_ms)
    ck.fact("sweep_points", len(points))
    ck.say(f"sequential: {seq_ms:.1f} ms per core's share")
    for w, scale in points:
        par_ms, task_ms, share = best[w][:3]
        speedup = seq_ms * scale / par_ms
        ck.fact("sweep_workers", w)
        ck.fact("sweep_speedup", speedup)
        ck.fact("sweep_efficiency", speedup / min(w, cores))
        ck.fact("sweep_par_ms", par_ms)
        cores_used = best[w][3] if len(best[w]) > 3 else None
        if cores_used is not None:
            ck.fact("sweep_cores_used", cores_used)
            ck.fact("sweep_cores_share", cores_used / min(w, cores))
        ck.say(f"{model} x{w}: {par_ms:.1f} ms, speedup {speedup:.2f}")
        if w == claimed:
            ck.fact("seq_ms", seq_ms * scale)
            ck.fact("par_ms", par_ms)
            ck.fact("speedup", speedup)
            for ms in task_ms:
                ck.fact("task_ms", ms)
            ck.fact("cpu_share", min(seq_share, share))
            if cores_used is not None:
                ck.fact("cores_used", cores_used)
            claimed = None  # once, should 2*cores ever equal cores
    ck.say("done")


def sequential(iterations):
    """The baseline: `iterations` on this thread; returns (wall ms, CPU share)."""
    wall, cpu = time.monotonic_ns(), time.process_time_ns()
    spin(iterations)
    wall, cpu = time.monotonic_ns() - wall, time.process_time_ns() - cpu
    return wall / 1e6, cpu / wall
