"""run_all — start a set of workers together, then wait for every one (threads or processes).

    run_all.start_and_join(threads)        # threading.Thread or multiprocessing.Process objects
    run_all.start_and_join_processes(procs)  # the same, then exit 1 if a process did not exit 0

Every worker is started before the first join, so they all run at the same time.
"""
import sys


def start_and_join(workers):
    for w in workers:
        w.start()
    for w in workers:
        w.join()


def start_and_join_processes(processes):
    """start_and_join(); a process that did not exit 0 ends the case: "a worker failed", exit 1."""
    start_and_join(processes)
    if any(p.exitcode != 0 for p in processes):
        sys.exit("a worker failed")
