"""shared_counter under multiprocessing: processes do not share memory unless told to.

--variant plain  each forked worker increments the module-level counter; every worker sees its
                 own count, the parent still sees 0: a fork copies memory, it does not share it.
--variant value  the workers increment a multiprocessing.Value (shared memory) under its lock:
                 the parent sees every increment, exactly.
The start method is pinned to fork, so the children begin with a copy of the parent's counter.
Evidence for procs-separate-memory.

    conkit run shared_counter.python_multiprocessing.plain   # argv: the `run:` line of its .expect
"""
import argparse
import multiprocessing

import conkit_facts as ck
import run_all

counter = 0


def plain(iterations, _shared):
    global counter
    for _ in range(iterations):
        counter += 1
    ck.fact("child_counter", counter)  # what this worker itself sees


def value(iterations, shared):
    for _ in range(iterations):
        with shared.get_lock():
            shared.value += 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", choices=("plain", "value"), default="plain")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=20_000, help="per worker")
    args = parser.parse_args()
    ctx = multiprocessing.get_context("fork")
    ck.begin("python_multiprocessing", args.variant)
    ck.fact("workers", args.workers)
    ck.fact("iterations", args.iterations)
    ck.say(f"Counting with {args.workers} processes, variant {args.variant}...")
    shared = ctx.Value("q", 0)  # a 64-bit integer in shared memory, with a lock
    body = plain if args.variant == "plain" else value
    processes = [ctx.Process(target=body, args=(args.iterations, shared))
                 for _ in range(args.workers)]
    run_all.start_and_join_processes(processes)
    seen = counter if args.variant == "plain" else shared.value
    expected = args.workers * args.iterations
    ck.fact("expected", expected)
    ck.fact("counter", seen)
    ck.fact("lost", expected - seen)  # updates the parent does not see: lost, or never shared
    ck.say(f"counter = {seen} of {expected}")  # the same line as every native model
    ck.say("done")
