"""lock.counter (src/scenario/lock/): long-lived threads increment one counter under a lock."""

import threading
import time

from .arith import GOLDEN, LCG_ADD, LCG_MUL, MASK, lcg_jump
from .children import ensure_tasks
from .common import Failure, Workload
from .crew import Crew
from .placement import placement, worker_cpu

LOCK_SEED = GOLDEN  # the starting value of the work state inside the lock

# Each variant's lock (workloads.json lists the variants, their models and summaries).
LOCKS = {
    "py_lock": threading.Lock,
    "py_rlock": threading.RLock,
    "py_bounded_semaphore": lambda: threading.BoundedSemaphore(1),
}


class LockCounter(Workload):
    """Long-lived threads (started at setup, pinned as pinned_cores says)
    take increments of one counter from the round's budget until it is used
    up, each increment and its work inside the lock. Timed from the first
    thread's start to the last one's finish, as the Rust crew is."""

    def setup(self, params):
        self.threads, self.ops = params["threads"], params["ops"]
        self.cs_ns = params["cs_ns"]
        first, second = placement(params["pinned_cores"])
        ensure_tasks(self.threads, "threads=%d" % self.threads)
        self.lock = LOCKS[self.variant]()
        self.count = self.limit = self.ops_done = 0
        self.scratch, self.steps = LOCK_SEED, 0  # the work state, under the lock
        self.mine = [0] * self.threads  # each thread's own count, all batches
        self.began = [0] * self.threads
        self.ended = [0] * self.threads
        self.start_line = threading.Barrier(self.threads)
        cpus = [worker_cpu(first, second, i) for i in range(self.threads)]
        self.crew = Crew("lock", [self._batch] * self.threads, cpus)

    def run(self, rounds):
        budget = rounds * self.threads * self.ops
        self.limit += budget
        self.crew.batch(None)
        self.ops_done += budget
        return budget, max(1, max(self.ended) - min(self.began))

    def _batch(self, index, _job):
        self.start_line.wait()  # all begin together
        self.began[index] = time.perf_counter_ns()
        lock, limit, cs_ns, mine = self.lock, self.limit, self.cs_ns, 0
        while True:
            with lock:
                if self.count >= limit:
                    break
                self.count += 1
                if cs_ns:
                    self._critical_work(cs_ns)
            mine += 1
        self.ended[index] = time.perf_counter_ns()
        self.mine[index] += mine

    def _critical_work(self, cs_ns):
        """About cs_ns ns of work on the protected state: LCG steps until the
        clock passes the deadline (at least one), counted for verification."""
        deadline = time.perf_counter_ns() + cs_ns
        x, steps = self.scratch, 0
        while True:
            x = (x * LCG_MUL + LCG_ADD) & MASK
            steps += 1
            if time.perf_counter_ns() >= deadline:
                break
        self.scratch, self.steps = x, self.steps + steps

    def verify(self):
        done = self.ops_done
        if self.count != done:
            raise Failure("the counter reads %d after %d increments" % (self.count, done))
        if sum(self.mine) != done:
            raise Failure("the threads counted %d operations, %d were done" % (sum(self.mine), done))
        if self.cs_ns and self.steps < done:
            raise Failure("%d critical sections did only %d steps of work" % (done, self.steps))
        if self.scratch != lcg_jump(LOCK_SEED, self.steps):
            raise Failure("the work state inside the lock is not what %d steps give: updates were lost"
                          % self.steps)

    def close(self):
        if self.crew is not None:
            self.crew.close()
