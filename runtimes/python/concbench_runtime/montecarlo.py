"""The Monte-Carlo chunks of src/scenario/cpu/work.rs, ported line by line, and their shares."""

from .arith import GOLDEN, MASK, splitmix64
from .common import Failure

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


def check_known_tally():
    """The port's unit check: chunks 0..3 of 1000 points as Rust gives them."""
    (first, end, points), expected = KNOWN_TALLIES[0]
    got = range_tally(first, end, points)
    if got != expected:
        raise Failure("the Monte-Carlo port is wrong: chunks %d..%d of %d points gave %s, "
                      "Rust gives %s" % (first, end, points, got, expected))
