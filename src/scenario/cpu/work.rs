//! The cpu family's unit of work: one Monte-Carlo chunk (throw `points`
//! seeded random points at the unit square, count those inside the quarter
//! circle), its result folded into an order-independent `Tally`, the split of
//! a round's chunks between workers, and the check of a round against the
//! serial reference.

use std::fmt;
use std::ops::Range;

use crate::scenario::CancelToken;

/// The seed every chunk's generator derives from: fixed, so every model
/// computes the same numbers and the serial reference can be checked.
const SEED: u64 = 0x00c0_ffee_5eed_2024;

/// What one round computes: `chunks` chunks of `points` points, split
/// between `workers` workers.
#[derive(Debug, Clone)]
pub struct Job {
    pub chunks: u64,
    pub points: u64,
    pub workers: u64,
    pub cancel: CancelToken,
}

impl Job {
    /// The tally of worker `worker`'s contiguous share.
    pub fn share_tally(&self, worker: u64) -> Tally {
        Tally::of_range(
            share(self.chunks, self.workers, worker),
            self.points,
            &self.cancel,
        )
    }
}

/// What a set of chunks produced. Adding is commutative, so any split of the
/// chunks between workers, in any order, gives the same tally.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Wrapping sum of one digest per chunk (its index mixed with its hits):
    /// a chunk lost, done twice or done with the wrong index changes it.
    pub digest: u64,
    /// Points that fell inside the quarter circle.
    pub hits: u64,
    /// Chunks counted.
    pub chunks: u64,
}

impl Tally {
    /// The tally of one chunk.
    pub fn of_chunk(index: u64, points: u64) -> Tally {
        let hits = chunk_hits(std::hint::black_box(index), std::hint::black_box(points));
        Tally {
            digest: splitmix64(index.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ hits),
            hits: std::hint::black_box(hits),
            chunks: 1,
        }
    }

    /// The tally of the chunks in `range`, one after another; stops early
    /// (leaving the tally short, so the round fails its check) if cancelled.
    pub fn of_range(range: Range<u64>, points: u64, cancel: &CancelToken) -> Tally {
        let mut tally = Tally::default();
        for index in range {
            if cancel.is_cancelled() {
                break;
            }
            tally = tally + Tally::of_chunk(index, points);
        }
        tally
    }

    /// `digest hits chunks`: how a child process reports a tally on a pipe.
    pub fn to_line(self) -> String {
        format!("{} {} {}", self.digest, self.hits, self.chunks)
    }

    /// Read the first three words of a child's answer as a tally.
    pub fn parse(words: &[&str]) -> Option<Tally> {
        match words {
            [digest, hits, chunks, ..] => Some(Tally {
                digest: digest.parse().ok()?,
                hits: hits.parse().ok()?,
                chunks: chunks.parse().ok()?,
            }),
            _ => None,
        }
    }

    /// The estimate of pi these chunks give (4 x hits / points thrown).
    pub fn pi_estimate(self, points: u64) -> f64 {
        let thrown = self.chunks as f64 * points as f64;
        if thrown == 0.0 {
            0.0
        } else {
            4.0 * self.hits as f64 / thrown
        }
    }
}

impl std::ops::Add for Tally {
    type Output = Tally;

    fn add(self, other: Tally) -> Tally {
        Tally {
            digest: self.digest.wrapping_add(other.digest),
            hits: self.hits.wrapping_add(other.hits),
            chunks: self.chunks.wrapping_add(other.chunks),
        }
    }
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "digest {:#018x}, {} hits in {} chunks",
            self.digest, self.hits, self.chunks
        )
    }
}

/// splitmix64's output function: a strong 64-bit mix.
fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Points of chunk `index` inside the quarter circle. Each point is one
/// wyrand draw split into two 32-bit coordinates; it is inside when
/// x^2 + y^2 < 2^64, that is when the 64-bit sum does not overflow.
fn chunk_hits(index: u64, points: u64) -> u64 {
    let mut state = splitmix64(SEED ^ index);
    let mut hits = 0u64;
    for _ in 0..points {
        state = state.wrapping_add(0xa076_1d64_78bd_642f);
        let wide = u128::from(state) * u128::from(state ^ 0xe703_7ed1_a0b4_28db);
        let draw = (wide >> 64) as u64 ^ wide as u64;
        let (x, y) = (draw >> 32, draw & 0xffff_ffff);
        let (_, outside) = (x * x).overflowing_add(y * y);
        hits += u64::from(!outside);
    }
    hits
}

/// The contiguous share of `chunks` that worker `worker` of `workers` takes:
/// sizes differ by at most one, and the shares cover every chunk once.
pub fn share(chunks: u64, workers: u64, worker: u64) -> Range<u64> {
    let workers = workers.max(1);
    let (base, extra) = (chunks / workers, chunks % workers);
    let start = worker * base + worker.min(extra);
    let len = base + u64::from(worker < extra);
    start..start + len
}

/// Each round's tally against the serial reference: counts the rounds and
/// keeps the first mismatch, which `verdict` reports.
#[derive(Debug, Clone)]
pub struct RoundCheck {
    expected: Tally,
    rounds: u64,
    mismatches: u64,
    first_mismatch: Option<(u64, Tally)>,
}

