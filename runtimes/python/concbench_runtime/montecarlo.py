"""The Monte-Carlo chunks of src/scenario/cpu/work.rs, ported line by line, and their shares."""

from .arith import GOLDEN, MASK, splitmix64
from .common import Failure

CPU_SEED = 0x00C0FFEE5EED2024
INSIDE_LIMIT = 1 << 64  # x^2 + y^2 < 2^64: the u64 sum does not overflow

# Tallies the Rust code gives (`concbench worker cpu --first F --count N
# --points P`), computed once and kept: (first, end, points) -> (digest,
# hits, chunks). Several chunk counts, sizes and offsets; the Rust tests read
# this same table (src/scenario/cpu/work.rs), so both implementations are
# held to values neither computes at test time.
KNOWN_TALLIES = (
    ((0, 1, 1), (10451216379200822465, 1, 1)),
    ((0, 2, 2000), (17569491778549883962, 3104, 2)),
    ((0, 3, 1000), (11998425491534383033, 2340, 3)),
    ((0, 5, 500), (11356219451847014823, 1951, 5)),
    ((0, 7, 300), (15368305253343776422, 1649, 7)),
    ((0, 64, 10), (6745821072501670272, 508, 64)),
    ((3, 16, 200), (5431366532501382537, 2057, 13)),
    ((0, 8, 2000), (4227730398701251378, 12553, 8)),
    ((7, 11, 12345), (6038105530132106676, 38825, 4)),
)
# Setup checks the entries of at most this many points (a few ms); the
# worker's --selftest checks them all.
SETUP_CHECK_POINTS = 5000


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


def check_known_tally(most_points=SETUP_CHECK_POINTS):
    """The port's check against the kept Rust tallies of at most
    `most_points` points each (None: all of them); how many it checked."""
    checked = 0
    for (first, end, points), expected in KNOWN_TALLIES:
        if most_points is not None and (end - first) * points > most_points:
            continue
        got = range_tally(first, end, points)
        if got != expected:
            raise Failure("the Monte-Carlo port is wrong: chunks %d..%d of %d points gave %s, "
                          "Rust gives %s" % (first, end, points, got, expected))
        checked += 1
    return checked
