"""concurrent_fetch under asyncio: N tasks that each await a 1u sleep overlap on the loop thread.

Prints the lines of the asyncio example in article 003; both tasks start before either finishes
and all end in about 1u, not N*u. Evidence for async-concurrent-io and async-single-thread.

    conkit check --expect expected/concurrent_fetch/python_asyncio.expect -- \
        python3 cases/concurrent_fetch/python_asyncio.py --n 2
"""
import argparse
import asyncio
import os
import sys
import threading

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import conkit_facts as ck  # noqa: E402

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
