"""worker_join under multiprocessing: two processes that each block for 1u finish in about 1u.

Prints the lines of the multiprocessing example in article 003 (process order varies between
runs). The start method is pinned to fork, Linux's default before Python 3.14 and the one the
article's output came from. Each process runs worker_join_task.run. Evidence for procs-overlap-io.

    conkit run worker_join.python_multiprocessing   # argv: the `run:` line of its .expect
"""
import multiprocessing

import conkit_facts as ck
import run_all
import task_span
import worker_join_task

if __name__ == "__main__":
    n = task_span.begin_tasks("python_multiprocessing", "processes")
    ctx = multiprocessing.get_context("fork")
    # The children's stamps come back through explicitly shared memory; each writes its own slots.
    span = task_span.TaskSpan(n, ctx)
    processes = [ctx.Process(target=worker_join_task.run, args=(i, ck.unit(), span)) for i in range(n)]
    run_all.start_and_join_processes(processes)
    ck.fact("span_ms", span.ms())
