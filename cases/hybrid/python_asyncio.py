"""hybrid under asyncio: CPU work in a process pool keeps the event loop responsive.

--variant pool    the work runs in a ProcessPoolExecutor (fork, pinned) via loop.run_in_executor:
                  the loop's 1u/10 ticker stays on time while the work runs in another process
--variant inline  the same work runs on the loop's thread: the ticker is late by the whole work
The work is sized to about 3u on this interpreter (calibrated first) and measures its own length
(work_ms). Evidence for combine-async-procs.

    conkit run hybrid.python_asyncio.pool   # argv: the `run:` line of its .expect
"""
import argparse
import asyncio
import concurrent.futures
import multiprocessing

import conkit_facts as ck
import cpu_burn
import loop_ticker


def work(iterations):
    return cpu_burn.spin(iterations)[0]  # the work's own wall time, ms


async def main(variant, u, iterations, pool):
    loop = asyncio.get_running_loop()
    async with loop_ticker.ticking(u / 10) as ticker:  # on its schedule before the work starts
        ck.say("work started")
        if variant == "pool":
            work_ms = await loop.run_in_executor(pool, work, iterations)
        else:
            work_ms = work(iterations)
        ck.say("work finished")
    return work_ms, ticker


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--work-units", type=float, default=3.0, help="length of the CPU work, in u")
    args = ck.begin_variant("python_asyncio", ("pool", "inline"), parser)
    u = ck.unit()
    probe = 200_000
    iterations = int(probe * args.work_units * u * 1e3 / cpu_burn.spin(probe)[0])  # calibrate
    ctx = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        pool.submit(int).result()  # the worker process is up before the loop starts
        work_ms, ticker = asyncio.run(main(args.variant, u, iterations, pool))
    ck.fact("work_ms", work_ms)
    ck.fact("max_tick_lag_ms", ticker.max_lag_s() * 1e3)
    ck.fact("ticks", ticker.ticks)
    ck.say(f"{ticker.ticks} ticks, largest lag {ticker.max_lag_s() * 1e3:.1f} ms")
    ck.say("done")
