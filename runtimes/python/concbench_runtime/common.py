"""What every workload shares: the outcomes, the Workload interface, round timing, loops, pools, sleeps."""

import time


class Failure(Exception):
    """The work failed for a reason that fits one line: `error <reason>`."""


class Skip(Exception):
    """This runtime cannot run the workload on this machine: `skip <reason>`."""


def new_loop():
    """A fresh asyncio event loop, current for this thread (Python 3.8 and
    3.9 bind queues and events to the current loop when they are made)."""
    import asyncio

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    return loop


def close_loop(loop):
    import asyncio

    if loop is not None and not loop.is_closed():
        loop.close()
        asyncio.set_event_loop(None)


def thread_pool(workers):
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=workers)


def close_pool(pool):
    if pool is None:
        return
    try:
        pool.shutdown(wait=True, cancel_futures=True)
    except TypeError:  # Python 3.8: no cancel_futures
        pool.shutdown(wait=True)


def slept_full(sleep_ns):
    """Sleep `sleep_ns` (if any) and say whether that long really passed."""
    if sleep_ns == 0:
        return True
    began = time.monotonic_ns()
    time.sleep(sleep_ns / 1e9)
    return time.monotonic_ns() - began >= sleep_ns


class Workload:
    """One point of a scenario in this runtime. `setup(params)` builds what
    lives across samples (untimed); `run(rounds)` returns (ops, ns) with only
    the work timed; `verify()` raises Failure unless every operation so far
    really happened; `close()` tears down and must not raise."""

    def __init__(self, scenario, variant):
        self.scenario = scenario
        self.variant = variant
        # What close() tears down, so that it works after a half-done setup.
        self.pool = self.loop = self.crew = self.pin = self.peer = self.baton = None
        self.children = []

    def setup(self, params):
        raise NotImplementedError

    def run(self, rounds):
        raise NotImplementedError

    def verify(self):
        raise NotImplementedError

    def close(self):
        pass


def timed_rounds(round_fn, rounds):
    """Call `round_fn()` `rounds` times; nanoseconds it took (at least 1)."""
    started = time.perf_counter_ns()
    for _ in range(rounds):
        round_fn()
    return max(1, time.perf_counter_ns() - started)
