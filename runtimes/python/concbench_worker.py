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
  `done ops=<u64> ns=<u64> cpu_ns=<u64>` (ops: operations in the scenario's
  unit; cpu_ns: CPU time of the worker and all its children, live or
  reaped, during the run; optional for other runtimes), or
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

Workloads (scenario: what one round does; ops per round)
---------------------------------------------------------
The variants of each, their models and summaries, and the parameter ranges
the worker accepts are in one table, concbench_runtime/workloads.json, which
concbench reads too (`concbench list` shows it).

spawn.start (workers=N; unit worker; ops = N per round): N workers each
  bump a shared counter; all awaited. Verified: counter = N x rounds, and
  every child exited 0.
spawn.sleepers (workers=N, sleep_ms=S; unit round; ops = 1 per round): N
  workers sleep S at the same time, each proving by time.monotonic_ns() that
  it slept at least S. Verified: all slept their full S, children exited 0.
cpu.split (k, chunks, points; unit chunk; ops = chunks per round): the
  Monte-Carlo chunks of src/scenario/cpu/work.rs (splitmix64, wyrand draws,
  the order-independent tally) split in contiguous shares over k workers.
  Verified: every round's tally equals the serial reference.
io.waits (tasks=N, wait_ms=d, repeats=r; unit round; ops = 1 per round): N
  tasks each wait d ms r times in a row, all at once. Verified: every wait
  happened and lasted d.
lock.counter (threads=T, cs_ns, ops, pinned_cores; unit operation; ops =
  T x ops per round): long-lived threads take increments of one counter from
  the round's budget under the lock (faster threads take more, as in Rust),
  each critical section spinning about cs_ns ns (LCG steps until
  perf_counter_ns passes the deadline). Verified: counter = T x ops x
  rounds, the threads' own counts add up, the LCG state inside the lock
  equals its closed form.
sync.handoff (round_trips=R, pinned_cores; unit hand-off; ops = 2 x R per
  round): two long-lived threads pass a turn back and forth. Verified: each
  side received R x rounds turns.
sync.barrier (threads=k; unit round; ops = 1 per round): k long-lived
  threads each count themselves in and wait at one threading.Barrier(k);
  the round ends when all k are through. Verified: every thread passed every
  barrier, one index-0 thread per round, the barrier's action (run before
  each release) saw all k in and counted one generation per round, nobody
  got through early, no BrokenBarrierError.
queue.bounded (producers=P, consumers=C, capacity, payload_bytes (8 or
  1024), messages=M, pinned_cores; unit message; ops = P x M per round):
  each message carries its origin (producer << 32 | sequence) and the
  payload pattern of src/scenario/queue/message.rs; consumers check every
  payload and that each message arrives exactly once per round; one
  end-of-round marker per consumer.
ipc.pingpong (pinned_cores, in_process; unit round_trip; ops = 1 per round):
  one byte there and back; each byte is the next of a sequence and comes
  back plus one, both sides check it. in_process=1 is the thread model (the
  peer is a thread), 0 the process model (a forked child). Verified (this
  stops the peer): the peer echoed every byte and exited 0.
pattern.futures (tasks=K, unit_us, spread; unit task; ops = K per round):
  K tasks of uneven CPU length (task i spins unit_us x (spread - i x 7919
  mod spread) us, task 0 the longest) on a ThreadPoolExecutor of one thread
  per CPU; ns counts submission to last result. Verified: every result
  once, with its checksum and the proof of its spin.

`pinned_cores`: 0 unpinned; 1 every side on the first allowed CPU; 2 the
sides (or even- and odd-numbered threads) on the first two. A machine with
too few CPUs answers `skip` at setup.

The code lives in the package `concbench_runtime/` next to this file (one
module per job; `FILES` lists every file the worker needs); this script is
only the entry point.
"""

import os
import sys

# The package lives next to this script: find it there first, whatever the
# current directory is (spawned children inherit this sys.path).
_HERE = os.path.dirname(os.path.realpath(__file__))
if not sys.path or sys.path[0] != _HERE:
    sys.path.insert(0, _HERE)

from concbench_runtime.bare import bare  # noqa: E402
from concbench_runtime.protocol import serve  # noqa: E402
from concbench_runtime.selftest import selftest  # noqa: E402


def main(argv):
    if len(argv) > 1 and argv[1] == "--bare":
        return bare(argv[2:])
    if len(argv) > 1 and argv[1] == "--selftest":
        return selftest()
    return serve()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
