"""spawn_overhead under multiprocessing: what a process costs, per start method (--method).

fork copies the parent; spawn starts a fresh interpreter that re-imports the main module;
forkserver forks from a server process started once (the warm-up pays for it). Times K no-op
processes from creation to join (per unit), then holds K processes blocked on an Event and sums
their PSS (per unit). A thread baseline measured in the same run makes the ratio visible here.
Evidence for procs-high-overhead and threads-low-overhead; the three methods side by side qualify
"processes are expensive" (a caveat: fork is ~1-2 ms, spawn a fresh interpreter, ~65 ms).
Why the figure separates the models on a noisy machine: the gaps are 30-1000x (a thread start is
tens of us), far beyond what load does to a per-unit time averaged over K units.

    conkit run spawn_overhead.python_multiprocessing.spawn   # argv: the `run:` line of its .expect
"""
import argparse
import multiprocessing
import sys

import conkit_facts as ck
import unit_cost


def noop():
    pass


def idle(ready, release):
    ready.release()
    release.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--method", choices=("fork", "spawn", "forkserver"), default="fork")
    parser.add_argument("--units", type=int, default=20)
    args = parser.parse_args()
    k = args.units
    ctx = multiprocessing.get_context(args.method)
    ck.begin("python_multiprocessing", args.method)
    ck.fact("units", k)
    ck.fact("thread_per_unit_us", unit_cost.thread_per_unit_us(100))

    def start():
        p = ctx.Process(target=noop)
        p.start()
        return p

    unit_cost.per_unit_us(1, start, ctx.Process.join)  # warm up (starts the fork server)
    us, share = unit_cost.timed_per_unit(k, start, ctx.Process.join)
    ck.fact("per_unit_us", us)
    # See unit_cost. Under forkserver the children are the server's, not ours: their CPU is missing.
    ck.fact("timing_cpu_share", share)

    ready, release = ctx.Semaphore(0), ctx.Event()
    procs = [ctx.Process(target=idle, args=(ready, release)) for _ in range(k)]
    for p in procs:
        p.start()
    for _ in procs:
        ready.acquire()
    ck.fact("idle_kib_per_unit", sum(unit_cost.pss_kib(p.pid) for p in procs) / k)
    release.set()
    for p in procs:
        p.join()
    if any(p.exitcode != 0 for p in procs):
        sys.exit("a worker failed")
    ck.say(f"{k} processes started ({args.method}), waited and joined")
    ck.say("done")
