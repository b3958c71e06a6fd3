"""cpu_parallelism under threading: CPU-bound Python threads take as long as running the work in turn.

W threads each run the same pure-Python loop; the GIL lets one run at a time, so the speedup over
the sequential baseline stays about 1 (a free-threaded build would show it). Evidence for
threads-gil-cpu. SKIPs on one core, where no model could run in parallel.

    conkit check --expect expected/cpu_parallelism/python_threading.expect -- \
        python3 cases/cpu_parallelism/python_threading.py --workers 2
"""
import argparse
import os
import sys
import threading
import time

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import conkit_facts as ck  # noqa: E402
import cpu_burn  # noqa: E402


def task(iterations, task_ms):
    task_ms.append(cpu_burn.spin(iterations)[0])


def measure(workers, iterations):
    """One repetition: the tasks in turn on this thread, then in `workers` threads."""
    seq_ms, seq_share = cpu_burn.sequential(workers, iterations)
    task_ms = []
    start, cpu = ck.now_ns(), time.process_time_ns()
    threads = [threading.Thread(target=task, args=(iterations, task_ms)) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    par_ns, cpu_ns = ck.now_ns() - start, time.process_time_ns() - cpu
    # With the GIL the process uses one core's worth; less means other work took the CPU.
    return {"seq_ms": seq_ms, "par_ms": par_ns / 1e6, "task_ms": task_ms,
            "cpu_share": min(seq_share, cpu_ns / par_ns)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=1_000_000, help="per task")
    args = parser.parse_args()
    ck.begin("python_threading")
    cores = ck.usable_cores()
    ck.fact("workers", args.workers)
    ck.fact("cores", cores)
    ck.fact("gil", getattr(sys, "_is_gil_enabled", lambda: True)())
    if cores < 2:
        ck.skip("one usable core: parallel speedup cannot be observed")
    cpu_burn.spin(args.iterations // 10)  # warm up
    # Best of 3: the GIL bound must hold even for the fastest repetition.
    best = cpu_burn.best_of(3, lambda: measure(args.workers, args.iterations))
    cpu_burn.report(best, args.workers, "threads")
    ck.say("done")
