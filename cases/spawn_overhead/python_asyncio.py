"""spawn_overhead under asyncio: what a task costs to create and to keep waiting.

Holds K tasks awaiting an asyncio.Event and charges the growth of resident memory to them (per
unit), then times K no-op tasks from creation to completion (per unit). Thousands of waiting
tasks fit where threads would not. A thread baseline (100 threads) from the same run makes the
ratios visible.
Evidence for async-cheap-scale.

    conkit run spawn_overhead.python_asyncio   # argv: the `run:` line of its .expect
"""
import asyncio

import conkit_facts as ck
import unit_cost


async def noop():
    pass


async def main(k):
    release = asyncio.Event()
    before = unit_cost.rss_kib()
    tasks = [asyncio.create_task(release.wait()) for _ in range(k)]
    await asyncio.sleep(0)  # every task runs up to its wait
    ck.fact("idle_kib_per_unit", (unit_cost.rss_kib() - before) / k)
    release.set()
    await asyncio.gather(*tasks)

    # Timed after the memory phase, whose freed tasks would otherwise hide the growth.
    start, cpu = ck.now_ns(), unit_cost.cpu_ns()
    await asyncio.gather(*(asyncio.create_task(noop()) for _ in range(k)))
    wall = ck.now_ns() - start
    ck.fact("per_unit_us", wall / 1e3 / k)
    ck.fact("timing_cpu_share", (unit_cost.cpu_ns() - cpu) / wall)  # see unit_cost


if __name__ == "__main__":
    k = unit_cost.begin_units("python_asyncio", 10_000)
    ck.fact("thread_idle_kib_per_unit", unit_cost.thread_idle_kib(100))
    ck.fact("thread_per_unit_us", unit_cost.thread_per_unit_us(100))
    asyncio.run(main(k))
    ck.say(f"{k} tasks created, waited and finished")
    ck.say("done")
