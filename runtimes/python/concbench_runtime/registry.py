"""The registry: scenarios, their parameters, variants and models; building a workload."""

import json
import os
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

# The one table of the CPython workloads (scenario -> parameter ranges, and
# each variant's models and summary), which concbench reads too: it plans
# from it and refuses a point outside these ranges before anything runs.
TABLE_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "workloads.json")

# The Workload class that serves each scenario's variants.
CLASSES = {
    "spawn.start": Spawn,
    "spawn.sleepers": Spawn,
    "cpu.split": CpuSplit,
    "io.waits": IoWaits,
    "lock.counter": LockCounter,
    "sync.handoff": SyncHandoff,
    "sync.barrier": SyncBarrier,
    "queue.bounded": QueueBounded,
    "ipc.pingpong": IpcPingPong,
    "pattern.futures": PatternFutures,
}


def load_table(path=TABLE_FILE):
    """scenario -> (Workload class, [(name, min, max)], {variant: models})."""
    with open(path, encoding="utf-8") as file:
        table = json.load(file)
    scenarios = {}
    for scenario, entry in table.items():
        params = [(name, low, high) for name, (low, high) in entry["params"].items()]
        variants = {v["name"]: ",".join(v["models"]) for v in entry["variants"]}
        scenarios[scenario] = (CLASSES[scenario], params, variants)
    return scenarios


SCENARIOS = load_table()


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
