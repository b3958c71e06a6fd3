"""cpu_parallelism under asyncio: CPU-bound coroutines take the sum of their times.

W tasks on one event loop each run the same pure-Python loop; nothing awaits inside the work, so
the loop runs them one after another: speedup about 1. Concurrency, not parallelism. Evidence
for async-no-parallelism. SKIPs on one core.

    conkit check --expect expected/cpu_parallelism/python_asyncio.expect -- \
        python3 cases/cpu_parallelism/python_asyncio.py --workers 2
"""
import argparse
import asyncio
import os
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import conkit_facts as ck  # noqa: E402
import cpu_burn  # noqa: E402


async def task(iterations, task_ms):
    await asyncio.sleep(0)  # a coroutine may yield, but CPU work between awaits cannot be split
    task_ms.append(cpu_burn.spin(iterations)[0])


async def parallel(workers, iterations, task_ms):
    await asyncio.gather(*(task(iterations, task_ms) for _ in range(workers)))


def measure(workers, iterations):
    """One repetition: the tasks in turn, then as `workers` coroutines on one event loop."""
    seq_ms, seq_share = cpu_burn.sequential(workers, iterations)
    task_ms = []
    start, cpu = ck.now_ns(), time.process_time_ns()
    asyncio.run(parallel(workers, iterations, task_ms))
    par_ns, cpu_ns = ck.now_ns() - start, time.process_time_ns() - cpu
    return {"seq_ms": seq_ms, "par_ms": par_ns / 1e6, "task_ms": task_ms,
            "cpu_share": min(seq_share, cpu_ns / par_ns)}  # below 1: other work took the CPU


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=1_000_000, help="per task")
    args = parser.parse_args()
    ck.begin("python_asyncio")
    cores = ck.usable_cores()
    ck.fact("workers", args.workers)
    ck.fact("cores", cores)
    if cores < 2:
        ck.skip("one usable core: parallel speedup cannot be observed")
    cpu_burn.spin(args.iterations // 10)  # warm up
    # Best of 3: the one-loop bound must hold even for the fastest repetition.
    best = cpu_burn.best_of(3, lambda: measure(args.workers, args.iterations))
    cpu_burn.report(best, args.workers, "tasks")
    ck.say("done")
