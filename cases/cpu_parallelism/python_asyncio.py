"""cpu_parallelism under asyncio: CPU-bound coroutines take the sum of their times.

W tasks on one event loop split the same pure-Python loop (W swept over 1, 2, 4, ... the usable
cores and twice that: cpu_burn.sweep); nothing awaits inside the work, so the loop runs them one
after another: speedup about 1 at every W. Concurrency, not parallelism. Why the figure separates
the models on a noisy machine: one thread cannot exceed 1x by more than the baseline's noise, a
parallel model reaches min(W, cores). Evidence for async-no-parallelism. SKIPs on one core.

    conkit run cpu_parallelism.python_asyncio   # argv: the `run:` line of its .expect
"""
import asyncio
import time

import conkit_facts as ck
import cpu_burn


async def task(iterations, task_ms):
    await asyncio.sleep(0)  # a coroutine may yield, but CPU work between awaits cannot be split
    task_ms.append(cpu_burn.spin(iterations)[0])


async def gather(workers, iterations, task_ms):
    await asyncio.gather(*(task(iterations, task_ms) for _ in range(workers)))


def run_point(workers, iterations):
    """`workers` coroutines of `iterations` each on one loop: (wall ms, task ms, CPU share, cores used)."""
    task_ms = []
    start, cpu = ck.now_ns(), time.process_time_ns()
    asyncio.run(gather(workers, iterations, task_ms))
    par_ns, cpu_ns = ck.now_ns() - start, time.process_time_ns() - cpu
    cores_used = cpu_ns / par_ns  # one loop thread: also its share of a core (below 1: others took it)
    return par_ns / 1e6, task_ms, cores_used, cores_used


if __name__ == "__main__":
    args = cpu_burn.sweep_args("the work, in all (one thread)")
    ck.begin("python_asyncio")
    cpu_burn.sweep("python_asyncio", run_point, args.iterations, per_core=False, workers=args.workers, repetitions=max(1, args.reps))
