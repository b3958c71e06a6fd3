"""shared_counter under threading: threads share one counter; unsynchronised updates may be lost.

--variant plain   `counter += 1`: CPython (>= 3.10) checks for a thread switch only at calls and
                  backward jumps, never inside the read-modify-write, so losses are possible in
                  principle but rare in practice (none on a GIL build here).
--variant switch  read, time.sleep(0), write: the forced switch between read and write makes the
                  race observable (about half of the updates lost).
--variant lock    the same read/switch/write under a threading.Lock: exact.
The main thread reads the workers' writes without any IPC. Evidence for threads-share-memory
and threads-race; plain against switch is the caveat on the race: `lost` (expected - counter) with
and without a switch point inside the update, and `switch_interval_ms`, how often the interpreter
offers the GIL. Why the figure separates on a noisy machine: it counts updates, it times nothing;
load only changes where the switches land, and the forced switch loses about half of them.

    conkit run shared_counter.python_threading.switch   # argv: the `run:` line of its .expect
"""
import argparse
import sys
import threading
import time

import conkit_facts as ck
import run_all

counter = 0
lock = threading.Lock()


def plain(iterations):
    global counter
    for _ in range(iterations):
        counter += 1


def switch(iterations):
    global counter
    for _ in range(iterations):
        value = counter
        time.sleep(0)  # let the other thread run between the read and the write
        counter = value + 1


def locked(iterations):
    global counter
    for _ in range(iterations):
        with lock:
            value = counter
            time.sleep(0)  # the same switch; the lock keeps the other thread out
            counter = value + 1


VARIANTS = {"plain": (plain, 300_000), "switch": (switch, 500), "lock": (locked, 500)}

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", choices=VARIANTS, default="plain")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--iterations", type=int, help="per worker (default: per variant)")
    args = parser.parse_args()
    body, iterations = VARIANTS[args.variant]
    iterations = args.iterations or iterations
    ck.begin("python_threading", args.variant)
    ck.fact("workers", args.workers)
    ck.fact("iterations", iterations)
    # How often the interpreter offers the GIL to another thread: the plain += loses updates only
    # if a switch lands inside it (an observation the claims layer shows beside threads-race).
    ck.fact("switch_interval_ms", sys.getswitchinterval() * 1e3)
    ck.say(f"Counting with {args.workers} threads, variant {args.variant}...")
    start = threading.Barrier(args.workers)  # release all workers at once so their loops overlap

    def run():
        start.wait()
        body(iterations)

    run_all.start_and_join([threading.Thread(target=run) for _ in range(args.workers)])
    expected = args.workers * iterations
    ck.fact("expected", expected)
    ck.fact("counter", counter)
    ck.fact("lost", expected - counter)
    ck.say(f"counter = {counter} of {expected}")  # the same line as every native model
    ck.say("done")
