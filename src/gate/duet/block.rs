//! One block of the interleaved gate: both builds set up the point afresh
//! and warm it up, then take samples of the same number of rounds in pairs,
//! a fair coin choosing which side goes first in each pair, then verify and
//! drop. A block's figure is the mean of its pairs' ln(new / base) of the
//! time per operation; fresh trials per block make the blocks independent.
//! What each side gathers over all its blocks is `pool`.

use std::time::{Duration, Instant};

use crate::harness::protocol::{BuildSpec, Reply, Request};
use crate::results::PlacementClass;
use crate::vocab::Sample;

use super::check::{SideCheck, same_count};
pub use super::pool::{SideBlock, SideRecord};
use super::sides::other;
pub use super::sides::{BlockDraw, Side, Sides};
use super::worker::Failure;

/// How a block is run.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Warm-up of each side's fresh trial.
    pub warmup: Duration,
    /// The two sides' warm-ups alternate in this many slices (1: one side's
    /// whole warm-up, then the other's).
    pub warm_slices: u32,
    /// What one sample should last.
    pub sample: Duration,
    /// Pairs are taken until the block has lasted this long (at least 2).
    pub block: Duration,
    pub max_pairs: usize,
    /// Deadline of any one request.
    pub timeout: Duration,
}

impl Shape {
    /// The shape in words, for the gate's method line: "up to 8 pairs of
    /// 4ms samples after a 30ms warm-up in 3 alternating slices".
    pub fn describe(&self) -> String {
        let slices = match self.warm_slices {
            0 | 1 => String::new(),
            n => format!(" in {n} alternating slices"),
        };
        format!(
            "up to {} pairs of {}ms samples after a {}ms warm-up{slices}",
            self.max_pairs,
            self.sample.as_millis(),
            self.warmup.as_millis()
        )
    }
}

/// How a block ended.
pub enum BlockEnd {
    Done {
        log_ratio: f64,
        pairs: usize,
        /// Pairs whose two samples ran in different placements, left out
        /// of `log_ratio` (see `like_with_like`).
        set_aside: usize,
        sides: Box<[SideBlock; 2]>,
    },
    /// One side declined the point before it started (a machine limit).
    Skipped { side: Side, why: String },
    /// One side failed: an error, a failed verification, a timeout.
    Failed { side: Side, failure: Failure },
    /// The replies cannot be compared: a build's counting changed, or its
    /// times contradict the controller's clock (`check`).
    NotComparable { why: String },
}

/// Run one block of `specs` (base's, new's).
pub fn run(
    sides: &mut Sides,
    specs: &[BuildSpec; 2],
    shape: &Shape,
    rng: &mut fastrand::Rng,
) -> BlockEnd {
    let first = if rng.bool() { Side::Base } else { Side::New };
    if let Err((side, failure)) = sides.renew(first) {
        return BlockEnd::Failed { side, failure };
    }
    match pairs(sides, specs, shape, rng) {
        Ok(end) => {
            for side in [Side::Base, Side::New] {
                let _ = sides.ask(side, &Request::Drop, shape.timeout);
            }
            end
        }
        Err((side, failure)) => {
            let _ = sides.ask(other(side), &Request::Drop, shape.timeout);
            let _ = sides.ask(side, &Request::Drop, shape.timeout);
            BlockEnd::Failed { side, failure }
        }
    }
}

type Attempt<T> = Result<T, (Side, Failure)>;

/// How many trivial requests measure each side's protocol overhead.
const PROBES: usize = 2;

