"""pattern.futures (src/scenario/pattern/messaging/futures.rs, work.rs): uneven tasks on a pool."""

import time

from .arith import LCG_ADD, LCG_MUL, MASK, checksum, lcg_jump
from .common import Failure, Workload, close_pool, thread_pool
from .placement import cores

SPIN_BLOCK = 8  # LCG steps between two clock reads (Rust: 64, ~8x cheaper each)


def spin_seed(length_ns):
    return checksum(length_ns, 0x5EED)


def spin(length_ns):
    """Busy CPU work for `length_ns`: LCG steps until the time is up;
    (steps, state) prove how many were taken (`Spun`)."""
    state = spin_seed(length_ns)
    if length_ns == 0:
        return 0, state
    deadline = time.perf_counter_ns() + length_ns
    steps = 0
    while True:
        for _ in range(SPIN_BLOCK):
            state = (state * LCG_MUL + LCG_ADD) & MASK
        steps += SPIN_BLOCK
        if time.perf_counter_ns() >= deadline:
            return steps, state


def spin_proves(length_ns, steps, state):
    """Whether (steps, state) is what a spin of `length_ns` leaves."""
    return (steps > 0) != (length_ns == 0) and state == lcg_jump(spin_seed(length_ns), steps)


def futures_task(length_ns, index, round_no):
    """One task: spin its length, return (index, value, steps) (`TaskResult`)."""
    steps, state = spin(length_ns)
    return index, checksum(index, round_no) ^ state, steps


class PatternFutures(Workload):
    """K tasks of uneven CPU length submitted at once to a thread pool of one
    thread per CPU; results collected as they complete or in order."""

    def setup(self, params):
        self.tasks, self.spread = params["tasks"], params["spread"]
        self.unit_ns = params["unit_us"] * 1000
        self.lengths = [self.unit_ns * self.units(i) for i in range(self.tasks)]
        self.pool = thread_pool(cores())
        self.rounds = self.collected = 0
        self.problem = None

    def units(self, index):
        """Length of task `index` in units: `spread` for task 0, down to 1."""
        return self.spread - ((index * 7919) & MASK) % self.spread

    def run(self, rounds):
        ns = 0
        for _ in range(rounds):
            round_no = self.rounds
            self.rounds += 1
            results, took = self._round(round_no)
            ns += took
            self._check(round_no, results)
        return rounds * self.tasks, max(1, ns)

    def _round(self, round_no):
        """Submit every task and collect their results; (results, ns from the
        first submission to the last result)."""
        from concurrent.futures import as_completed

        started = time.perf_counter_ns()
        if self.variant == "py_as_completed":
            futures = [self.pool.submit(futures_task, self.lengths[i], i, round_no)
                       for i in range(self.tasks)]
            results = [future.result() for future in as_completed(futures)]
        else:
            results = list(self.pool.map(futures_task, self.lengths, range(self.tasks),
                                         [round_no] * self.tasks))
        return results, time.perf_counter_ns() - started

    def _check(self, round_no, results):
        """Each task's result once, with its checksum and spin proof (`check_results`)."""
        seen = [False] * self.tasks
        for index, value, steps in results:
            fresh = 0 <= index < self.tasks and not seen[index]
            if fresh:
                seen[index] = True
                state = value ^ checksum(index, round_no)
                if spin_proves(self.lengths[index], steps, state):
                    self.collected += 1
                    continue
            self._note("round %d: result of task %d was %#x after %d spin steps: wrong, duplicated, "
                       "unknown or not spun" % (round_no, index, value, steps))
        if not all(seen):
            self._note("round %d: no result from task %d" % (round_no, seen.index(False)))

    def _note(self, problem):
        if self.problem is None:
            self.problem = problem

    def verify(self):
        if self.problem is not None:
            raise Failure(self.problem)
        expected = self.rounds * self.tasks
        if self.collected != expected:
            raise Failure("%d of %d results were collected" % (self.collected, expected))

    def close(self):
        close_pool(self.pool)
