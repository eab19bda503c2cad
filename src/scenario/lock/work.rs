//! The work done inside a critical section, and how often an operation's
//! acquire is timed. The work is a chain of 64-bit multiply-add steps (a
//! full-period LCG) applied to the protected state: real, dependent
//! arithmetic that no optimiser can fold, with a closed form (`jump`) that
//! lets verification check the final state after millions of steps.
//! `cs_ns` is turned into a step count by a calibration run each time a
//! trial is built (`iters_for`, about half a millisecond); the count is
//! recorded with each point as `cs_iters`. Per trial, not once per process:
//! two processes compared by the interleaved gate must not carry one
//! calibration's error through all their blocks.

use std::hint::black_box;
use std::time::Instant;

use crate::opaque::opaque;

/// Knuth's MMIX constants: `MUL - 1` is a multiple of 4 and `ADD` is odd, so
/// the map has period exactly 2^64 (Hull-Dobell), which makes step counts
/// wrap correctly modulo 2^64 in `jump`.
const MUL: u64 = 6_364_136_223_846_793_005;
const ADD: u64 = 1_442_695_040_888_963_407;

/// The starting value of every protected and thread-local work state.
pub const SEED: u64 = 0x9E37_79B9_7F4A_7C15;

/// What one timed (sampled) acquire costs on top of the operation: two clock
/// reads and a histogram record, rounded up.
const SAMPLE_COST_NS: u64 = 60;
/// An uncontended lock/unlock pair, the cheapest operation measured.
const UNCONTENDED_OP_NS: u64 = 10;

/// How a point's operations run: the work per critical section and which
/// operations are timed.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Steps of `work` inside each critical section.
    pub iters: u64,
    /// An operation is timed when `ops_so_far & sample_mask == 0`.
    pub sample_mask: u64,
}

impl Shape {
    /// The shape for `cs_ns` nanoseconds of work (calibrated, see `iters_for`).
    pub fn for_cs_ns(cs_ns: u64) -> Shape {
        Shape {
            iters: iters_for(cs_ns),
            sample_mask: sample_every(cs_ns) - 1,
        }
    }
}

/// `iters` steps of the work from `x`. Each step passes through `opaque`:
/// without it the optimiser may fold unrolled steps into one multiply-add
/// by constants (the composition of affine maps is affine), which would make
/// a step far cheaper than calibrated. `black_box` would stop that too, but
/// through memory, which makes a step's cost differ between the calibration
/// and the work by up to 2.3x (see `crate::opaque`).
#[inline(always)]
pub fn work(mut x: u64, iters: u64) -> u64 {
    for _ in 0..iters {
        x = opaque(x).wrapping_mul(MUL).wrapping_add(ADD);
    }
    x
}

/// The value `work(x, steps)` returns, in O(log steps): the affine map
/// `x -> MUL x + ADD` raised to the power `steps` by repeated squaring.
pub fn jump(x: u64, steps: u64) -> u64 {
    let (mut total_mul, mut total_add) = (1u64, 0u64);
    let (mut mul, mut add) = (MUL, ADD);
    let mut left = steps;
    while left > 0 {
        if left & 1 == 1 {
            total_mul = mul.wrapping_mul(total_mul);
            total_add = mul.wrapping_mul(total_add).wrapping_add(add);
        }
        add = mul.wrapping_mul(add).wrapping_add(add);
        mul = mul.wrapping_mul(mul);
        left >>= 1;
    }
    total_mul.wrapping_mul(x).wrapping_add(total_add)
}

/// Nanoseconds one step of `work` takes now: the fastest of five runs of
/// 100 000 steps (the minimum is the least disturbed by other processes).
fn ns_per_step() -> f64 {
    const STEPS: u64 = 100_000;
    let mut x = SEED;
    let mut best = f64::MAX;
    for _ in 0..5 {
        let started = Instant::now();
        x = work(black_box(x), black_box(STEPS));
        best = best.min(started.elapsed().as_nanos() as f64 / STEPS as f64);
    }
    black_box(x);
    best.max(0.01)
}

/// How many steps of `work` take about `cs_ns` nanoseconds on this machine
/// (0 for 0, at least 1 otherwise).
pub fn iters_for(cs_ns: u64) -> u64 {
    if cs_ns == 0 {
        0
    } else {
        ((cs_ns as f64 / ns_per_step()).round() as u64).max(1)
    }
}

/// Time one operation in this many (a power of two, used as a mask), so that
/// the clock reads and the histogram cost under 1% of the operations even
/// when they are uncontended: 1024 with no work, 64 at 100 ns, 8 at 1 µs.
pub fn sample_every(cs_ns: u64) -> u64 {
    let ops_per_percent = 100 * SAMPLE_COST_NS / (cs_ns.saturating_add(UNCONTENDED_OP_NS));
    ops_per_percent.next_power_of_two().clamp(8, 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jump_equals_stepping() {
        for steps in [0, 1, 2, 3, 7, 64, 1000, 12_345] {
            assert_eq!(jump(SEED, steps), work(SEED, steps), "{steps} steps");
        }
        assert_ne!(jump(SEED, 1000), jump(SEED, 1001));
    }

    #[test]
    fn jump_composes_and_wraps_at_the_period() {
        assert_eq!(jump(jump(SEED, 500), 700), jump(SEED, 1200));
        // The period is 2^64: u64::MAX steps then one more is the identity.
        assert_eq!(jump(jump(SEED, u64::MAX), 1), SEED);
    }

    #[test]
    fn no_work_is_zero_steps_and_longer_work_is_more() {
        assert_eq!(iters_for(0), 0);
        assert!(iters_for(1) >= 1);
        assert!(iters_for(10_000) > iters_for(100));
    }

    #[test]
    fn sampling_is_rarer_for_cheaper_operations() {
        assert_eq!(sample_every(0), 1024);
        assert_eq!(sample_every(100), 64);
        assert_eq!(sample_every(1000), 8);
        assert_eq!(sample_every(u64::MAX), 8);
        assert!(sample_every(100).is_power_of_two());
    }
}
