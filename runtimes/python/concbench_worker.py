#!/usr/bin/env python3
"""concbench_worker.py: concbench's workloads in CPython, over `concbench-runtime/1`.

The Rust harness starts `python3 concbench_worker.py` and treats it as one
trial: set up, warm up, timed samples, verification. Every workload mirrors a
Rust scenario of concbench (same parameter names and meaning, same unit of
one operation, same verification), so CPython and Rust points line up on one
chart. Standard library only, Python 3.8+, Linux.

Protocol `concbench-runtime/1`
------------------------------
Line based, UTF-8, one message per line, words separated by single spaces.

- On start the worker prints
  `hello concbench-runtime/1 runtime=cpython version=<x.y.z> gil=<on|off>`
  (`gil=off` only on a free-threaded build that runs with the GIL disabled),
  then reads commands on stdin and answers each with exactly one line.
- `setup <scenario> <variant> <key>=<u64> ...` builds the workload (pools,
  long-lived threads and children, queues: untimed). Answers `ready`,
  `skip <reason>` (this machine or runtime cannot run it: too few CPUs to
  pin, a start method or a limit missing) or `error <reason>` (an unknown
  workload is `error no workload <scenario> <variant>`; a missing, extra,
  repeated, non-integer or out-of-range parameter is named).
- `run <rounds>` (rounds >= 1) does that many rounds of the work, timing
  only the work with `time.perf_counter_ns()`, and answers
  `done ops=<u64> ns=<u64>` (ops: operations in the scenario's unit), or
  `error <reason>`. After a failed run, later runs and `verify` answer
  `error` too.
- `verify` proves that every operation of all runs so far happened (counts
  add up, checksums match, children exited 0, every message arrived once and
  intact): `ok` or `error <reason>`.
- `quit` tears everything down (threads joined, children reaped, pools
  closed) and exits 0 without a word. End of stdin does the same.
- Anything else: `error unknown command <word>`; a second `setup`:
  `error already set up`; `run` or `verify` first: `error not set up`.
  Exceptions never escape: they answer `error <ExceptionType>: <message>`.

The answers go to a private copy of the original stdout; file descriptor 1
itself is pointed at stderr, so that nothing else (a library's print, a
child process) can ever write into the protocol channel.

Other modes:
- `--bare <scenario> <variant> <rounds> <samples> key=val ...` sets the
  workload up, prints `<ops> <ns>` for each sample of `rounds` rounds, then
  verifies and prints `ok` (or exits 1 with the reason on stderr): the same
  workload code without the protocol, for the harness-cost check.
- `--selftest` checks the ports of the Rust arithmetic against values the
  Rust code gives (Monte-Carlo tallies, shares, LCG jumps, spin proofs).

Workloads (scenario, variant [model]: what one round does; ops per round)
-------------------------------------------------------------------------
spawn.start (workers=N; unit worker; ops = N per round): N workers each
  bump a shared counter; all awaited. Verified: counter = N x rounds, and
  every child exited 0.
  py_thread [thread] threading.Thread + join; py_process_fork [process]
  fork Process, multiprocessing.Value; py_process_spawn [process] the same
  with the spawn start method; py_thread_pool [pool] ThreadPoolExecutor of
  one thread per CPU; py_asyncio [async] asyncio.gather of N tasks.
spawn.sleepers (workers=N, sleep_ms=S; unit round; ops = 1 per round): N
  workers sleep S at the same time, each proving by time.monotonic_ns() that
  it slept at least S. Same five variants (the pool has N threads, asyncio
  uses asyncio.sleep). Verified: all slept their full S, children exited 0.
cpu.split (k, chunks, points; unit chunk; ops = chunks per round): the
  Monte-Carlo chunks of src/scenario/cpu/work.rs (splitmix64, wyrand draws,
  the order-independent tally) split in contiguous shares over k workers.
  Verified: every round's tally equals the serial reference.
  py_serial [serial]; py_thread [thread] k threads per round;
  py_thread_pool [pool] ThreadPoolExecutor(k); py_process [process] k fork
  children per round, tallies back on pipes; py_process_pool [process_pool]
  multiprocessing.Pool(k), pool.map of one share per task; py_asyncio
  [async] k tasks on one event loop (one core: the classic mistake).
io.waits (tasks=N, wait_ms=d, repeats=r; unit round; ops = 1 per round): N
  tasks each wait d ms r times in a row, all at once. Verified: every wait
  happened and lasted d. py_thread [thread] time.sleep; py_process_fork
  [process] fork children; py_asyncio [async] asyncio.sleep.
lock.counter (threads=T, cs_ns, ops, pinned_cores; unit operation; ops =
  T x ops per round): long-lived threads take increments of one counter from
  the round's budget under the lock (faster threads take more, as in Rust),
  each critical section spinning about cs_ns ns (LCG steps until
  perf_counter_ns passes the deadline). Verified: counter = T x ops x
  rounds, the threads' own counts add up, the LCG state inside the lock
  equals its closed form. py_lock [thread] threading.Lock; py_rlock [thread]
  threading.RLock, one acquire per operation.
sync.handoff (round_trips=R, pinned_cores; unit hand-off; ops = 2 x R per
  round): two long-lived threads pass a turn back and forth. Verified: each
  side received R x rounds turns. py_condition [thread] Lock + Condition;
  py_semaphore [thread] two Semaphore(0); py_event [thread] two Event (set
  the other's, wait for and clear one's own); py_asyncio_event [async] two
  asyncio.Event on one loop.
queue.bounded (producers=P, consumers=C, capacity, payload_bytes (8 or
  1024), messages=M, pinned_cores; unit message; ops = P x M per round):
  each message carries its origin (producer << 32 | sequence) and the
  payload pattern of src/scenario/queue/message.rs; consumers check every
  payload and that each message arrives exactly once per round; one
  end-of-round marker per consumer. py_queue [thread] queue.Queue;
  py_lifo_queue [thread] queue.LifoQueue (markers underneath);
  py_priority_queue [thread] queue.PriorityQueue (pseudo-random ranks);
  py_mp_queue [process] multiprocessing.Queue between long-lived producer
  and consumer processes; py_asyncio_queue [async] asyncio.Queue.
ipc.pingpong (pinned_cores, in_process; unit round_trip; ops = 1 per round):
  one byte there and back; each byte is the next of a sequence and comes
  back plus one, both sides check it. in_process=1 is the thread model (the
  peer is a thread), 0 the process model (a forked child). py_mp_pipe
  multiprocessing.Pipe(); py_os_pipe two os.pipe() pairs; py_socketpair
  socket.socketpair(). Verified (this stops the peer): the peer echoed every
  byte and exited 0.
pattern.futures (tasks=K, unit_us, spread; unit task; ops = K per round):
  K tasks of uneven CPU length (task i spins unit_us x (spread - i x 7919
  mod spread) us, task 0 the longest) on a ThreadPoolExecutor of one thread
  per CPU; ns counts submission to last result. py_as_completed [pool]
  as_completed; py_map [pool] executor.map (submission order). Verified:
  every result once, with its checksum and the proof of its spin.

`pinned_cores`: 0 unpinned; 1 every side on the first allowed CPU; 2 the
sides (or even- and odd-numbered threads) on the first two. A machine with
too few CPUs answers `skip` at setup.
"""

