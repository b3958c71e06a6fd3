"""cpu_parallelism under threading: CPU-bound Python threads take as long as running the work in turn.

W threads split the same pure-Python loop (W swept over 1, 2, 4, ... the usable cores and twice
that: cpu_burn.sweep); the GIL lets one run at a time, so the speedup over the work done in a row
stays about 1 at every W. A free-threaded build (fact `gil` 0, written by run_case.py) would show
the speedup. Why the figure separates the models on a noisy machine: the case's expectation reads
the cores the threads kept busy (`sweep_cores_used`, CPU seconds per wall second): at most one
under a GIL (1.00-1.01 here), up to min(W, cores) without, however fast the host runs us at the
time; the wall-time speedup, whose baseline can land in a slow moment of a shared host, is shown
beside it and read by the claim over repeated runs. `cpu_share` (the CPU the threads got) keeps a
busy machine from deciding it. Evidence for threads-gil-cpu. SKIPs on one core.

    conkit run cpu_parallelism.python_threading   # argv: the `run:` line of its .expect
"""
import sys
import threading
import time

import conkit_facts as ck
import cpu_burn
import run_all


def run_point(workers, iterations):
    """`workers` threads of `iterations` each: (wall ms, task ms, CPU share of the usable cores, cores used)."""
    task_ms = []
    start, cpu = ck.now_ns(), time.process_time_ns()
    run_all.start_and_join([threading.Thread(target=lambda: task_ms.append(cpu_burn.spin(iterations)[0]))
                            for _ in range(workers)])
    par_ns, cpu_ns = ck.now_ns() - start, time.process_time_ns() - cpu
    # With the GIL the process can use one core's worth; without it, one per thread that has a core.
    usable = 1 if getattr(sys, "_is_gil_enabled", lambda: True)() else min(workers, ck.usable_cores())
    cores_used = cpu_ns / par_ns
    return par_ns / 1e6, task_ms, cores_used / usable, cores_used


if __name__ == "__main__":
    args = cpu_burn.sweep_args("the work, in all (one thread at a time)")
    ck.begin("python_threading")
    # per_core=False: under the GIL the work is a fixed total, as for the event loop.
    cpu_burn.sweep("python_threading", run_point, args.iterations, per_core=False, workers=args.workers, repetitions=max(1, args.reps))
