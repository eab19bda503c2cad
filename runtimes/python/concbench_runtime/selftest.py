"""--selftest: check the ports of the Rust arithmetic against values the Rust code gives."""

import sys

from .arith import LCG_ADD, LCG_MUL, MASK, lcg_jump
from .futures_pattern import spin, spin_proves
from .locks import LOCK_SEED
from .montecarlo import KNOWN_TALLIES, check_known_tally, range_tally, share, share_tally, tally_add
from .queue_messages import STOP_RANK, payload_of, queue_rank


def selftest():
    """Check the ports of the Rust arithmetic against known values."""
    checks = 0
    checks += check_known_tally(most_points=None)
    assert checks == len(KNOWN_TALLIES)
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