import os
import platform
import queue
import resource
import signal
import struct
import sys
import threading
import time
import multiprocessing
import multiprocessing.connection

PROTOCOL = "concbench-runtime/1"
MASK = 0xFFFFFFFFFFFFFFFF


class Failure(Exception):
    """The work failed for a reason that fits one line: `error <reason>`."""


class Skip(Exception):
    """This runtime cannot run the workload on this machine: `skip <reason>`."""


# ---------------------------------------------------------------------------
# 64-bit arithmetic shared with the Rust scenarios (wrapping, like u64).
# ---------------------------------------------------------------------------

GOLDEN = 0x9E3779B97F4A7C15
# Knuth's MMIX LCG: the work inside locks and spins (closed form: lcg_jump).
LCG_MUL = 6364136223846793005
LCG_ADD = 1442695040888963407


def mix64(x):
    """The splitmix64 finaliser (a bijection of u64)."""
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


def splitmix64(z):
    """splitmix64's output function, as `splitmix64` in cpu/work.rs."""
    return mix64((z + GOLDEN) & MASK)


def checksum(a, b):
    """`checksum(a, b)` of pattern/messaging/work.rs."""
    return mix64((a * GOLDEN + b + 0x6A09E667F3BCC909) & MASK)


def lcg_jump(x, steps):
    """The LCG state `steps` steps after `x`, in O(log steps) (`jump`)."""
    total_mul, total_add = 1, 0
    mul, add = LCG_MUL, LCG_ADD
    while steps:
        if steps & 1:
            total_mul = (mul * total_mul) & MASK
            total_add = (mul * total_add + add) & MASK
        add = (mul * add + add) & MASK
        mul = (mul * mul) & MASK
        steps >>= 1
    return (total_mul * x + total_add) & MASK


# ---------------------------------------------------------------------------
# Process plumbing: the protocol channel, children, limits, CPU placement.
# ---------------------------------------------------------------------------

_PROTO_FD = None  # the protocol channel (a copy of the original stdout)
_LIBC = None  # libc, loaded before any fork, for prctl in children


def open_channel():
    """Keep the original stdout for answers only and point fd 1 at stderr."""
    global _PROTO_FD, _LIBC
    sys.stdout.flush()
    _PROTO_FD = os.dup(1)
    os.dup2(2, 1)
    try:
        import ctypes

        _LIBC = ctypes.CDLL(None)
    except (ImportError, OSError):
        _LIBC = None
    return os.fdopen(_PROTO_FD, "w", encoding="utf-8", errors="replace")


def _child_init(cpu=None, long_lived=False):
    """First thing in every forked child: leave the protocol channel alone,
    take SIGTERM's default action, pin if asked; a long-lived child also
    dies with its parent instead of blocking forever as an orphan."""
    if _PROTO_FD is not None:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, _PROTO_FD)
        os.close(null)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if long_lived and _LIBC is not None:
        _LIBC.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
        parent = multiprocessing.parent_process()
        if parent is not None and os.getppid() != parent.pid:
            os._exit(1)
    pin_current(cpu)


def start_context(method):
    """The multiprocessing context of `method`, or Skip where it is missing."""
    if method not in multiprocessing.get_all_start_methods():
        raise Skip("the %s start method is not available here" % method)
    return multiprocessing.get_context(method)


