"""cpu_parallelism under multiprocessing: CPU-bound work in W processes runs in parallel.

Each process has its own interpreter and GIL, so the speedup over the work done in a row
approaches min(W, cores) at every W of the sweep (1, 2, 4, ... the usable cores and twice that:
cpu_burn.sweep); process start (fork, pinned) is counted in the parallel time. Why the figure
separates the models on a noisy machine: processes reach min(W, cores), a GIL-bound model stays at
1x, and `cpu_share` (the CPU each worker got) keeps a busy machine from deciding it. Evidence for
procs-parallel-cpu. SKIPs on one core.

    conkit run cpu_parallelism.python_multiprocessing   # argv: the `run:` line of its .expect
"""
import multiprocessing
import sys

import conkit_facts as ck
import cpu_burn
import run_all


def task(iterations, results):
    wall_ms, cpu_ms = cpu_burn.spin(iterations)
    results.put((wall_ms, cpu_ms / wall_ms))


def run_point(ctx, workers, iterations):
    """`workers` forked processes of `iterations` each: (wall ms, task ms, CPU share per core)."""
    results = ctx.SimpleQueue()
    start = ck.now_ns()
    procs = [ctx.Process(target=task, args=(iterations, results)) for _ in range(workers)]
    run_all.start_and_join(procs)
    par_ms = (ck.now_ns() - start) / 1e6
    if any(p.exitcode != 0 for p in procs):
        sys.exit("a worker failed")
    tasks = [results.get() for _ in procs]
    # Each of min(W, cores) workers should have had a core to itself: more workers share them.
    oversubscribed = workers / min(workers, ck.usable_cores())
    return par_ms, [t[0] for t in tasks], min(t[1] for t in tasks) * oversubscribed


if __name__ == "__main__":
    args = cpu_burn.sweep_args("the work per core a point can use")
    ctx = multiprocessing.get_context("fork")
    ck.begin("python_multiprocessing")
    cpu_burn.sweep("python_multiprocessing", lambda w, n: run_point(ctx, w, n), args.iterations,
                   per_core=True, workers=args.workers, repetitions=max(1, args.reps))
