# Three coroutines on one event loop each wait one unit, announcing it with plain print() calls
# that are never flushed. Over a pipe Python buffers stdout in blocks, so every line reaches
# conkit at exit; on a terminal (stdio: pty) each line goes out when it is printed.
import asyncio
import os

UNIT_S = int(os.environ.get("CONKIT_UNIT_MS", "100")) / 1000


async def fetch(n):
    print(f"fetching {n}")
    await asyncio.sleep(UNIT_S)
    print(f"fetched {n}")


async def main():
    print("loop started")
    await asyncio.gather(*(fetch(n) for n in range(3)))
    print("all fetched")


asyncio.run(main())
