"""io.waits (src/scenario/io/waits.rs): N tasks each wait d ms r times, all at once."""

import threading
import time

from .children import child_init, ensure_files, ensure_tasks, join_all_ok, start_children, start_context
from .common import Failure, Workload, close_loop, new_loop, slept_full, timed_rounds


def _waits_child(counter, wait_ns, repeats):
    """An io.waits child: `repeats` waits one after another; adds the ones
    that lasted their full time to the shared counter; exits 0."""
    child_init()
    full = sum(1 for _ in range(repeats) if slept_full(wait_ns))
    with counter.get_lock():
        counter.value += full


class IoWaits(Workload):
    """N tasks that each wait d ms r times, all at once; a round ends when
    every task has finished."""

    def setup(self, params):
        self.tasks, self.repeats = params["tasks"], params["repeats"]
        self.wait_ns = params["wait_ms"] * 1000000
        self.expected = self.full = 0
        self.lock = threading.Lock()
        self.shared = None
        what = "tasks=%d" % self.tasks
        if self.variant == "py_process_fork":
            self.ctx = start_context("fork")
            self.shared = self.ctx.Value("Q", 0)
            ensure_files(self.tasks + 64, what)
        if self.variant != "py_asyncio":
            ensure_tasks(self.tasks, what)
        else:
            self.loop = new_loop()
        self.round = {"py_thread": self._thread_round, "py_process_fork": self._process_round,
                      "py_asyncio": self._async_round}[self.variant]

    def run(self, rounds):
        return rounds, timed_rounds(self._one_round, rounds)

    def _one_round(self):
        self.expected += self.tasks * self.repeats
        self.round()

    def _waiter(self):
        full = sum(1 for _ in range(self.repeats) if slept_full(self.wait_ns))
        with self.lock:
            self.full += full

    def _thread_round(self):
        threads = []
        try:
            for _ in range(self.tasks):
                thread = threading.Thread(target=self._waiter, daemon=True)
                thread.start()
                threads.append(thread)
        finally:
            for thread in threads:
                thread.join()

    def _process_round(self):
        children = start_children(self.ctx, self.tasks, _waits_child,
                                  (self.shared, self.wait_ns, self.repeats))
        join_all_ok(children, "waiting")

    def _async_round(self):
        import asyncio

        async def waiter():
            for _ in range(self.repeats):
                began = time.monotonic_ns()
                await asyncio.sleep(self.wait_ns / 1e9)
                if time.monotonic_ns() - began >= self.wait_ns:
                    self.full += 1

        async def gather():
            await asyncio.gather(*(waiter() for _ in range(self.tasks)))

        self.loop.run_until_complete(gather())

    def verify(self):
        full = self.shared.value if self.shared is not None else self.full
        if full != self.expected:
            raise Failure("%d of %d waits ran to completion and lasted the full %d ms"
                          % (full, self.expected, self.wait_ns // 1000000))

    def close(self):
        close_loop(self.loop)
