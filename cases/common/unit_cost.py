"""unit_cost — what one unit of concurrency costs, for the Python spawn_overhead cases.

    import unit_cost
    k = unit_cost.begin_units("python_threading", 100)   # --units; ck.begin; fact units
    unit_cost.rss_kib()                 # this process's resident memory, KiB
    unit_cost.pss_kib(pid)              # a process's proportional share (shared pages split), KiB
    unit_cost.thread_per_unit_us(100)   # start + join of one no-op thread, us (the baseline)
    unit_cost.thread_idle_kib(100)      # resident memory of one thread parked on an Event, KiB

Memory is measured before any timing: units that were created and freed leave reusable memory
(allocator arenas, cached thread stacks) that would hide the growth.

Process memory is measured as PSS, not RSS: a forked child shares most pages with its parent,
and PSS charges each process only its share of them.
"""
import argparse
import os
import threading
import time

import conkit_facts as ck

_PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


def begin_units(model, default):
    """Reads --units (K, the units to create; `default`), writes ck.begin(model) and the fact
    units; returns K. (The multiprocessing case also takes --method and parses its own.)"""
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=default)
    k = parser.parse_args().units
    ck.begin(model)
    ck.fact("units", k)
    return k


def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE_KIB


def pss_kib(pid):
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    raise RuntimeError(f"no Pss line for pid {pid}")


def per_unit_us(units, start, finish):
    """Calls start() `units` times, then finish() on each result; returns us per unit."""
    t0 = time.monotonic_ns()
    handles = [start() for _ in range(units)]
    for h in handles:
        finish(h)
    return (time.monotonic_ns() - t0) / 1e3 / units


def _started_thread():
    t = threading.Thread(target=lambda: None)
    t.start()
    return t


def thread_per_unit_us(units):
    """The baseline every model is compared with: a no-op thread, created, started and joined."""
    per_unit_us(4, _started_thread, threading.Thread.join)  # warm up
    return per_unit_us(units, _started_thread, threading.Thread.join)


def thread_idle_kib(units):
    """Resident memory growth per thread while `units` threads wait on an Event, KiB."""
    release = threading.Event()
    parked = threading.Barrier(units + 1)  # every thread is parked before memory is read

    def idle():
        parked.wait()
        release.wait()

    before = rss_kib()
    threads = [threading.Thread(target=idle) for _ in range(units)]
    for t in threads:
        t.start()
    parked.wait()
    kib = (rss_kib() - before) / units
    release.set()
    for t in threads:
        t.join()
    return kib
