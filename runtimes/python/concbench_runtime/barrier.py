"""sync.barrier (src/scenario/sync/barrier.rs): k long-lived threads pass one threading.Barrier each round."""

import threading
import time

from .children import ensure_tasks
from .common import Failure, Workload
from .crew import Crew


class SyncBarrier(Workload):
    """k long-lived threads (started at setup) each pass one
    threading.Barrier(k) once a round. A thread counts itself in (its own
    slot) before it waits; the barrier's action, which the last one in runs
    before anyone is released, counts the generation and checks that all k
    had counted in; once through, each thread checks that the generation it
    was released in is the one it waited for. Timed from the crew's release
    to the last thread through its last barrier."""

    def setup(self, params):
        self.barrier = None
        self.threads = k = params["threads"]
        ensure_tasks(k, "threads=%d" % k)
        self.rounds_done = 0
        self.arrived = [0] * k  # each thread's arrivals: the last round it counted itself in for
        self.passes = [0] * k  # barriers each thread got through, all runs
        self.leaders = [0] * k  # rounds in which it was handed index 0
        self.early = [0] * k  # times it got through in a generation not its own
        self.ended = [0] * k  # when it got through its last barrier of the run
        self.generations = 0  # counted by the barrier's action, one per round
        self.short = 0  # generations the action saw released before all k were in
        self.barrier = threading.Barrier(k, action=self._released)
        self.crew = Crew("barrier", [self._meet] * k, [None] * k)

    def _released(self):
        """The barrier's action: run by the last thread in, under the
        barrier's lock, before any thread of the generation is released."""
        self.generations += 1
        if min(self.arrived) < self.generations:
            self.short += 1

    def _meet(self, index, job):
        """One crew thread's share of a run: count in, wait, check, per round."""
        first, rounds = job
        barrier, arrived = self.barrier, self.arrived
        passed = led = early = 0
        round_ = first
        try:
            for round_ in range(first, first + rounds):
                arrived[index] = round_ + 1
                if barrier.wait() == 0:
                    led += 1
                passed += 1
                # The action of this round ran before the release, and the
                # next one cannot run before this thread is back in.
                if self.generations != round_ + 1:
                    early += 1
        except threading.BrokenBarrierError:
            raise Failure("thread %d: the barrier broke in round %d" % (index, round_ + 1)) from None
        except BaseException:
            barrier.abort()  # the others get BrokenBarrierError instead of a hang
            raise
        finally:
            self.ended[index] = time.perf_counter_ns()
            self.passes[index] += passed
            self.leaders[index] += led
            self.early[index] += early

    def run(self, rounds):
        started = time.perf_counter_ns()
        self.crew.batch((self.rounds_done, rounds))
        ns = max(1, max(self.ended) - started)
        self.rounds_done += rounds
        return rounds, ns

    def verify(self):
        rounds, k = self.rounds_done, self.threads
        if self.barrier.broken:
            raise Failure("the barrier is broken")
        for index, passes in enumerate(self.passes):
            if passes != rounds:
                raise Failure("thread %d passed the barrier %d times in %d rounds" % (index, passes, rounds))
        if self.generations != rounds:
            raise Failure("the barrier's action counted %d generations in %d rounds"
                          % (self.generations, rounds))
        if self.short:
            raise Failure("%d generations were released before all %d threads had arrived" % (self.short, k))
        early = sum(self.early)
        if early:
            raise Failure("%d times a thread got through before all %d had arrived" % (early, k))
        leaders = sum(self.leaders)
        if leaders != rounds:
            raise Failure("%d threads were handed index 0 in %d rounds" % (leaders, rounds))
        arrivals = sum(self.arrived)
        if arrivals != k * rounds:
            raise Failure("%d arrivals, %d expected" % (arrivals, k * rounds))

    def close(self):
        barrier = getattr(self, "barrier", None)
        if barrier is not None:
            barrier.abort()  # frees any thread still waiting at it
        if self.crew is not None:
            self.crew.close()
