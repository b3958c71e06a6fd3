"""worker_join under multiprocessing: two processes that each block for 1u finish in about 1u.

Prints the lines of the multiprocessing example in article 003 (process order varies between
runs). The start method is pinned to fork, Linux's default before Python 3.14 and the one the
article's output came from. Evidence for procs-overlap-io.

    conkit run worker_join.python_multiprocessing   # argv: the `run:` line of its .expect
"""
import argparse
import multiprocessing
import os
import sys
import threading
import time

import conkit_facts as ck


def worker(task_id, u, stamps):
    start = ck.now_ns()
    ck.say(f"Task {task_id} started...")
    time.sleep(u)  # a blocking call
    ck.say(f"Task {task_id} completed!")
    stamps[2 * task_id], stamps[2 * task_id + 1] = start, ck.now_ns()
    ck.fact("tid", threading.get_native_id())
    ck.fact("pid", os.getpid())


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2, help="processes")
    n = parser.parse_args().n
    ctx = multiprocessing.get_context("fork")
    ck.begin("python_multiprocessing")
    ck.fact("n", n)
    # The children's stamps come back through explicitly shared memory; each writes its own slots.
    stamps = ctx.Array("q", 2 * n, lock=False)
    processes = [ctx.Process(target=worker, args=(i, ck.unit(), stamps)) for i in range(n)]
    for p in processes:
        p.start()
    for p in processes:
        p.join()
    if any(p.exitcode != 0 for p in processes):
        sys.exit("a worker failed")
    ck.fact("span_ms", (max(stamps[1::2]) - min(stamps[0::2])) / 1e6)
