"""Crew: long-lived, optionally pinned threads released one batch at a time."""

import threading
import time

from .common import Failure
from .placement import pin_current


class Crew:
    """Long-lived threads started once (untimed), each pinned first where
    asked, that run one batch at a time: `batch(job)` releases all of them
    to run `body(index, job)` and waits until every one has finished. A body
    that raises ends its batch with a Failure instead of a hang."""

    def __init__(self, name, bodies, cpus):
        self.cond = threading.Condition()
        self.generation = 0
        self.running = 0
        self.stopping = False
        self.failure = None
        self.job = None
        self.pinned = threading.Semaphore(0)
        self.pin_errors = []
        self.threads = []
        try:
            for index, (body, cpu) in enumerate(zip(bodies, cpus)):
                thread = threading.Thread(target=self._serve, args=(index, body, cpu),
                                          name="%s-%d" % (name, index), daemon=True)
                thread.start()
                self.threads.append(thread)
        except BaseException:
            self.close()
            raise
        for _ in self.threads:
            self.pinned.acquire()
        if self.pin_errors:
            self.close()
            raise Failure(self.pin_errors[0])

    def _serve(self, index, body, cpu):
        try:
            pin_current(cpu)
        except OSError as error:
            self.pin_errors.append("pinning a thread to CPU %s: %s" % (cpu, error))
            self.pinned.release()
            return
        self.pinned.release()
        seen = 0
        while True:
            with self.cond:
                while self.generation == seen and not self.stopping:
                    self.cond.wait()
                if self.stopping:
                    return
                seen, job = self.generation, self.job
            self._run_body(body, index, job)

    def _run_body(self, body, index, job):
        try:
            body(index, job)
        except BaseException as error:  # reported by batch()
            with self.cond:
                if self.failure is None:
                    self.failure = "%s: %s" % (type(error).__name__, error)
        with self.cond:
            self.running -= 1
            if self.running == 0:
                self.cond.notify_all()

    def batch(self, job):
        with self.cond:
            self.job = job
            self.generation += 1
            self.running = len(self.threads)
            self.cond.notify_all()
            while self.running > 0:
                self.cond.wait()
            failure, self.failure = self.failure, None
        if failure is not None:
            raise Failure("a worker thread failed: %s" % failure)

    def close(self, timeout=2.0):
        with self.cond:
            self.stopping = True
            self.cond.notify_all()
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