def describe_exit(process):
    code = process.exitcode
    if code is not None and code < 0:
        return "was killed by signal %d" % -code
    return "exited with code %s" % code


def reap(processes, timeout=2.0):
    """Leave no child behind: terminate the ones still running, then kill
    those that ignore it, and release every process object."""
    for process in processes:
        if process.exitcode is None:
            process.terminate()
    deadline = time.monotonic() + timeout
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.exitcode is None:
            process.kill()
            process.join(1.0)
    for process in processes:
        if process.exitcode is not None:
            process.close()


def start_children(ctx, count, target, args):
    """Start `count` daemon children running `target(*args)`; if one cannot
    be started, reap the ones that were and re-raise."""
    children = []
    try:
        for _ in range(count):
            child = ctx.Process(target=target, args=args, daemon=True)
            child.start()
            children.append(child)
    except BaseException:
        reap(children)
        raise
    return children


def join_all_ok(processes, what):
    """Join every child; Failure (after reaping all) unless each exited 0."""
    try:
        for process in processes:
            process.join()
        bad = [p for p in processes if p.exitcode != 0]
        if bad:
            raise Failure("%d of %d %s processes failed; pid %s %s" % (
                len(bad), len(processes), what, bad[0].pid, describe_exit(bad[0])))
    finally:
        reap(processes)


def ensure_files(needed, what):
    """Raise RLIMIT_NOFILE's soft limit to `needed` if it is lower, or Skip."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError):
        target = soft
    if target < needed:
        raise Skip("%s needs about %d open files; RLIMIT_NOFILE allows %d "
                   "(raise it with `ulimit -n`)" % (what, needed, target))


def ensure_tasks(count, what):
    """Skip when `count` threads or processes exceed RLIMIT_NPROC, as Rust does."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NPROC)
    if soft != resource.RLIM_INFINITY and count >= soft:
        raise Skip("%s exceeds RLIMIT_NPROC (%d processes and threads for this "
                   "user; raise it with `ulimit -u`)" % (what, soft))


def cores():
    """CPUs this process may run on (Rust's available_parallelism)."""
    return len(os.sched_getaffinity(0))


def placement(pinned_cores):
    """(first, second) CPU of the two sides for pinned_cores 0, 1 or 2, as
    the Rust Placement: unpinned, both on one CPU, or on two different ones."""
    if pinned_cores == 0:
        return (None, None)
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < pinned_cores:
        raise Skip("pinned_cores=%d needs %d CPUs; this process may run on %d "
                   "(sched_getaffinity)" % (pinned_cores, pinned_cores, len(cpus)))
    return (cpus[0], cpus[0]) if pinned_cores == 1 else (cpus[0], cpus[1])


def pin_current(cpu):
    """Pin the calling thread (Linux: pid 0 is the calling thread) to `cpu`."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})


def worker_cpu(first, second, index):
    """Crew thread `index`'s CPU: even ones on the first, odd on the second."""
    return first if index % 2 == 0 else second


class MainPin:
    """The calling thread pinned to `cpu` until `release` puts its mask back."""

    def __init__(self, cpu):
        self.saved = None
        if cpu is not None:
            self.saved = os.sched_getaffinity(0)
            pin_current(cpu)

    def release(self):
        if self.saved is not None:
            os.sched_setaffinity(0, self.saved)
            self.saved = None


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


# ---------------------------------------------------------------------------
# spawn.start and spawn.sleepers (src/scenario/spawn/)
# ---------------------------------------------------------------------------


def _process_worker(counter, sleep_ns):
    """A spawn worker in a child process: sleep if asked, prove by the clock
    that it slept its full time, then bump the shared counter; exit 0."""
    _child_init()
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


# ---------------------------------------------------------------------------
# cpu.split (src/scenario/cpu/work.rs, ported line by line)
# ---------------------------------------------------------------------------

CPU_SEED = 0x00C0FFEE5EED2024
INSIDE_LIMIT = 1 << 64  # x^2 + y^2 < 2^64: the u64 sum does not overflow

# Tallies the Rust code gives (`concbench worker cpu --first F --count N
# --points P`): (first, end, points) -> (digest, hits, chunks).
KNOWN_TALLIES = (
    ((0, 3, 1000), (11998425491534383033, 2340, 3)),
    ((0, 5, 500), (11356219451847014823, 1951, 5)),
    ((7, 11, 12345), (6038105530132106676, 38825, 4)),
)


def chunk_hits(index, points):
    """Points of chunk `index` inside the quarter circle: one wyrand draw
    per point, split into two 32-bit coordinates (`chunk_hits`)."""
    state = splitmix64(CPU_SEED ^ index)
    hits = 0
    for _ in range(points):
        state = (state + 0xA0761D6478BD642F) & MASK
        wide = state * (state ^ 0xE7037ED1A0B428DB)
        draw = ((wide >> 64) ^ wide) & MASK
        x, y = draw >> 32, draw & 0xFFFFFFFF
        if x * x + y * y < INSIDE_LIMIT:
            hits += 1
    return hits


def tally_add(a, b):
    """Tallies add componentwise, wrapping: any split gives the same sum."""
    return ((a[0] + b[0]) & MASK, (a[1] + b[1]) & MASK, (a[2] + b[2]) & MASK)


