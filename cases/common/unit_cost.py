"""unit_cost — what one unit of concurrency costs, for the Python spawn_overhead cases.

    import unit_cost
    k = unit_cost.begin_units("python_threading", 100)   # --units; ck.begin; fact units
    unit_cost.rss_kib()                 # this process's resident memory, KiB
    unit_cost.pss_kib(pid)              # a process's proportional share (shared pages split), KiB
    unit_cost.thread_per_unit_us(100)   # start + join of one no-op thread, us (the baseline)
    us, share = unit_cost.timed_per_unit(100, start, finish)   # per_unit_us and its CPU share
    unit_cost.thread_idle_kib(100)      # resident memory of one thread parked on an Event, KiB

Memory is measured before any timing: units that were created and freed leave reusable memory
(allocator arenas, cached thread stacks) that would hide the growth.

Process memory is measured as PSS, not RSS: a forked child shares most pages with its parent,
and PSS charges each process only its share of them.

A wall-clock cost says little when the process waited for a core meanwhile: under two busy
neighbours on two cores, starting and joining 100 threads took 4017 us each once instead of about
60. The CPU share of the timing (this process's and its reaped children's CPU seconds per wall
second, fact `timing_cpu_share`) shows it: 1.2 for threads, 1.45-1.55 for fork, 1.0 for asyncio
here when quiet; 0.06 and 0.08 in the thread runs that waited under that load. The claims count
only runs at 0.8 or more (`evidence_if` in expected/claims.json).
"""
import argparse
import os
import resource
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


def cpu_ns():
    """CPU time of this process and its reaped children (user + system), ns."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return int((own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime) * 1e9)


def timed_per_unit(units, start, finish):
    """Calls start() `units` times, then finish() on each result; returns (us per unit, CPU share:
    CPU seconds per wall second of this process and its reaped children meanwhile)."""
    t0, c0 = time.monotonic_ns(), cpu_ns()
    handles = [start() for _ in range(units)]
    for h in handles:
        finish(h)
    wall = time.monotonic_ns() - t0
    return wall / 1e3 / units, (cpu_ns() - c0) / max(wall, 1)


def per_unit_us(units, start, finish):
    """timed_per_unit's us per unit alone."""
    return timed_per_unit(units, start, finish)[0]


def _started_thread():
    t = threading.Thread(target=lambda: None)
    t.start()
    return t


def thread_per_unit(units):
    """The baseline every model is compared with: a no-op thread, created, started and joined;
    returns (us per unit, CPU share of the timing)."""
    per_unit_us(4, _started_thread, threading.Thread.join)  # warm up
    return timed_per_unit(units, _started_thread, threading.Thread.join)


def thread_per_unit_us(units):
    return thread_per_unit(units)[0]


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