impl RoundCheck {
    pub fn new(expected: Tally) -> RoundCheck {
        RoundCheck {
            expected,
            rounds: 0,
            mismatches: 0,
            first_mismatch: None,
        }
    }

    pub fn expected(&self) -> Tally {
        self.expected
    }

    /// Record one round's tally.
    pub fn record(&mut self, got: Tally) {
        self.rounds += 1;
        if got != self.expected {
            self.mismatches += 1;
            self.first_mismatch.get_or_insert((self.rounds, got));
        }
    }

    /// Ok when at least one round ran and every round matched the reference.
    pub fn verdict(&self) -> Result<(), String> {
        if self.rounds == 0 {
            return Err("no round was checked".into());
        }
        match self.first_mismatch {
            None => Ok(()),
            Some((round, got)) => Err(format!(
                "{} of {} rounds gave the wrong checksum; round {round} gave {got}, the serial reference is {}",
                self.mismatches, self.rounds, self.expected
            )),
        }
    }
}

/// The tallies computed once and kept, in the one table the CPython port
/// checks too (`KNOWN_TALLIES` in runtimes/python/concbench_runtime/
/// montecarlo.py): each (chunks, points) with its tally.
#[cfg(test)]
pub(super) fn kept_tallies() -> Vec<(Range<u64>, u64, Tally)> {
    let source = include_str!("../../../runtimes/python/concbench_runtime/montecarlo.py");
    let table = source
        .split_once("KNOWN_TALLIES = (")
        .and_then(|(_, rest)| rest.split_once("\n)"))
        .map(|(table, _)| table)
        .unwrap_or_default();
    table
        .lines()
        .filter(|line| line.trim_start().starts_with("(("))
        .map(|line| {
            let n: Vec<u64> = line
                .split(|c: char| !c.is_ascii_digit())
                .filter(|w| !w.is_empty())
                .map(|w| w.parse().expect("a number"))
                .collect();
            let tally = Tally {
                digest: n[3],
                hits: n[4],
                chunks: n[5],
            };
            (n[0]..n[1], n[2], tally)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chunks_give_the_tallies_computed_once_and_kept() {
        let kept = kept_tallies();
        assert!(kept.len() >= 8, "several sizes kept: {kept:?}");
        for (range, points, tally) in kept {
            assert_eq!(
                Tally::of_range(range.clone(), points, &CancelToken::default()),
                tally,
                "chunks {range:?} of {points} points"
            );
        }
    }

    fn serial(chunks: u64, points: u64) -> Tally {
        Tally::of_range(0..chunks, points, &CancelToken::default())
    }

    #[test]
    fn any_split_gives_the_serial_tally() {
        let expected = serial(13, 200);
        for workers in 1..=20 {
            let parts: Vec<Range<u64>> = (0..workers).map(|w| share(13, workers, w)).collect();
            assert_eq!(parts.iter().map(|r| r.end - r.start).sum::<u64>(), 13);
            let mut tally = Tally::default();
            for part in parts.into_iter().rev() {
                tally = tally + Tally::of_range(part, 200, &CancelToken::default());
            }
            assert_eq!(tally, expected, "{workers} workers");
        }
    }

    #[test]
    fn shares_are_contiguous_and_balanced() {
        let shares: Vec<Range<u64>> = (0..3).map(|w| share(10, 3, w)).collect();
        assert_eq!(shares, vec![0..4, 4..7, 7..10]);
        assert_eq!(share(2, 4, 3), 2..2, "more workers than chunks: some idle");
    }

    #[test]
    fn the_estimate_is_close_to_pi() {
        let tally = serial(20, 10_000);
        assert!((tally.pi_estimate(10_000) - std::f64::consts::PI).abs() < 0.02);
    }

    #[test]
    fn a_chunk_done_twice_instead_of_another_changes_the_tally() {
        let right = Tally::of_chunk(0, 100) + Tally::of_chunk(1, 100);
        let wrong = Tally::of_chunk(0, 100) + Tally::of_chunk(0, 100);
        assert_ne!(right, wrong);
    }

    #[test]
    fn a_corrupted_round_fails_verification() {
        let expected = serial(4, 100);
        let mut check = RoundCheck::new(expected);
        check.record(expected);
        assert_eq!(check.verdict(), Ok(()));
        check.record(Tally {
            hits: expected.hits + 1,
            ..expected
        });
        check.record(expected);
        let error = check.verdict().expect_err("a wrong hit count is caught");
        assert!(error.contains("1 of 3 rounds"), "{error}");
        assert!(error.contains("round 2"), "{error}");
    }

    #[test]
    fn no_round_is_not_a_pass() {
        assert!(RoundCheck::new(Tally::default()).verdict().is_err());
    }

    #[test]
    fn a_cancelled_range_comes_up_short() {
        let cancel = CancelToken::default();
        cancel.cancel();
        assert_eq!(Tally::of_range(0..5, 10, &cancel).chunks, 0);
    }

    #[test]
    fn tallies_survive_the_pipe() {
        let tally = serial(3, 50);
        let line = tally.to_line();
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(Tally::parse(&words), Some(tally));
        assert_eq!(Tally::parse(&["1", "x", "3"]), None);
        assert_eq!(Tally::parse(&["1"]), None);
    }
}
