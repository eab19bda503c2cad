"""The registry: scenarios, their parameters, variants and models; building a workload."""

import sys

from .arith import MASK
from .barrier import SyncBarrier
from .common import Failure
from .cpu import CpuSplit
from .futures_pattern import PatternFutures
from .handoff import SyncHandoff
from .ipc import IpcPingPong
from .locks import LockCounter
from .queues import QueueBounded
from .spawn import Spawn
from .waits import IoWaits

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
    "sync.barrier": (SyncBarrier, [("threads", 2, 1024)], {"py_barrier": "thread"}),
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
