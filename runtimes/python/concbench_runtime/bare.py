"""--bare mode: the same workload code without the protocol, for the harness-cost check."""

import sys

from .channel import open_channel
from .common import Failure, Skip
from .protocol import one_line
from .registry import build_workload, close_quietly


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
