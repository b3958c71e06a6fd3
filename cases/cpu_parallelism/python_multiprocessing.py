"""cpu_parallelism under multiprocessing: CPU-bound work in W processes runs in parallel.

Each process has its own interpreter and GIL, so the speedup over the sequential baseline
approaches min(W, cores); process start (fork, pinned) is counted in the parallel time.
Evidence for procs-parallel-cpu. SKIPs on one core.

    conkit check --expect expected/cpu_parallelism/python_multiprocessing.expect -- \
        python3 cases/cpu_parallelism/python_multiprocessing.py --workers 2
"""
import argparse
import multiprocessing
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import conkit_facts as ck  # noqa: E402
import cpu_burn  # noqa: E402


def task(iterations, results):
    wall_ms, cpu_ms = cpu_burn.spin(iterations)
    results.put((wall_ms, cpu_ms / wall_ms))


def measure(ctx, workers, iterations):
    """One repetition: the tasks in turn on this process, then in `workers` forked processes."""
    seq_ms, seq_share = cpu_burn.sequential(workers, iterations)
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
    # Each worker should have had a core to itself; less means other work took the CPU.
    return {"seq_ms": seq_ms, "par_ms": par_ms, "task_ms": [t[0] for t in tasks],
            "cpu_share": min([seq_share] + [t[1] for t in tasks])}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=1_000_000, help="per task")
    args = parser.parse_args()
    ctx = multiprocessing.get_context("fork")
    ck.begin("python_multiprocessing")
    cores = ck.usable_cores()
    ck.fact("workers", args.workers)
    ck.fact("cores", cores)
    if cores < 2:
        ck.skip("one usable core: parallel speedup cannot be observed")
    cpu_burn.spin(args.iterations // 10)  # warm up
    best = cpu_burn.best_of(3, lambda: measure(ctx, args.workers, args.iterations))
    cpu_burn.report(best, args.workers, "processes")
    ck.say("done")