fn pairs(
    sides: &mut Sides,
    specs: &[BuildSpec; 2],
    shape: &Shape,
    rng: &mut fastrand::Rng,
) -> Attempt<BlockEnd> {
    let first = if rng.bool() { Side::Base } else { Side::New };
    let mut checks = [SideCheck::new("base"), SideCheck::new("new")];
    for side in [first, other(first)] {
        // `drop` with nothing built is the protocol's trivial request.
        for _ in 0..PROBES {
            let began = Instant::now();
            match ask(sides, side, &Request::Drop, shape.timeout)? {
                Reply::Dropped => checks[Sides::slot(side)].probe(began.elapsed()),
                other => return Err((side, unexpected(&other))),
            }
        }
    }
    for side in [first, other(first)] {
        let build = Request::Build(specs[Sides::slot(side)].clone());
        match ask(sides, side, &build, shape.timeout)? {
            Reply::Built => {}
            Reply::Skipped(why) => return Ok(BlockEnd::Skipped { side, why }),
            other => return Err((side, unexpected(&other))),
        }
    }
    let rounds = warm(sides, first, shape)?;
    let mut sampled = match sample_pairs(sides, rounds, shape, rng, &mut checks)? {
        Ok(sampled) => sampled,
        Err(why) => return Ok(BlockEnd::NotComparable { why }),
    };
    for side in [Side::Base, Side::New] {
        match ask(sides, side, &Request::Verify, shape.timeout)? {
            Reply::Verified(v) => sampled.blocks[Sides::slot(side)].verified = Some(*v),
            other => return Err((side, unexpected(&other))),
        }
    }
    let (log_ratio, set_aside) = like_with_like(&sampled.pairs);
    Ok(BlockEnd::Done {
        log_ratio,
        pairs: sampled.pairs.len(),
        set_aside,
        sides: Box::new(sampled.blocks),
    })
}

/// Warm both sides up, in up to `shape.warm_slices` alternating slices;
/// the rounds that make a sample on the slower one (by each side's last
/// slice). Slices make both trials have run about as long, and as lately,
/// when sampling starts: a trial's speed changes some 25-40 ms after it is
/// built (docs/measurements/2026-12-06-trial-draw-and-extension.md). A side
/// gets no more slices once it has warmed for the whole warm-up: where one
/// round outlasts a slice (a thousand threads started, sleepers), slicing
/// would only multiply the warm-up.
fn warm(sides: &mut Sides, first: Side, shape: &Shape) -> Attempt<u64> {
    let slices = shape.warm_slices.max(1);
    let warm = Request::Warm {
        warmup_ms: (shape.warmup / slices).as_millis() as u64,
        target_ns: shape.sample.as_nanos() as u64,
    };
    let mut last = [u64::MAX; 2];
    let mut warmed = [Duration::ZERO; 2];
    for _ in 0..slices {
        for side in [first, other(first)] {
            let slot = Sides::slot(side);
            if warmed[slot] >= shape.warmup {
                continue;
            }
            let began = Instant::now();
            match ask(sides, side, &warm, shape.timeout)? {
                Reply::Warmed { rounds, .. } => last[slot] = rounds,
                other => return Err((side, unexpected(&other))),
            }
            warmed[slot] += began.elapsed();
        }
    }
    Ok(last[0].min(last[1]))
}

/// A block's pairs: each side's samples, and each pair's log ratio with
/// where the two samples' parties ran.
struct Sampled {
    blocks: [SideBlock; 2],
    pairs: Vec<Pair>,
}

/// One pair's ln(new / base) of the time per operation, and each side's
/// observed placement (None: that build does not report it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pair {
    pub log_ratio: f64,
    pub base: Option<PlacementClass>,
    pub new: Option<PlacementClass>,
}

impl Pair {
    /// Both samples' parties ran in the same placement, or a side cannot say.
    fn like(&self) -> bool {
        match (self.base, self.new) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }
}

/// A block's figure, placement stratified: the mean log ratio of the pairs
/// whose two samples ran alike (both on one CPU, both spread, ...), so that
/// which placement each build drew stops adding to the build-to-build
/// ratio; all pairs when none ran alike. Under no change the two builds
/// are exchangeable, placements included, so the set kept is too and the
/// block's ratio stays symmetric about 0. Returns it and how many pairs
/// were set aside.
pub fn like_with_like(pairs: &[Pair]) -> (f64, usize) {
    let alike: Vec<f64> = pairs
        .iter()
        .filter(|p| p.like())
        .map(|p| p.log_ratio)
        .collect();
    let kept: Vec<f64> = if alike.is_empty() {
        pairs.iter().map(|p| p.log_ratio).collect()
    } else {
        alike
    };
    let mean = kept.iter().sum::<f64>() / kept.len().max(1) as f64;
    (mean, pairs.len() - kept.len())
}

/// The most pairs a block takes while looking for two that ran alike.
const MOST_PAIRS_FACTOR: usize = 3;

