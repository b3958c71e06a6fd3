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


def task(iterations):
    ck.fact("task_ms", cpu_burn.spin(iterations)[0])


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
    seq_ms, seq_share = cpu_burn.sequential(args.workers, args.iterations)
    start, cpu = ck.now_ns(), time.process_time_ns()
    threads = [threading.Thread(target=task, args=(args.iterations,)) for _ in range(args.workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    par_ns, cpu_ns = ck.now_ns() - start, time.process_time_ns() - cpu
    par_ms = par_ns / 1e6
    # With the GIL the process uses one core's worth; less means other work took the CPU.
    ck.fact("cpu_share", min(seq_share, cpu_ns / par_ns))
    ck.fact("seq_ms", seq_ms)
    ck.fact("par_ms", par_ms)
    ck.fact("speedup", seq_ms / par_ms)
    ck.say(f"sequential {seq_ms:.0f} ms, {args.workers} threads {par_ms:.0f} ms")
    ck.say("done")
