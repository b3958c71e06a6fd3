"""cpu_parallelism under multiprocessing: CPU-bound work in W processes runs in parallel.

Each process has its own interpreter and GIL. W forked processes share a point's work the way a
process pool does: they take chunks of it from a shared counter until none is left (W swept over 1,
2, 4, ... the usable cores and twice that: cpu_burn.sweep); process start (fork, pinned) is counted
in the parallel time. Why the figure separates the models on a noisy machine: the case's expectation
reads the cores the processes kept busy (`sweep_cores_used`: the workers' CPU seconds per wall
second), min(W, cores) when they run in parallel and 1 under one GIL, however fast the host runs
each core at the time. The wall-time speedup is shown beside it and read as a caveat: on a shared
host one core can run the same loop at half the other's speed (44 against 78 ms per million
iterations here, in the same moment, each worker with its CPU equal to its wall time), so the
speedup measures the host's cores as much as the model. Taking chunks lets a fast core do more of
the work instead of waiting for the slow one. `cpu_share` (the CPU each worker got) keeps a busy
machine from deciding it. Evidence for procs-parallel-cpu. SKIPs on one core.

    conkit run cpu_parallelism.python_multiprocessing   # argv: the `run:` line of its .expect
"""
import multiprocessing
import time

import conkit_facts as ck
import cpu_burn
import run_all

# About 1-2 ms of work: the last chunk keeps one core busy while the others are done, so the tail
# is at most one chunk; the counter costs a lock per chunk, microseconds.
CHUNK_ITERATIONS = 20_000


def task(next_chunk, chunks, results):
    wall, cpu = time.monotonic_ns(), time.process_time_ns()
    while True:
        with next_chunk.get_lock():
            chunk = next_chunk.value
            next_chunk.value = chunk + 1
        if chunk >= chunks:
            break
        cpu_burn.spin(CHUNK_ITERATIONS)
    wall, cpu = time.monotonic_ns() - wall, time.process_time_ns() - cpu
    results.put((wall / 1e6, cpu / 1e6))


def run_point(ctx, workers, iterations):
    """`workers` forked processes sharing workers·`iterations` in chunks: (wall ms, [task ms], CPU
    share per core, cores used)."""
    results, next_chunk = ctx.SimpleQueue(), ctx.Value("q", 0)
    chunks = max(1, workers * iterations // CHUNK_ITERATIONS)
    start = ck.now_ns()
    procs = [ctx.Process(target=task, args=(next_chunk, chunks, results)) for _ in range(workers)]
    run_all.start_and_join_processes(procs)
    par_ms = (ck.now_ns() - start) / 1e6
    tasks = [results.get() for _ in procs]  # (wall ms, CPU ms) per worker
    # Each of min(W, cores) workers should have had a core to itself: more workers share them.
    oversubscribed = workers / min(workers, ck.usable_cores())
    share = min(cpu / wall for wall, cpu in tasks) * oversubscribed
    return par_ms, [wall for wall, _ in tasks], share, sum(cpu for _, cpu in tasks) / par_ms


if __name__ == "__main__":
    args = cpu_burn.sweep_args("the work per core a point can use")
    ctx = multiprocessing.get_context("fork")
    ck.begin("python_multiprocessing")
    cpu_burn.sweep("python_multiprocessing", lambda w, n: run_point(ctx, w, n), args.iterations,
                   per_core=True, workers=args.workers, repetitions=max(1, args.reps))