def chunk_tally(index, points):
    """(digest, hits, chunks) of one chunk (`Tally::of_chunk`)."""
    hits = chunk_hits(index, points)
    return (splitmix64(((index * GOLDEN) & MASK) ^ hits), hits, 1)


def range_tally(first, end, points):
    tally = (0, 0, 0)
    for index in range(first, end):
        tally = tally_add(tally, chunk_tally(index, points))
    return tally


def share(chunks, workers, worker):
    """Worker `worker`'s contiguous share of `chunks`: (start, end)."""
    workers = max(workers, 1)
    base, extra = divmod(chunks, workers)
    start = worker * base + min(worker, extra)
    return start, start + base + (1 if worker < extra else 0)


def share_tally(chunks, workers, worker, points):
    start, end = share(chunks, workers, worker)
    return range_tally(start, end, points)


def _pool_share(job):
    """A process-pool task: one share's tally (module level, so picklable)."""
    return share_tally(*job)


def _cpu_child(writer, chunks, workers, worker, points):
    """A `py_process` child: compute one share, send its tally, exit 0."""
    _child_init()
    writer.send(share_tally(chunks, workers, worker, points))
    writer.close()


def check_known_tally():
    """The port's unit check: chunks 0..3 of 1000 points as Rust gives them."""
    (first, end, points), expected = KNOWN_TALLIES[0]
    got = range_tally(first, end, points)
    if got != expected:
        raise Failure("the Monte-Carlo port is wrong: chunks %d..%d of %d points gave %s, "
                      "Rust gives %s" % (first, end, points, got, expected))


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
            self.pool = self.ctx.Pool(self.k, initializer=_child_init, initargs=(None, True))
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


# ---------------------------------------------------------------------------
# io.waits (src/scenario/io/waits.rs)
# ---------------------------------------------------------------------------


def _waits_child(counter, wait_ns, repeats):
    """An io.waits child: `repeats` waits one after another; adds the ones
    that lasted their full time to the shared counter; exits 0."""
    _child_init()
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


# ---------------------------------------------------------------------------
# lock.counter (src/scenario/lock/)
# ---------------------------------------------------------------------------

LOCK_SEED = GOLDEN  # the starting value of the work state inside the lock


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
        self.lock = threading.Lock() if self.variant == "py_lock" else threading.RLock()
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


# ---------------------------------------------------------------------------
# sync.handoff (src/scenario/sync/handoff.rs, baton.rs, relay.rs)
# ---------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------
# queue.bounded (src/scenario/queue/)
# ---------------------------------------------------------------------------

STOP_TAG = MASK  # the end-of-round marker, never a real origin
END_TAG = MASK - 1  # py_mp_queue: a producer's last item of a round
STOP_RANK = 1 << 64  # above every real rank: markers come out last
TAG_MIX = 0xD6E8FEB86659FD93
_WORD_STEPS = [(i * GOLDEN) & MASK for i in range(128)]
_PACK_1024 = struct.Struct("<128Q").pack


def payload_of(tag, words):
    """The payload of message `tag`: word i is tag * TAG_MIX + i * GOLDEN
    (wrapping), little-endian: the same bytes as a Rust message's payload."""
    base = (tag * TAG_MIX) & MASK
    if words == 1:
        return base.to_bytes(8, "little")
    return _PACK_1024(*[(base + step) & MASK for step in _WORD_STEPS])


def queue_rank(tag):
    """PriorityQueue order: a pseudo-random rank from the origin (Rust's
    `mix(tag) | 1`); markers rank STOP_RANK and come out after every message."""
    return mix64(tag) | 1


class MarkersUnderLifo(queue.LifoQueue):
    """queue.LifoQueue whose end-of-round markers go underneath (as Rust's
    condvar_lifo does), so that they come out after every message."""

    def _put(self, item):
        if item[-2] == STOP_TAG:
            self.queue.insert(0, item)
        else:
            self.queue.append(item)


class Ledger:
    """What the consumers saw, merged round by round: each consumer marks
    the messages it accepted in its own bytearray (one byte per producer x
    sequence); merging proves that together they saw every message exactly
    once and intact (tally.rs)."""

    def __init__(self, producers, messages, consumers):
        self.producers, self.messages, self.consumers = producers, messages, consumers
        self.size = producers * messages
        self.full = int.from_bytes(b"\x01" * self.size, "little")
        self.lock = threading.Lock()
        self.union = self.merged = self.rounds = self.delivered = self.faults = 0
        self.first_fault = None

    def fault(self, what, count=1):
        self.faults += count
        if self.first_fault is None:
            self.first_fault = what

    def merge(self, got, faults=0, first_fault=None):
        """Fold one consumer's round in; the last one of a round closes it."""
        mine = int.from_bytes(got, "little")
        with self.lock:
            if self.union & mine:
                self.fault("two consumers took the same message")
            self.union |= mine
            self.delivered += got.count(1)
            if faults:
                self.fault(first_fault, faults)
            self.merged += 1
            if self.merged == self.consumers:
                self._close_round()

    def _close_round(self):
        missing = self.full & ~self.union
        if missing:
            index = ((missing & -missing).bit_length() - 1) // 8
            producer, sequence = divmod(index, self.messages)
            arrived = bin(self.union).count("1")
            self.fault("round %d: %d messages never arrived (first: message %d of producer %d)"
                       % (self.rounds + 1, self.size - arrived, sequence, producer))
        self.union = self.merged = 0
        self.rounds += 1

    def check(self, rounds):
        if self.first_fault is not None:
            raise Failure("%d faults; the first: %s" % (self.faults, self.first_fault))
        expected = rounds * self.size
        if self.rounds != rounds or self.delivered != expected:
            raise Failure("%d of %d messages arrived in %d of %d rounds"
                          % (self.delivered, expected, self.rounds, rounds))


