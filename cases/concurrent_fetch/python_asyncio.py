"""concurrent_fetch under asyncio: N tasks that each await a 1u sleep overlap on the loop thread.

Prints the lines of the asyncio example in article 003; both tasks start before either finishes
and all end in about 1u, not N*u. Evidence for async-concurrent-io and async-single-thread.

    conkit run concurrent_fetch.python_asyncio   # argv: the `run:` line of its .expect
"""
import asyncio

import conkit_facts as ck
import task_span

span = task_span.TaskSpan()


async def fetch_data(u):
    with span.task():
        ck.say("Fetching data...")
        await asyncio.sleep(u)  # the I/O wait
        ck.say("Data fetched!")
    task_span.record_runner()


async def main(n, u):
    ck.say("Starting async tasks...")
    tasks = [asyncio.create_task(fetch_data(u)) for _ in range(n)]
    for task in tasks:
        await task
    ck.say("Async tasks completed!")


if __name__ == "__main__":
    n = task_span.begin_tasks("python_asyncio", "tasks")
    asyncio.run(main(n, ck.unit()))
    ck.fact("span_ms", span.ms())
