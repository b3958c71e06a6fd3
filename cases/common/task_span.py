"""task_span — what the fetch and join scenarios share in Python (the twin of task_span.hpp).

    n = task_span.begin_tasks("python_threading", "threads")   # --n (default 2); facts model, n
    span = task_span.TaskSpan()            # or TaskSpan(n, ctx): slots in shared memory for forked workers
    with span.task(i):                     # stamps the task's start and end on the inner clock
        ...
    task_span.record_runner()              # facts tid and pid: where the task ran
    ck.fact("span_ms", span.ms())          # from the first task's start to the last task's end

Thread safety: task() from any thread (list.append is atomic); with a multiprocessing context
each forked worker writes only its own two slots, which the parent reads after the join.
"""
import argparse
import contextlib
import os
import threading

import conkit_facts as ck


def begin_tasks(model, tasks_are):
    """Reads --n (the number of tasks, default 2), writes ck.begin(model) and the fact n; returns n."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2, help=tasks_are)
    n = parser.parse_args().n
    ck.begin(model)
    ck.fact("n", n)
    return n


def record_runner():
    """The facts tid and pid of the calling task: which thread and process ran it."""
    ck.fact("tid", threading.get_native_id())
    ck.fact("pid", os.getpid())


class TaskSpan:
    def __init__(self, n=0, ctx=None):
        # Forked workers cannot append to the parent's list: they write slots 2i, 2i+1 of an array
        # in shared memory instead.
        self._shared = ctx.Array("q", 2 * n, lock=False) if ctx is not None else None
        self._stamps = []  # (start_ns, end_ns) per task

    @contextlib.contextmanager
    def task(self, i=None):
        """Stamps the block's start and end (inner stamps, ck.now_ns()); nothing if it raises."""
        start = ck.now_ns()
        yield
        end = ck.now_ns()
        if self._shared is not None:
            self._shared[2 * i], self._shared[2 * i + 1] = start, end
        else:
            self._stamps.append((start, end))

    def ms(self):
        if self._shared is not None:
            starts, ends = self._shared[0::2], self._shared[1::2]
        else:
            starts, ends = [s for s, _ in self._stamps], [e for _, e in self._stamps]
        return (max(ends) - min(starts)) / 1e6