def describe_reject(tag, payload, producers, messages, got):
    """Why a consumer refused a message."""
    producer, sequence = tag >> 32, tag & 0xFFFFFFFF
    if producer >= producers or sequence >= messages:
        return "a message with an unknown origin %#x" % tag
    if got[producer * messages + sequence]:
        return "message %d of producer %d arrived twice" % (sequence, producer)
    return "message %d of producer %d arrived with a damaged payload" % (sequence, producer)


def take_messages(get, producers, messages, words, end_of_round):
    """A consumer's round: take and check items until `end_of_round(tag)`
    says stop. Returns (got, faults, first_fault)."""
    got = bytearray(producers * messages)
    faults, first = 0, None
    while True:
        item = get()
        tag, payload = item[-2], item[-1]
        if tag >= END_TAG:
            if end_of_round(tag):
                return got, faults, first
            continue
        producer, sequence = tag >> 32, tag & 0xFFFFFFFF
        if producer < producers and sequence < messages:
            index = producer * messages + sequence
            if not got[index] and payload == payload_of(tag, words):
                got[index] = 1
                continue
        faults += 1
        if first is None:
            first = describe_reject(tag, payload, producers, messages, got)


def _mpq_producer(control, items, index, messages, words, cpu):
    """A py_mp_queue producer process: each round, put its messages, then
    one END item behind them; report to the parent."""
    _child_init(cpu, long_lived=True)
    items.cancel_join_thread()
    while control.recv() is not None:
        for sequence in range(messages):
            tag = (index << 32) | sequence
            items.put((tag, payload_of(tag, words)))
        items.put((END_TAG, index))
        control.send(("sent", index))


def _mpq_consumer(control, items, ends, shape, cpu):
    """A py_mp_queue consumer process: each round, take and check messages
    until the round ends; send what it accepted back to the parent.

    multiprocessing.Queue writes from a feeder thread per process, so a
    producer cannot know that the others' messages are in the pipe yet.
    Each producer ends its round with an END item behind its own messages
    instead; the consumer that takes the last END of the round (every
    message is then out of the pipe) puts one STOP per other consumer."""
    _child_init(cpu, long_lived=True)
    items.cancel_join_thread()
    producers, consumers, messages, words = shape

    def end_of_round(tag):
        if tag == STOP_TAG:
            return True
        with ends.get_lock():
            ends.value += 1
            last = ends.value == producers
            if last:
                ends.value = 0
        if last:
            for _ in range(consumers - 1):
                items.put((STOP_TAG, b""))
        return last

    while control.recv() is not None:
        got, faults, first = take_messages(items.get, producers, messages, words, end_of_round)
        control.send(("got", bytes(got), faults, first))


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
                target, args = _mpq_producer, (theirs, self.items, index, self.m, self.words, self.first)
            else:
                target, args = _mpq_consumer, (theirs, self.items, ends, shape, self.second)
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


# ---------------------------------------------------------------------------
# ipc.pingpong (src/scenario/ipc/pingpong.rs, peer.rs)
# ---------------------------------------------------------------------------

BYTE = [bytes((i,)) for i in range(256)]
FIRST_BYTE = 1
# The peer's status block, shared memory: [echoed, stop, failure, at].
COUNT, STOP, FAILED, FAILED_AT = range(4)
PEER_FAILURES = {1: "the peer saw the link close early", 2: "a system call of the peer failed",
                 3: "the peer received wrong data"}


class MpPipeEnd:
    """One end of multiprocessing.Pipe() (a duplex Connection)."""

    def __init__(self, connection):
        self.connection = connection

    def send(self, data):
        self.connection.send_bytes(data)

    def recv(self):
        try:
            return self.connection.recv_bytes()
        except EOFError:
            return b""

    def close(self):
        self.connection.close()


class OsPipeEnd:
    """One side of two os.pipe() pairs: reads one, writes the other."""

    def __init__(self, read_fd, write_fd):
        self.fds = [read_fd, write_fd]

    def send(self, data):
        os.write(self.fds[1], data)

    def recv(self):
        return os.read(self.fds[0], 1)

    def close(self):
        for i, fd in enumerate(self.fds):
            if fd is not None:
                self.fds[i] = None
                os.close(fd)


class SocketEnd:
    """One end of socket.socketpair()."""

    def __init__(self, sock):
        self.sock = sock

    def send(self, data):
        self.sock.sendall(data)

    def recv(self):
        return self.sock.recv(1)

    def close(self):
        self.sock.close()


