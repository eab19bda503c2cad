//! One block of the interleaved gate: both builds set up the point afresh
//! and warm it up, then take samples of the same number of rounds in pairs,
//! a fair coin choosing which side goes first in each pair, then verify and
//! drop. A block's figure is the mean of its pairs' ln(new / base) of the
//! time per operation; fresh trials per block make the blocks independent.
//! What each side gathers over all its blocks is `pool`.

use std::time::{Duration, Instant};

use crate::harness::protocol::{BuildSpec, Reply, Request};
use crate::vocab::Sample;

use super::check::{SideCheck, same_count};
pub use super::pool::{SideBlock, SideRecord};
use super::worker::{Failure, Worker};

/// Which build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Base,
    New,
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Base => "base",
            Side::New => "new",
        }
    }
}

/// How a block is run.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Warm-up of each side's fresh trial.
    pub warmup: Duration,
    /// What one sample should last.
    pub sample: Duration,
    /// Pairs are taken until the block has lasted this long (at least 2).
    pub block: Duration,
    pub max_pairs: usize,
    /// Deadline of any one request.
    pub timeout: Duration,
}

/// The two builds' workers; a lost one is started again when next needed.
pub struct Sides {
    pub binaries: [std::path::PathBuf; 2],
    workers: [Option<Worker>; 2],
}

impl Sides {
    pub fn new(base: Worker, new: Worker) -> Sides {
        Sides {
            binaries: [base.binary().to_path_buf(), new.binary().to_path_buf()],
            workers: [Some(base), Some(new)],
        }
    }

    fn slot(side: Side) -> usize {
        side as usize
    }

    pub fn ask(
        &mut self,
        side: Side,
        request: &Request,
        deadline: Duration,
    ) -> Result<Reply, Failure> {
        let slot = Sides::slot(side);
        if self.workers[slot].is_none() {
            if let Some(signal) = crate::interrupt::received() {
                return Err(Failure::Interrupted(signal));
            }
            let worker = Worker::start(&self.binaries[slot]).map_err(Failure::Lost)?;
            self.workers[slot] = Some(worker);
        }
        let worker = self.workers[slot].as_mut().expect("started above");
        let reply = worker.ask(request, deadline);
        if matches!(
            reply,
            Err(Failure::TimedOut(_) | Failure::Lost(_) | Failure::Interrupted(_))
        ) && let Some(mut lost) = self.workers[slot].take()
        {
            lost.kill();
        }
        reply
    }

    /// Start both builds' workers afresh: every block gets new processes,
    /// so that nothing a process carries (its heap's layout, a calibration
    /// made once) is shared by two blocks, and blocks stay independent.
    /// `first` starts first (the caller tosses the coin).
    pub fn renew(&mut self, first: Side) -> Result<(), (Side, Failure)> {
        for side in [first, other(first)] {
            let slot = Sides::slot(side);
            if let Some(mut old) = self.workers[slot].take() {
                // Its point was dropped (cleaned up) at the end of the last
                // block: nothing is left to lose by killing it.
                old.kill();
            }
            let worker =
                Worker::start(&self.binaries[slot]).map_err(|e| (side, Failure::Lost(e)))?;
            self.workers[slot] = Some(worker);
        }
        Ok(())
    }

    pub fn quit(self) {
        for worker in self.workers.into_iter().flatten() {
            worker.quit();
        }
    }
}

/// How a block ended.
pub enum BlockEnd {
    Done {
        log_ratio: f64,
        pairs: usize,
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

fn other(side: Side) -> Side {
    match side {
        Side::Base => Side::New,
        Side::New => Side::Base,
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
    Ok(BlockEnd::Done {
        log_ratio: sampled.sum / sampled.pairs as f64,
        pairs: sampled.pairs,
        sides: Box::new(sampled.blocks),
    })
}

/// Warm both sides up; the rounds that make a sample on the slower one.
fn warm(sides: &mut Sides, first: Side, shape: &Shape) -> Attempt<u64> {
    let warm = Request::Warm {
        warmup_ms: shape.warmup.as_millis() as u64,
        target_ns: shape.sample.as_nanos() as u64,
    };
    let mut rounds = u64::MAX;
    for side in [first, other(first)] {
        match ask(sides, side, &warm, shape.timeout)? {
            Reply::Warmed { rounds: fits, .. } => rounds = rounds.min(fits),
            other => return Err((side, unexpected(&other))),
        }
    }
    Ok(rounds)
}

/// A block's pairs: each side's samples and the sum of the pairs' log ratios.
struct Sampled {
    blocks: [SideBlock; 2],
    sum: f64,
    pairs: usize,
}

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
        sum: 0.0,
        pairs: 0,
    };
    let began = Instant::now();
    while sampled.pairs < 2 || (sampled.pairs < shape.max_pairs && began.elapsed() < shape.block) {
        let first = if rng.bool() { Side::Base } else { Side::New };
        let mut pair = [Sample { ops: 1, ns: 1 }; 2];
        for side in [first, other(first)] {
            let (sample, asked) = take_sample(sides, side, rounds, shape.timeout)?;
            if let Err(why) = checks[Sides::slot(side)].sample(rounds, sample, asked) {
                return Ok(Err(why));
            }
            pair[Sides::slot(side)] = sample;
            sampled.blocks[Sides::slot(side)].samples.push(sample);
        }
        let [base, new] = pair;
        if let Err(why) = same_count(rounds, base, new) {
            return Ok(Err(why));
        }
        let per_op = |s: Sample| s.ns.max(1) as f64 / s.ops.max(1) as f64;
        sampled.sum += (per_op(new) / per_op(base)).ln();
        sampled.pairs += 1;
    }
    let verdicts = checks.iter().map(SideCheck::finish);
    Ok(verdicts.collect::<Result<(), String>>().map(|()| sampled))
}

/// One sample of `rounds` on `side`, and how long its request took by
/// the controller's clock.
fn take_sample(
    sides: &mut Sides,
    side: Side,
    rounds: u64,
    deadline: Duration,
) -> Attempt<(Sample, Duration)> {
    let began = Instant::now();
    match ask(sides, side, &Request::Sample { rounds }, deadline)? {
        Reply::Sample { ops, ns } if ops > 0 => Ok((Sample { ops, ns }, began.elapsed())),
        other => Err((side, unexpected(&other))),
    }
}

fn ask(sides: &mut Sides, side: Side, request: &Request, deadline: Duration) -> Attempt<Reply> {
    sides.ask(side, request, deadline).map_err(|f| (side, f))
}

fn unexpected(reply: &Reply) -> Failure {
    Failure::Lost(format!("an answer out of turn: `{}`", reply.line()))
}
