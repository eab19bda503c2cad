"""queue.bounded (src/scenario/queue/): producers send checked messages through a bounded queue."""

import multiprocessing.connection
import queue
import threading
import time

from .children import describe_exit, ensure_files, ensure_tasks, reap, start_context
from .common import Failure, Workload, close_loop, new_loop
from .crew import Crew
from .placement import MainPin, placement
from .queue_messages import (
    STOP_RANK,
    STOP_TAG,
    Ledger,
    describe_reject,
    payload_of,
    queue_rank,
    take_messages,
)
from .queue_procs import mpq_consumer, mpq_producer


class MarkersUnderLifo(queue.LifoQueue):
    """queue.LifoQueue whose end-of-round markers go underneath (as Rust's
    condvar_lifo does), so that they come out after every message."""

    def _put(self, item):
        if item[-2] == STOP_TAG:
            self.queue.insert(0, item)
        else:
            self.queue.append(item)


class QueueBounded(Workload):
    """Producers send messages through a bounded queue to consumers; every
    message arrives once, intact. Threads and processes are long-lived and
    released round by round; the asyncio variant runs its producer and
    consumer tasks per round on one loop."""

    def setup(self, params):
        self.p, self.c = params["producers"], params["consumers"]
        self.m, self.capacity = params["messages"], params["capacity"]
        payload_bytes = params["payload_bytes"]
        if payload_bytes not in (8, 1024):
            raise Failure("payload_bytes = %d: messages are 8 or 1024 bytes only (as in the Rust "
                          "scenario)" % payload_bytes)
        self.words = payload_bytes // 8
        self.first, self.second = placement(params["pinned_cores"])
        self.ledger = Ledger(self.p, self.m, self.c)
        self.rounds = 0
        self.ranked = self.variant == "py_priority_queue"
        self.stop_item = (STOP_RANK, STOP_TAG, b"") if self.ranked else (STOP_TAG, b"")
        getattr(self, "_setup_" + self.variant[3:])()

    def run(self, rounds):
        started = time.perf_counter_ns()
        for _ in range(rounds):
            self.round()
            self.rounds += 1
        return rounds * self.p * self.m, max(1, time.perf_counter_ns() - started)

    def verify(self):
        self.ledger.check(self.rounds)

    # Thread variants: queue.Queue, LifoQueue, PriorityQueue.

    def _setup_queue(self):
        self._thread_setup(queue.Queue(maxsize=self.capacity))

    def _setup_lifo_queue(self):
        self._thread_setup(MarkersUnderLifo(maxsize=self.capacity))

    def _setup_priority_queue(self):
        self._thread_setup(queue.PriorityQueue(maxsize=self.capacity))

    def _thread_setup(self, items):
        ensure_tasks(self.p + self.c, "producers=%d,consumers=%d" % (self.p, self.c))
        self.items = items
        self.producers_left = self.p
        self.left_lock = threading.Lock()
        bodies = [self._produce] * self.p + [self._consume] * self.c
        cpus = [self.first] * self.p + [self.second] * self.c
        self.crew = Crew("queue", bodies, cpus)
        self.round = lambda: self.crew.batch(None)

    def _last_producer(self):
        with self.left_lock:
            self.producers_left -= 1
            if self.producers_left:
                return False
            self.producers_left = self.p
            return True

    def _produce(self, index, _job):
        put, words, ranked = self.items.put, self.words, self.ranked
        try:
            for sequence in range(self.m):
                tag = (index << 32) | sequence
                if ranked:
                    put((queue_rank(tag), tag, payload_of(tag, words)))
                else:
                    put((tag, payload_of(tag, words)))
        finally:
            # Even after a failure: the last producer sends the markers.
            if self._last_producer():
                for _ in range(self.c):
                    put(self.stop_item)

    def _consume(self, _index, _job):
        got, faults, first = take_messages(self.items.get, self.p, self.m, self.words,
                                           lambda tag: tag == STOP_TAG)
        self.ledger.merge(got, faults, first)

    # py_mp_queue: producer and consumer processes.

    def _setup_mp_queue(self):
        ctx = start_context("fork")
        ensure_tasks(self.p + self.c, "producers=%d,consumers=%d" % (self.p, self.c))
        ensure_files(4 * (self.p + self.c) + 64, "producers=%d,consumers=%d" % (self.p, self.c))
        self.items = ctx.Queue(self.capacity)
        ends = ctx.Value("l", 0)
        shape = (self.p, self.c, self.m, self.words)
        self.controls = []
        for index in range(self.p + self.c):
            mine, theirs = ctx.Pipe()
            if index < self.p:
                target, args = mpq_producer, (theirs, self.items, index, self.m, self.words, self.first)
            else:
                target, args = mpq_consumer, (theirs, self.items, ends, shape, self.second)
            child = ctx.Process(target=target, args=args, daemon=True)
            child.start()
            theirs.close()
            self.children.append(child)
            self.controls.append(mine)
        self.round = self._mp_round

    def _mp_round(self):
        pending = dict(zip(self.controls, self.children))
        for control, child in pending.items():
            self._mp_talk(child, control.send, self.rounds + 1)
        sentinels = {child.sentinel: child for child in self.children}
        while pending:
            ready = multiprocessing.connection.wait(list(pending) + list(sentinels))
            for source in ready:
                if source in sentinels:
                    self._mp_died(sentinels[source])
                self._mp_report(self._mp_talk(pending[source], source.recv))
                del pending[source]

    def _mp_talk(self, child, call, *args):
        """A call on a child's control pipe; a broken pipe names the child."""
        try:
            return call(*args)
        except (EOFError, OSError):
            self._mp_died(child)

    @staticmethod
    def _mp_died(child):
        child.join(1.0)
        how = describe_exit(child) if child.exitcode is not None else "stopped answering"
        raise Failure("queue process %d %s in the middle of a round" % (child.pid, how))

    def _mp_report(self, report):
        if report[0] == "got":
            _, got, faults, first = report
            self.ledger.merge(bytearray(got), faults, first)

    # py_asyncio_queue: asyncio.Queue, producer and consumer tasks.

    def _setup_asyncio_queue(self):
        self.pin = MainPin(self.first)  # the loop's one thread, as tokio pins its workers
        self.loop = new_loop()
        self.items = self.loop.run_until_complete(self._make_async_queue())
        self.producers_left = self.p
        self.round = lambda: self.loop.run_until_complete(self._async_round())

    async def _make_async_queue(self):
        import asyncio

        return asyncio.Queue(self.capacity)

    async def _async_round(self):
        import asyncio

        await asyncio.gather(*[self._async_produce(i) for i in range(self.p)],
                             *[self._async_consume() for _ in range(self.c)])

    async def _async_produce(self, index):
        put, words = self.items.put, self.words
        for sequence in range(self.m):
            tag = (index << 32) | sequence
            await put((tag, payload_of(tag, words)))
        self.producers_left -= 1
        if self.producers_left == 0:
            self.producers_left = self.p
            for _ in range(self.c):
                await put(self.stop_item)

    async def _async_consume(self):
        get, words = self.items.get, self.words
        got = bytearray(self.p * self.m)
        faults, first = 0, None
        while True:
            tag, payload = await get()
            if tag == STOP_TAG:
                break
            producer, sequence = tag >> 32, tag & 0xFFFFFFFF
            if producer < self.p and sequence < self.m:
                index = producer * self.m + sequence
                if not got[index] and payload == payload_of(tag, words):
                    got[index] = 1
                    continue
            faults += 1
            if first is None:
                first = describe_reject(tag, payload, self.p, self.m, got)
        self.ledger.merge(got, faults, first)

    def close(self):
        if self.crew is not None:
            self.crew.close()
        for control in getattr(self, "controls", []):
            try:
                control.send(None)
            except OSError:
                pass
        reap(self.children)
        close_loop(self.loop)
        if self.pin is not None:
            self.pin.release()