def make_link(variant):
    """(ours, theirs): the two ends of the variant's transport."""
    if variant == "py_mp_pipe":
        a, b = multiprocessing.Pipe()
        return MpPipeEnd(a), MpPipeEnd(b)
    if variant == "py_os_pipe":
        to_peer, to_us = os.pipe(), os.pipe()
        return OsPipeEnd(to_us[0], to_peer[1]), OsPipeEnd(to_peer[0], to_us[1])
    import socket

    a, b = socket.socketpair()
    return SocketEnd(a), SocketEnd(b)


def echo(link, status):
    """The peer: echo each byte plus one, checking the bytes come in sequence;
    0 when asked to stop, else a failure code (as peer.rs's `echo`)."""
    expected, done = FIRST_BYTE, 0
    while True:
        try:
            data = link.recv()
        except OSError:
            return peer_failed(status, 2, done)
        if not data:
            return peer_failed(status, 1, done)
        if status[STOP]:
            return 0
        if data[0] != expected:
            return peer_failed(status, 3, done)
        expected = (expected + 1) & 0xFF
        done += 1
        status[COUNT] = done
        try:
            link.send(BYTE[expected])
        except OSError:
            return peer_failed(status, 2, done)


def peer_failed(status, code, at):
    status[FAILED_AT] = at
    status[FAILED] = code
    return code


def _echo_peer(link, status, cpu, ours_to_close):
    """Body of the peer thread, or of the forked peer process (which first
    closes its copy of our end, so that either side sees the other go)."""
    if ours_to_close is not None:
        _child_init(long_lived=True)
        ours_to_close.close()
    try:
        pin_current(cpu)
    except OSError:
        pass  # only the placement label would be wrong
    code = echo(link, status)
    if code:
        link.close()
    if ours_to_close is not None and code:
        sys.exit(code)


class IpcPingPong(Workload):
    """One byte there and back per round, between this thread and a peer
    thread (in_process=1) or forked child (in_process=0)."""

    def setup(self, params):
        self.in_process = params["in_process"] == 1
        first, second = placement(params["pinned_cores"])
        self.next = FIRST_BYTE
        self.round_trips = 0
        self.verdict = None  # the verify result, once the peer is stopped
        ctx = None if self.in_process else start_context("fork")
        self.status = multiprocessing.RawArray("Q", 4)
        self.link, self.theirs = make_link(self.variant)
        self.pin = MainPin(first)  # this thread drives; the peer goes to `second`
        if self.in_process:
            self.peer = threading.Thread(target=_echo_peer, name="ipc-peer", daemon=True,
                                         args=(self.theirs, self.status, second, None))
            self.peer.start()
        else:
            self.peer = ctx.Process(target=_echo_peer, daemon=True,
                                    args=(self.theirs, self.status, second, self.link))
            self.peer.start()
            self.theirs.close()
        self._round_trip()  # untimed: the peer is running before warm-up

    def run(self, rounds):
        if self.verdict is not None:
            raise Failure("verify stopped the peer; set up again to run more")
        return rounds, timed_rounds(self._round_trip, rounds)

    def _round_trip(self):
        sent = self.next
        try:
            self.link.send(BYTE[sent])
            reply = self.link.recv()
        except OSError as error:
            raise Failure(self._why_stopped(str(error)))
        if len(reply) != 1:
            raise Failure(self._why_stopped("the link closed"))
        back = (sent + 1) & 0xFF
        if reply[0] != back:
            raise Failure("round trip %d: sent %d, got %d back instead of %d"
                          % (self.round_trips, sent, reply[0], back))
        self.next = back
        self.round_trips += 1

    def _why_stopped(self, what):
        peer = ""
        if self.status[FAILED]:
            peer = " %s (at %d)." % (PEER_FAILURES.get(self.status[FAILED], "the peer failed"),
                                      self.status[FAILED_AT])
        elif not self.in_process and self.peer.exitcode is not None:
            peer = " The peer process %s." % describe_exit(self.peer)
        return "after %d round trips: %s.%s" % (self.round_trips, what, peer)

    def verify(self):
        if self.verdict is None:
            self.verdict = self._stop_peer()
        if self.verdict:
            raise Failure(self.verdict)

    def _stop_peer(self):
        """Raise the stop flag, wake the peer with one last byte, wait for it;
        the reason it failed, or "" when all is well."""
        self.status[STOP] = 1
        try:
            self.link.send(BYTE[self.next])
        except OSError as error:
            return self._why_stopped("waking the peer to stop: %s" % error)
        self.peer.join(5.0)
        if self.peer.is_alive():
            return "the peer did not stop"
        if self.status[FAILED]:
            return self._why_stopped("the peer failed")
        if not self.in_process and self.peer.exitcode != 0:
            return "the peer process %s" % describe_exit(self.peer)
        echoed = self.status[COUNT]
        if echoed != self.round_trips:
            return "the peer echoed %d bytes; %d round trips were made" % (echoed, self.round_trips)
        return ""

    def close(self):
        if getattr(self, "link", None) is not None:
            self.link.close()  # a peer still running sees the link close
        if isinstance(self.peer, threading.Thread):
            self.peer.join(2.0)
        elif self.peer is not None:
            reap([self.peer])
        if getattr(self, "theirs", None) is not None:
            self.theirs.close()
        if self.pin is not None:
            self.pin.release()


# ---------------------------------------------------------------------------
# pattern.futures (src/scenario/pattern/messaging/futures.rs, work.rs)
# ---------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------
# The registry: scenarios, their parameters, variants and models.
# ---------------------------------------------------------------------------

