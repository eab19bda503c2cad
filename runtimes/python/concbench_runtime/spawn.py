"""spawn.start and spawn.sleepers (src/scenario/spawn/): start N workers, await them all."""

import threading
import time

from .children import child_init, ensure_files, ensure_tasks, join_all_ok, start_children, start_context
from .common import Failure, Workload, close_loop, close_pool, new_loop, slept_full, thread_pool, timed_rounds
from .placement import cores


def _process_worker(counter, sleep_ns):
    """A spawn worker in a child process: sleep if asked, prove by the clock
    that it slept its full time, then bump the shared counter; exit 0."""
    child_init()
    if slept_full(sleep_ns):
        with counter.get_lock():
            counter.value += 1


class Spawn(Workload):
    """A round starts N workers and awaits them all (spawn/launch.rs)."""

    def setup(self, params):
        self.workers = params["workers"]
        self.sleeps = self.scenario == "spawn.sleepers"
        self.sleep_ns = params["sleep_ms"] * 1000000 if self.sleeps else 0
        self.expected = 0  # workers started so far
        self.count = 0  # in-process workers that finished (having slept)
        self.lock = threading.Lock()
        self.shared = None
        what = "workers=%d" % self.workers
        if self.variant in ("py_process_fork", "py_process_spawn"):
            method = "fork" if self.variant == "py_process_fork" else "spawn"
            self.ctx = start_context(method)
            self.shared = self.ctx.Value("Q", 0)
            ensure_tasks(self.workers, what)
            ensure_files(self.workers + 64, what)
            self.round = self._process_round
        elif self.variant == "py_thread":
            ensure_tasks(self.workers, what)
            self.round = self._thread_round
        elif self.variant == "py_thread_pool":
            size = self.workers if self.sleeps else cores()
            self.pool = thread_pool(size)
            self.round = self._pool_round
        else:
            self.loop = new_loop()
            self.round = self._async_round

    def run(self, rounds):
        ns = timed_rounds(self._one_round, rounds)
        return (rounds if self.sleeps else rounds * self.workers), ns

    def _one_round(self):
        self.expected += self.workers
        self.round()

    def _worker(self):
        if slept_full(self.sleep_ns):
            with self.lock:
                self.count += 1

    def _thread_round(self):
        threads = []
        try:
            for _ in range(self.workers):
                thread = threading.Thread(target=self._worker, daemon=True)
                thread.start()
                threads.append(thread)
        finally:
            for thread in threads:
                thread.join()

    def _pool_round(self):
        futures = [self.pool.submit(self._worker) for _ in range(self.workers)]
        for future in futures:
            future.result()

    def _process_round(self):
        children = start_children(self.ctx, self.workers, _process_worker, (self.shared, self.sleep_ns))
        join_all_ok(children, "worker")

    def _async_round(self):
        import asyncio

        async def worker():
            began = time.monotonic_ns()
            if self.sleep_ns:
                await asyncio.sleep(self.sleep_ns / 1e9)
            if time.monotonic_ns() - began >= self.sleep_ns:
                self.count += 1

        async def gather():
            await asyncio.gather(*(worker() for _ in range(self.workers)))

        self.loop.run_until_complete(gather())

    def verify(self):
        ran = self.shared.value if self.shared is not None else self.count
        if ran != self.expected:
            slept = " having slept their full %d ms" % (self.sleep_ns // 1000000) if self.sleeps else ""
            raise Failure("%d of %d workers ran to completion%s" % (ran, self.expected, slept))

    def close(self):
        close_pool(self.pool)
        close_loop(self.loop)
