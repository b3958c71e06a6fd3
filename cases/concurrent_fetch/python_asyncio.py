"""concurrent_fetch under asyncio: N tasks that each await a 1u sleep overlap on the loop thread.

Prints the lines of the asyncio example in article 003; both tasks start before either finishes
and all end in about 1u, not N*u. Evidence for async-concurrent-io and async-single-thread.

    conkit run concurrent_fetch.python_asyncio   # argv: the `run:` line of its .expect
"""
import argparse
import asyncio
import os
import threading

import conkit_facts as ck

stamps = []  # (start_ns, end_ns) per task, inner stamps


async def fetch_data(u):
    start = ck.now_ns()
    ck.say("Fetching data...")
    await asyncio.sleep(u)  # the I/O wait
    ck.say("Data fetched!")
    stamps.append((start, ck.now_ns()))
    ck.fact("tid", threading.get_native_id())
    ck.fact("pid", os.getpid())


async def main(n, u):
    ck.say("Starting async tasks...")
    tasks = [asyncio.create_task(fetch_data(u)) for _ in range(n)]
    for task in tasks:
        await task
    ck.say("Async tasks completed!")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2, help="tasks")
    n = parser.parse_args().n
    ck.begin("python_asyncio")
    ck.fact("n", n)
    asyncio.run(main(n, ck.unit()))
    ck.fact("span_ms", (max(e for _, e in stamps) - min(s for s, _ in stamps)) / 1e6)