PINNED = ("pinned_cores", 0, 2)
SCENARIOS = {
    # scenario: (Workload class, parameters (name, min, max), {variant: model})
    "spawn.start": (Spawn, [("workers", 1, 100000)], {
        "py_thread": "thread", "py_process_fork": "process", "py_process_spawn": "process",
        "py_thread_pool": "pool", "py_asyncio": "async"}),
    "spawn.sleepers": (Spawn, [("workers", 1, 100000), ("sleep_ms", 1, 60000)], {
        "py_thread": "thread", "py_process_fork": "process", "py_process_spawn": "process",
        "py_thread_pool": "pool", "py_asyncio": "async"}),
    "cpu.split": (CpuSplit, [("k", 1, 4096), ("chunks", 1, 1000000), ("points", 1, 1000000000)], {
        "py_serial": "serial", "py_thread": "thread", "py_thread_pool": "pool",
        "py_process": "process", "py_process_pool": "process_pool", "py_asyncio": "async"}),
    "io.waits": (IoWaits, [("tasks", 1, 100000), ("wait_ms", 1, 10000), ("repeats", 1, 1000)], {
        "py_thread": "thread", "py_process_fork": "process", "py_asyncio": "async"}),
    "lock.counter": (LockCounter, [("threads", 1, 1024), ("cs_ns", 0, 100000),
                                   ("ops", 1, 100000000), PINNED], {
        "py_lock": "thread", "py_rlock": "thread"}),
    "sync.handoff": (SyncHandoff, [("round_trips", 1, 10000000), PINNED], {
        "py_condition": "thread", "py_semaphore": "thread", "py_event": "thread",
        "py_asyncio_event": "async"}),
    "queue.bounded": (QueueBounded, [("producers", 1, 64), ("consumers", 1, 64),
                                     ("capacity", 1, 1 << 20), ("payload_bytes", 8, 1024),
                                     ("messages", 1, 1000000), PINNED], {
        "py_queue": "thread", "py_lifo_queue": "thread", "py_priority_queue": "thread",
        "py_mp_queue": "process", "py_asyncio_queue": "async"}),
    # in_process: 1 the thread model, 0 the process model.
    "ipc.pingpong": (IpcPingPong, [PINNED, ("in_process", 0, 1)], {
        "py_mp_pipe": "process,thread", "py_os_pipe": "process,thread",
        "py_socketpair": "process,thread"}),
    "pattern.futures": (PatternFutures, [("tasks", 1, 100000), ("unit_us", 1, 100000),
                                         ("spread", 1, 1000)], {
        "py_as_completed": "pool", "py_map": "pool"}),
}


def parse_params(scenario, variant, words):
    """key=value words -> {name: int}, each checked against its range."""
    specs = {name: (low, high) for name, low, high in SCENARIOS[scenario][1]}
    values = {}
    for word in words:
        key, equals, text = word.partition("=")
        if not equals or not key:
            raise Failure("`%s` is not key=value" % word)
        if key in values:
            raise Failure("parameter %s given twice" % key)
        if key not in specs:
            raise Failure("%s %s has no parameter %s (it takes %s)"
                          % (scenario, variant, key, ", ".join(specs)))
        if not (text.isascii() and text.isdigit()) or int(text) > MASK:
            raise Failure("%s=%s is not an unsigned 64-bit integer" % (key, text))
        low, high = specs[key]
        if not low <= int(text) <= high:
            raise Failure("%s=%s is out of range %d..=%d" % (key, text, low, high))
        values[key] = int(text)
    missing = [name for name in specs if name not in values]
    if missing:
        raise Failure("missing parameter%s %s" % ("s" if len(missing) > 1 else "", ", ".join(missing)))
    return values


def build_workload(scenario, variant, words):
    """Set up the workload `setup <scenario> <variant> words...` asks for."""
    if scenario not in SCENARIOS or variant not in SCENARIOS[scenario][2]:
        raise Failure("no workload %s %s" % (scenario, variant))
    params = parse_params(scenario, variant, words)
    workload = SCENARIOS[scenario][0](scenario, variant)
    try:
        workload.setup(params)
    except BaseException:
        close_quietly(workload)
        raise
    return workload


def close_quietly(workload):
    """Tear a workload down; a failure to do so is only worth a stderr line."""
    try:
        workload.close()
    except Exception as error:
        sys.stderr.write("closing the workload: %s: %s\n" % (type(error).__name__, error))


# ---------------------------------------------------------------------------
# The protocol loop, bare mode and self-test.
# ---------------------------------------------------------------------------


def one_line(text, limit=2000):
    """A reason fit for one protocol line: no line breaks or control chars."""
    clean = "".join(c if c.isprintable() else ("?" if c not in "\r\n\t" else " ") for c in str(text))
    return clean.strip()[:limit] or "(no reason given)"


def hello_line():
    gil = "on"
    if hasattr(sys, "_is_gil_enabled") and not sys._is_gil_enabled():
        gil = "off"
    runtime = platform.python_implementation().lower()
    return "hello %s runtime=%s version=%s gil=%s" % (PROTOCOL, runtime, platform.python_version(), gil)


