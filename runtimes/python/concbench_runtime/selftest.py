"""--selftest: check the ports of the Rust arithmetic against values the Rust code gives."""

import sys

from .arith import LCG_ADD, LCG_MUL, MASK, lcg_jump
from .futures_pattern import spin, spin_proves
from .locks import LOCK_SEED
from .montecarlo import KNOWN_TALLIES, check_known_tally, range_tally, share, share_tally, tally_add
from .queue_messages import STOP_RANK, payload_of, queue_rank


class SelftestFailed(Exception):
    """A port of the Rust arithmetic gave another value than the Rust code."""


def check(ok, what):
    """Raise SelftestFailed naming `what` unless `ok` (kept under python -O, unlike assert)."""
    if not ok:
        raise SelftestFailed("selftest: " + what)


def selftest():
    """Check the ports of the Rust arithmetic against known values."""
    checks = 0
    checks += check_known_tally(most_points=None)
    check(checks == len(KNOWN_TALLIES), "every known Monte Carlo tally checked")
    check([share(10, 3, w) for w in range(3)] == [(0, 4), (4, 7), (7, 10)], "share(10, 3, w)")
    check(share(2, 4, 3) == (2, 2), "share(2, 4, 3) is empty")
    serial = range_tally(0, 13, 200)
    for workers in range(1, 21):
        total = (0, 0, 0)
        for worker in reversed(range(workers)):
            total = tally_add(total, share_tally(13, workers, worker, 200))
        check(total == serial, "the shares of %d workers add up to the serial tally" % workers)
    x = LOCK_SEED
    for steps in range(300):
        check(lcg_jump(LOCK_SEED, steps) == x, "lcg_jump by %d steps" % steps)
        x = (x * LCG_MUL + LCG_ADD) & MASK
    check(lcg_jump(lcg_jump(LOCK_SEED, MASK), 1) == LOCK_SEED, "the LCG's period is 2^64")
    length = 200000
    steps, state = spin(length)
    check(spin_proves(length, steps, state) and not spin_proves(length, steps + 1, state), "spin proof")
    check(not spin_proves(100000, steps, state) and spin_proves(0, *spin(0)), "spin proof of another length")
    check(len(payload_of(5, 1)) == 8 and len(payload_of(5, 128)) == 1024, "payload sizes")
    check(payload_of(5, 128)[:8] == payload_of(5, 1), "payloads share their first word")
    check(queue_rank(0) >= 1 and STOP_RANK > MASK, "queue ranks")
    checks += 9
    sys.stdout.write("ok %d checks\n" % checks)
    return 0
