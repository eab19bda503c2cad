"""cpu.split: Monte-Carlo chunks split over k threads, pools, processes or asyncio tasks."""

import threading
import time

from .children import child_init, ensure_files, ensure_tasks, join_all_ok, reap, start_context
from .common import Failure, Workload, close_loop, close_pool, new_loop, thread_pool, timed_rounds
from .montecarlo import check_known_tally, chunk_tally, range_tally, share, share_tally, tally_add


def _pool_share(job):
    """A process-pool task: one share's tally (module level, so picklable)."""
    return share_tally(*job)


def _cpu_child(writer, chunks, workers, worker, points):
    """A `py_process` child: compute one share, send its tally, exit 0."""
    child_init()
    writer.send(share_tally(chunks, workers, worker, points))
    writer.close()


class CpuSplit(Workload):
    """One round computes `chunks` chunks split over k workers; each round's
    tally is checked against the serial reference (`RoundCheck`)."""

    def setup(self, params):
        self.k, self.chunks, self.points = params["k"], params["chunks"], params["points"]
        check_known_tally()
        self.expected = range_tally(0, self.chunks, self.points)  # untimed
        self.rounds = self.mismatches = 0
        self.first_mismatch = None
        what = "k=%d" % self.k
        variant = self.variant
        if variant in ("py_thread", "py_process"):
            ensure_tasks(self.k, what)
        if variant == "py_thread_pool":
            self.pool = thread_pool(self.k)
        elif variant in ("py_process", "py_process_pool"):
            self.ctx = start_context("fork")
            ensure_files(2 * self.k + 64, what)
        if variant == "py_process_pool":
            self.pool = self.ctx.Pool(self.k, initializer=child_init, initargs=(None, True))
            self.pool_pids = sorted(p.pid for p in self.pool._pool)
        elif variant == "py_asyncio":
            self.loop = new_loop()
        self.round = getattr(self, "_" + variant[3:])

    def run(self, rounds):
        ns = timed_rounds(self._checked_round, rounds)
        return rounds * self.chunks, ns

    def _checked_round(self):
        got = self.round()
        self.rounds += 1
        if got != self.expected:
            self.mismatches += 1
            if self.first_mismatch is None:
                self.first_mismatch = (self.rounds, got)

    def _serial(self):
        return range_tally(0, self.chunks, self.points)

    def _thread(self):
        parts = [None] * self.k

        def work(worker):
            parts[worker] = share_tally(self.chunks, self.k, worker, self.points)

        threads = [threading.Thread(target=work, args=(w,), daemon=True) for w in range(self.k)]
        try:
            for thread in threads:
                thread.start()
        finally:
            for thread in threads:
                if thread.ident is not None:
                    thread.join()
        return self._sum(parts, "thread")

    def _thread_pool(self):
        futures = [self.pool.submit(share_tally, self.chunks, self.k, w, self.points)
                   for w in range(self.k)]
        return self._sum([f.result() for f in futures], "task")

    def _process(self):
        children, readers = [], []
        try:
            for worker in range(self.k):
                reader, writer = self.ctx.Pipe(duplex=False)
                readers.append(reader)
                child = self.ctx.Process(target=_cpu_child, daemon=True, args=(
                    writer, self.chunks, self.k, worker, self.points))
                child.start()
                children.append(child)
                writer.close()
            parts = [self._receive(reader) for reader in readers]
        except BaseException:
            reap(children)
            raise
        finally:
            for reader in readers:
                reader.close()
        join_all_ok(children, "cpu worker")
        return self._sum(parts, "child")

    @staticmethod
    def _receive(reader):
        try:
            return reader.recv()
        except EOFError:
            return None  # the child died first: named by join_all_ok

    def _process_pool(self):
        jobs = [(self.chunks, self.k, w, self.points) for w in range(self.k)]
        result = self.pool.map_async(_pool_share, jobs, chunksize=1)
        # multiprocessing.Pool replaces a member that dies and never answers
        # its task: look at the members while waiting, rather than hang.
        while not result.ready():
            result.wait(0.1)
            self._check_pool()
        return self._sum(result.get(), "task")

    def _check_pool(self):
        pids = sorted(p.pid for p in self.pool._pool)
        dead = [p for p in self.pool._pool if p.exitcode is not None]
        if pids != self.pool_pids or dead:
            raise Failure("a member of the process pool died (pids %s, now %s)" % (self.pool_pids, pids))

    def _asyncio(self):
        import asyncio

        async def worker(w):
            tally = (0, 0, 0)
            start, end = share(self.chunks, self.k, w)
            for index in range(start, end):
                tally = tally_add(tally, chunk_tally(index, self.points))
                await asyncio.sleep(0)  # take turns after each chunk, as tokio's yield_now
            return tally

        async def gather():
            return await asyncio.gather(*(worker(w) for w in range(self.k)))

        return self._sum(self.loop.run_until_complete(gather()), "task")

    @staticmethod
    def _sum(parts, what):
        total = (0, 0, 0)
        for index, part in enumerate(parts):
            if part is None:
                raise Failure("%s %d returned no tally" % (what, index))
            total = tally_add(total, tuple(part))
        return total

    def verify(self):
        if self.rounds == 0:
            raise Failure("no round was checked")
        if self.first_mismatch is not None:
            round_no, got = self.first_mismatch
            raise Failure("%d of %d rounds gave the wrong checksum; round %d gave %s, the serial "
                          "reference is %s"
                          % (self.mismatches, self.rounds, round_no, got, self.expected))
        if self.variant == "py_process_pool":
            self._check_pool()

    def close(self):
        if self.variant == "py_process_pool" and self.pool is not None:
            self._close_process_pool()
        else:
            close_pool(self.pool)
        close_loop(self.loop)

    def _close_process_pool(self):
        pool, members = self.pool, list(self.pool._pool)
        pids = sorted(p.pid for p in members)
        if pids != self.pool_pids or any(p.exitcode is not None for p in members):
            # A member died, perhaps holding the task queue's read lock (idle
            # members wait for tasks holding it): Pool.terminate() and its
            # exit-time finaliser would block on that lock for ever. Stop the
            # pool's worker handler (no more replacements), kill the members
            # and abandon the pool's other (daemon) handler threads.
            from multiprocessing import pool as mp_pool

            pool._worker_handler._state = mp_pool.TERMINATE
            pool._terminate.cancel()
            for member in members:
                member.kill()
            pool._worker_handler.join(1.0)
            for member in list(pool._pool) + members:
                if member.exitcode is None:
                    member.kill()
                member.join(1.0)
            return
        pool.close()  # idle members take their sentinel and exit 0
        deadline = time.monotonic() + 2.0
        for member in members:
            member.join(max(0.0, deadline - time.monotonic()))
        pool.terminate()  # any left over
        pool.join()
