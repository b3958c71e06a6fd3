"""cpu_parallelism under multiprocessing: CPU-bound work in W processes runs in parallel.

Each process has its own interpreter and GIL, so the speedup over the work done in a row
approaches min(W, cores) at every W of the sweep (1, 2, 4, ... the usable cores and twice that:
cpu_burn.sweep); process start (fork, pinned) is counted in the parallel time. Why the figure
separates the models on a noisy machine: processes reach min(W, cores), a GIL-bound model stays at
1x, and `cpu_share` (the CPU each worker got) keeps a busy machine from deciding it. Evidence for
procs-parallel-cpu. SKIPs on one core.

    conkit run cpu_parallelism.python_multiprocessing   # argv: the `run:` line of its .expect
"""
import argparse
import multiprocessing
import sys

import conkit_facts as ck
import cpu_burn


def task(iterations, results):
    wall_ms, cpu_ms = cpu_burn.spin(iterations)
    results.put((wall_ms, cpu_ms / wall_ms))


def run_point(ctx, workers, iterations):
    """`workers` forked processes of `iterations` each: (wall ms, task ms, CPU share per core)."""
    results = ctx.SimpleQueue()
    start = ck.now_ns()
    procs = [ctx.Process(target=task, args=(iterations, results)) for _ in range(workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    par_ms = (ck.now_ns() - start) / 1e6
    if any(p.exitcode != 0 for p in procs):
        sys.exit("a worker failed")
    tasks = [results.get() for _ in procs]
    # Each of min(W, cores) workers should have had a core to itself: more workers share them.
    oversubscribed = workers / min(workers, ck.usable_cores())
    return par_ms, [t[0] for t in tasks], min(t[1] for t in tasks) * oversubscribed


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, help="one point only (default: the sweep)")
    parser.add_argument("--iterations", type=int, default=1_000_000, help="the work per core a point can use")
    parser.add_argument("--reps", type=int, default=3,
                        help="repetitions; the fastest is kept (conkit verify runs 1: its own runs give the interval)")
    args = parser.parse_args()
    ctx = multiprocessing.get_context("fork")
    ck.begin("python_multiprocessing")
    cpu_burn.sweep("python_multiprocessing", lambda w, n: run_point(ctx, w, n), args.iterations,
                   per_core=True, workers=args.workers, repetitions=max(1, args.reps))
