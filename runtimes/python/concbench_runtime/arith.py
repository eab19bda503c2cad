"""64-bit arithmetic shared with the Rust scenarios (wrapping, like u64)."""

MASK = 0xFFFFFFFFFFFFFFFF

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
