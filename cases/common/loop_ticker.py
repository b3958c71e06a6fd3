"""loop_ticker — measures how responsive an asyncio loop stays (blocking_call_in_loop, hybrid).

A task that wants to wake every `period` on a fixed schedule and records how late each wake-up
was. On a free loop the delay is the timer's overshoot (well under 5 ms here); anything that
holds the loop's thread delays the next tick by as long as it holds it.

    async with loop_ticker.ticking(u / 10) as ticker:
        ...                              # the work under test
    ticker.max_lag_s(), ticker.ticks
"""
import asyncio
import contextlib


class Ticker:
    def __init__(self, period_s):
        self.period = period_s
        self.lags = []
        self._ticked = asyncio.Event()

    @property
    def ticks(self):
        return len(self.lags)

    def max_lag_s(self):
        return max(self.lags, default=0.0)

    async def run(self):
        loop = asyncio.get_running_loop()
        due = loop.time()
        while True:
            due += self.period
            await asyncio.sleep(max(0.0, due - loop.time()))
            late = loop.time() - due
            self.lags.append(late)
            due += self.period * int(late // self.period)  # skip the ticks a stall swallowed
            self._ticked.set()

    async def next_tick(self):
        """Waits until the ticker has woken once more (at most one period on a free loop)."""
        self._ticked.clear()
        await self._ticked.wait()


@contextlib.asynccontextmanager
async def ticking(period_s):
    """A Ticker running on the current loop for the body of `async with`.

    The ticker is on its schedule before the body starts; after the body it wakes once more (a
    stall that ended just now is still measured) and stops.
    """
    ticker = Ticker(period_s)
    task = asyncio.create_task(ticker.run())
    await asyncio.sleep(0)
    yield ticker
    await ticker.next_tick()
    task.cancel()
