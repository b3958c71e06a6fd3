"""blocking_call_in_loop under asyncio: one blocking call in a coroutine stalls every other task.

--variant await     each task awaits asyncio.sleep(1u): the waits overlap, all end in about 1u
--variant blocking  each task calls time.sleep(1u): the loop runs nothing else meanwhile, so the
                    tasks run one after another (about N*u) and a 1u/10 ticker is late by ~1u
The ticker's largest delay is the loop lag. Evidence for async-blocking-stalls.

    conkit run blocking_call_in_loop.python_asyncio.blocking   # argv: the `run:` line of its .expect
"""
import argparse
import asyncio
import time

import conkit_facts as ck
import loop_ticker

stamps = []  # (start_ns, end_ns) per task


async def fetch_data(u, blocking):
    start = ck.now_ns()
    ck.say("Fetching data...")
    if blocking:
        time.sleep(u)  # blocks the loop's only thread
    else:
        await asyncio.sleep(u)
    ck.say("Data fetched!")
    stamps.append((start, ck.now_ns()))


async def main(n, u, blocking):
    async with loop_ticker.ticking(u / 10) as ticker:  # on its schedule before the tasks start
        ck.say("Starting async tasks...")
        await asyncio.gather(*(fetch_data(u, blocking) for _ in range(n)))
        ck.say("Async tasks completed!")
    return ticker.max_lag_s()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2, help="tasks")
    args = ck.begin_variant("python_asyncio", ("await", "blocking"), parser)
    ck.fact("n", args.n)
    lag_s = asyncio.run(main(args.n, ck.unit(), args.variant == "blocking"))
    ck.fact("span_ms", (max(e for _, e in stamps) - min(s for s, _ in stamps)) / 1e6)
    ck.fact("loop_lag_ms", lag_s * 1e3)