/// Take pairs of samples of `rounds` for the block's time, each reply
/// checked (`check`); Ok(Err(why)) when they are not comparable.
fn sample_pairs(
    sides: &mut Sides,
    rounds: u64,
    shape: &Shape,
    rng: &mut fastrand::Rng,
    checks: &mut [SideCheck; 2],
) -> Attempt<Result<Sampled, String>> {
    let mut sampled = Sampled {
        blocks: [SideBlock::default(), SideBlock::default()],
        pairs: Vec::new(),
    };
    let began = Instant::now();
    let alike = |pairs: &[Pair]| pairs.iter().filter(|p| p.like()).count();
    let most = shape.max_pairs * MOST_PAIRS_FACTOR;
    while sampled.pairs.len() < 2
        || (sampled.pairs.len() < shape.max_pairs && began.elapsed() < shape.block)
        || (alike(&sampled.pairs) < 2 && sampled.pairs.len() < most)
    {
        let first = if rng.bool() { Side::Base } else { Side::New };
        let mut pair = [(Sample { ops: 1, ns: 1 }, None); 2];
        for side in [first, other(first)] {
            let (sample, asked, placement) = take_sample(sides, side, rounds, shape.timeout)?;
            if let Err(why) = checks[Sides::slot(side)].sample(rounds, sample, asked) {
                return Ok(Err(why));
            }
            pair[Sides::slot(side)] = (sample, placement);
            sampled.blocks[Sides::slot(side)].samples.push(sample);
        }
        let [(base, base_placement), (new, new_placement)] = pair;
        if let Err(why) = same_count(rounds, base, new) {
            return Ok(Err(why));
        }
        let per_op = |s: Sample| s.ns.max(1) as f64 / s.ops.max(1) as f64;
        sampled.pairs.push(Pair {
            log_ratio: (per_op(new) / per_op(base)).ln(),
            base: base_placement,
            new: new_placement,
        });
    }
    let verdicts = checks.iter().map(SideCheck::finish);
    Ok(verdicts.collect::<Result<(), String>>().map(|()| sampled))
}

/// One sample of `rounds` on `side`, how long its request took by the
/// controller's clock, and where its parties ran (if the build says).
fn take_sample(
    sides: &mut Sides,
    side: Side,
    rounds: u64,
    deadline: Duration,
) -> Attempt<(Sample, Duration, Option<PlacementClass>)> {
    let began = Instant::now();
    match ask(sides, side, &Request::Sample { rounds }, deadline)? {
        Reply::Sample { ops, ns, placement } if ops > 0 => {
            Ok((Sample { ops, ns }, began.elapsed(), placement))
        }
        other => Err((side, unexpected(&other))),
    }
}

fn ask(sides: &mut Sides, side: Side, request: &Request, deadline: Duration) -> Attempt<Reply> {
    sides.ask(side, request, deadline).map_err(|f| (side, f))
}

fn unexpected(reply: &Reply) -> Failure {
    Failure::Lost(format!("an answer out of turn: `{}`", reply.line()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use PlacementClass::{SameCpu, Spread};

    fn pair(log_ratio: f64, base: Option<PlacementClass>, new: Option<PlacementClass>) -> Pair {
        Pair {
            log_ratio,
            base,
            new,
        }
    }

    #[test]
    fn pairs_that_ran_alike_make_the_block_and_the_others_are_set_aside() {
        // Same code on both sides: alike, the ratio is about 1; when one
        // build's sample ran spread (4x slower) and the other's on one CPU,
        // the pair measures placement, not code.
        let pairs = [
            pair(0.01, Some(SameCpu), Some(SameCpu)),
            pair(1.39, Some(SameCpu), Some(Spread)),
            pair(-0.01, Some(Spread), Some(Spread)),
            pair(-1.38, Some(Spread), Some(SameCpu)),
        ];
        let (log_ratio, set_aside) = like_with_like(&pairs);
        assert!(log_ratio.abs() < 1e-12, "{log_ratio}");
        assert_eq!(set_aside, 2);
        // A build that does not say where it ran is paired as before.
        let unknown = [
            pair(0.2, None, Some(Spread)),
            pair(0.4, Some(SameCpu), None),
        ];
        assert_eq!(like_with_like(&unknown), (0.30000000000000004, 0));
        // None alike: all pairs, rather than no figure.
        let unlike = [
            pair(1.0, Some(SameCpu), Some(Spread)),
            pair(3.0, Some(Spread), Some(SameCpu)),
        ];
        assert_eq!(like_with_like(&unlike), (2.0, 0));
    }
}
