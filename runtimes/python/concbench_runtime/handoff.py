"""sync.handoff (src/scenario/sync/handoff.rs, baton.rs, relay.rs): two sides pass a turn."""

import threading
import time

from .common import Failure, Workload, close_loop, new_loop
from .crew import Crew
from .placement import placement

PING, PONG = 0, 1


class ConditionBaton:
    """Lock + Condition over whose turn it is: wait for my turn, set the
    other's, notify."""

    def __init__(self):
        self.cond = threading.Condition(threading.Lock())
        self.holder = PING
        self.stopped = False

    def pass_to(self, side):
        with self.cond:
            self.holder = side
            self.cond.notify()

    def take(self, side):
        with self.cond:
            self.cond.wait_for(lambda: self.holder == side or self.stopped)
            return not self.stopped

    def shutdown(self):
        with self.cond:
            self.stopped = True
            self.cond.notify_all()


class SemaphoreBaton:
    """Two threading.Semaphore(0), one per side: passing releases the other's."""

    def __init__(self):
        self.turns = (threading.Semaphore(0), threading.Semaphore(0))
        self.stopped = False

    def pass_to(self, side):
        self.turns[side].release()

    def take(self, side):
        self.turns[side].acquire()
        return not self.stopped

    def shutdown(self):
        self.stopped = True
        for turn in self.turns:
            turn.release()


class EventBaton:
    """Two threading.Event: set the other's, wait for and clear one's own."""

    def __init__(self):
        self.turns = (threading.Event(), threading.Event())
        self.stopped = False

    def pass_to(self, side):
        self.turns[side].set()

    def take(self, side):
        self.turns[side].wait()
        self.turns[side].clear()
        return not self.stopped

    def shutdown(self):
        self.stopped = True
        for turn in self.turns:
            turn.set()


class SyncHandoff(Workload):
    """Two long-lived sides pass a turn back and forth; each counts the
    turns it received. The ping side (0) passes first."""

    BATONS = {"py_condition": ConditionBaton, "py_semaphore": SemaphoreBaton, "py_event": EventBaton}

    def setup(self, params):
        self.round_trips = params["round_trips"]
        pinned = params["pinned_cores"]
        self.received = [0, 0]
        self.trips_done = 0
        if self.variant == "py_asyncio_event":
            if pinned:
                raise Failure("pinned_cores=%d pins threads, but py_asyncio_event runs both sides on "
                              "one event loop: use pinned_cores = 0 for it" % pinned)
            self.loop = new_loop()
            self.events = self.loop.run_until_complete(self._make_events())
            return
        first, second = placement(pinned)
        self.baton = self.BATONS[self.variant]()
        self.crew = Crew("handoff", [self._side, self._side], [first, second])

    def run(self, rounds):
        trips = rounds * self.round_trips
        started = time.perf_counter_ns()
        if self.loop is not None:
            self.loop.run_until_complete(self._async_batch(trips))
        else:
            self.crew.batch(trips)
        ns = max(1, time.perf_counter_ns() - started)
        self.trips_done += trips
        return 2 * trips, ns

    def _side(self, side, trips):
        baton, got = self.baton, 0
        if side == PING:
            for _ in range(trips):
                baton.pass_to(PONG)
                if not baton.take(PING):
                    break
                got += 1
        else:
            for _ in range(trips):
                if not baton.take(PONG):
                    break
                got += 1
                baton.pass_to(PING)
        self.received[side] += got

    @staticmethod
    async def _make_events():
        import asyncio

        return (asyncio.Event(), asyncio.Event())

    async def _async_batch(self, trips):
        import asyncio

        await asyncio.gather(self._async_ping(trips), self._async_pong(trips))

    async def _async_ping(self, trips):
        events, got = self.events, 0
        for _ in range(trips):
            events[PONG].set()
            await events[PING].wait()
            events[PING].clear()
            got += 1
        self.received[PING] += got

    async def _async_pong(self, trips):
        events, got = self.events, 0
        for _ in range(trips):
            await events[PONG].wait()
            events[PONG].clear()
            got += 1
            events[PING].set()
        self.received[PONG] += got

    def verify(self):
        ping, pong = self.received
        expected = self.trips_done
        if ping != expected or pong != expected:
            raise Failure("%d of %d hand-offs arrived: the pong side received %d turns and the ping "
                          "side %d, %d each expected"
                          % (ping + pong, 2 * expected, pong, ping, expected))

    def close(self):
        if self.baton is not None:
            self.baton.shutdown()
        if self.crew is not None:
            self.crew.close()
        close_loop(self.loop)
