"""worker_join under threading: two threads that each block for 1u overlap and finish in about 1u.

Prints the lines of the threading example in article 003 (thread order varies between runs).
time.sleep releases the GIL, so blocking waits overlap. Evidence for threads-overlap-io.

    conkit run worker_join.python_threading   # argv: the `run:` line of its .expect
"""
import argparse
import os
import threading
import time

import conkit_facts as ck


def worker(task_id, u, stamps):
    start = ck.now_ns()
    ck.say(f"Task {task_id} started...")
    time.sleep(u)  # a blocking call
    ck.say(f"Task {task_id} completed!")
    stamps[task_id] = (start, ck.now_ns())
    ck.fact("tid", threading.get_native_id())
    ck.fact("pid", os.getpid())


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2, help="threads")
    n = parser.parse_args().n
    ck.begin("python_threading")
    ck.fact("n", n)
    stamps = [None] * n  # each thread writes only its own slot
    threads = [threading.Thread(target=worker, args=(i, ck.unit(), stamps)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ck.fact("span_ms", (max(e for _, e in stamps) - min(s for s, _ in stamps)) / 1e6)