class Session:
    """One worker's state: at most one workload, set up once."""

    def __init__(self):
        self.workload = None
        self.broken = None  # why an earlier run failed

    def handle(self, line):
        """The answer line to one command, or None for `quit`."""
        words = line.split()
        command = words[0] if words else ""
        try:
            if command == "quit":
                return None
            if command == "setup":
                return self.setup(words[1:])
            if command in ("run", "verify"):
                if self.workload is None:
                    return "error not set up"
                return self.run(words[1:]) if command == "run" else self.verify()
            return "error unknown command %s" % one_line(command or "(empty line)", 100)
        except Skip as skip:
            return "skip " + one_line(skip)
        except Failure as failure:
            return "error " + one_line(failure)
        except Exception as error:
            return "error " + one_line("%s: %s" % (type(error).__name__, error))

    def setup(self, words):
        if self.workload is not None:
            return "error already set up"
        if len(words) < 2:
            return "error setup needs <scenario> <variant> [key=value ...]"
        self.workload = build_workload(words[0], words[1], words[2:])
        return "ready"

    def run(self, words):
        if len(words) != 1 or not (words[0].isascii() and words[0].isdigit()) or int(words[0]) < 1:
            return "error run needs one count of rounds >= 1"
        if self.broken is not None:
            return "error an earlier run failed: " + one_line(self.broken)
        try:
            ops, ns = self.workload.run(int(words[0]))
        except Exception as error:
            self.broken = str(error)
            if not isinstance(error, Failure):
                self.broken = "%s: %s" % (type(error).__name__, error)
            raise
        return "done ops=%d ns=%d" % (ops, ns)

    def verify(self):
        if self.broken is not None:
            return "error an earlier run failed: " + one_line(self.broken)
        self.workload.verify()
        return "ok"

    def close(self):
        if self.workload is not None:
            workload, self.workload = self.workload, None
            close_quietly(workload)


def serve():
    """The protocol loop: hello, then one answer per command until quit/EOF."""
    channel = open_channel()

    def say(line):
        channel.write(line + "\n")
        channel.flush()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    session = Session()
    try:
        say(hello_line())
        while True:
            raw = sys.stdin.buffer.readline()
            if not raw:
                break
            answer = session.handle(raw.decode("utf-8", "replace").rstrip("\r\n"))
            if answer is None:
                break
            say(answer)
    finally:
        session.close()
    return 0


def bare(args):
    """--bare <scenario> <variant> <rounds> <samples> key=val ...: the same
    workload code without the protocol, one `<ops> <ns>` line per sample."""
    channel = open_channel()
    if len(args) < 4 or not all(a.isascii() and a.isdigit() and int(a) >= 1 for a in args[2:4]):
        sys.stderr.write("usage: concbench_worker.py --bare <scenario> <variant> <rounds> <samples> "
                         "key=val ...\n")
        return 2
    scenario, variant, rounds, samples = args[0], args[1], int(args[2]), int(args[3])
    workload = None
    try:
        workload = build_workload(scenario, variant, args[4:])
        for _ in range(samples):
            ops, ns = workload.run(rounds)
            channel.write("%d %d\n" % (ops, ns))
            channel.flush()
        workload.verify()
        channel.write("ok\n")
        channel.flush()
        return 0
    except Skip as skip:
        sys.stderr.write("skip %s\n" % one_line(skip))
    except Failure as failure:
        sys.stderr.write("%s\n" % one_line(failure))
    except Exception as error:
        sys.stderr.write("%s: %s\n" % (type(error).__name__, one_line(error)))
    finally:
        if workload is not None:
            close_quietly(workload)
    return 1


def selftest():
    """Check the ports of the Rust arithmetic against known values."""
    checks = 0
    for (first, end, points), expected in KNOWN_TALLIES:
        got = range_tally(first, end, points)
        assert got == expected, "tally %d..%d x %d: %s != %s" % (first, end, points, got, expected)
        checks += 1
    assert [share(10, 3, w) for w in range(3)] == [(0, 4), (4, 7), (7, 10)]
    assert share(2, 4, 3) == (2, 2)
    serial = range_tally(0, 13, 200)
    for workers in range(1, 21):
        total = (0, 0, 0)
        for worker in reversed(range(workers)):
            total = tally_add(total, share_tally(13, workers, worker, 200))
        assert total == serial, "%d workers" % workers
    x = LOCK_SEED
    for steps in range(300):
        assert lcg_jump(LOCK_SEED, steps) == x, steps
        x = (x * LCG_MUL + LCG_ADD) & MASK
    assert lcg_jump(lcg_jump(LOCK_SEED, MASK), 1) == LOCK_SEED
    length = 200000
    steps, state = spin(length)
    assert spin_proves(length, steps, state) and not spin_proves(length, steps + 1, state)
    assert not spin_proves(100000, steps, state) and spin_proves(0, *spin(0))
    assert len(payload_of(5, 1)) == 8 and len(payload_of(5, 128)) == 1024
    assert payload_of(5, 128)[:8] == payload_of(5, 1)
    assert queue_rank(0) >= 1 and STOP_RANK > MASK
    checks += 9
    sys.stdout.write("ok %d checks\n" % checks)
    return 0


def main(argv):
    if len(argv) > 1 and argv[1] == "--bare":
        return bare(argv[2:])
    if len(argv) > 1 and argv[1] == "--selftest":
        return selftest()
    return serve()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
