# A process pool (start method pinned to spawn) runs three one-unit jobs; the parent prints each
# result as it completes, with plain print() calls that are never flushed. Over a pipe Python
# buffers stdout in blocks, so every line reaches conkit at exit; on a terminal (stdio: pty) each
# line goes out when it is printed.
import multiprocessing
import os
import time

UNIT_S = int(os.environ.get("CONKIT_UNIT_MS", "100")) / 1000
JOBS = 3


def wait_until_all_started(barrier):
    barrier.wait()


def job(n):
    time.sleep(UNIT_S)
    return n


if __name__ == "__main__":
    ctx = multiprocessing.get_context("spawn")
    # Interpreter start-up is not the job's time: the parent prints "pool ready" only once every
    # worker has started and met it at the barrier.
    started = ctx.Barrier(JOBS + 1)
    with ctx.Pool(JOBS, initializer=wait_until_all_started, initargs=(started,)) as pool:
        started.wait()
        print("pool ready")
        for n in pool.imap_unordered(job, range(JOBS)):
            print(f"job {n} finished")
    print("pool closed")
