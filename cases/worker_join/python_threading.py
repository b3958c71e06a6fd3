"""worker_join under threading: two threads that each block for 1u overlap and finish in about 1u.

Prints the lines of the threading example in article 003 (thread order varies between runs).
Each thread runs worker_join_task.run; time.sleep releases the GIL, so blocking waits overlap.
Evidence for threads-overlap-io.

    conkit run worker_join.python_threading   # argv: the `run:` line of its .expect
"""
import threading

import conkit_facts as ck
import run_all
import task_span
import worker_join_task

if __name__ == "__main__":
    n = task_span.begin_tasks("python_threading", "threads")
    span = task_span.TaskSpan()
    threads = [threading.Thread(target=worker_join_task.run, args=(i, ck.unit(), span)) for i in range(n)]
    run_all.start_and_join(threads)
    ck.fact("span_ms", span.ms())
