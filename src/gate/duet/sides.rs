//! Which build, and the two builds' workers as the interleaved gate holds them: asked one
//! request at a time, started again when lost, renewed for every block, and
//! run from private copies of the builds' binaries (`copies`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::copies::Copies;
use super::worker::{Failure, Worker};
use crate::harness::protocol::{Reply, Request};

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

/// The other build.
pub(super) fn other(side: Side) -> Side {
    match side {
        Side::Base => Side::New,
        Side::New => Side::Base,
    }
}

/// The two builds' workers; a lost one is started again when next needed.
pub struct Sides {
    /// Each build's binaries: the file given, or its private copies.
    binaries: [Vec<PathBuf>; 2],
    workers: [Option<Worker>; 2],
    /// The private copies the workers run from, once made (`copies`).
    copies: Option<Copies>,
    /// How many times the workers were renewed: which copy runs now.
    renewals: usize,
    /// What the last renewal drew, once there was one.
    drawn: Option<BlockDraw>,
}

/// What a block's workers were started from, recorded with the block so
/// that its ratio can be read against it: which copy of each build (both
/// builds take the same index) and which build was started first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockDraw {
    pub copy: usize,
    pub first: Side,
}

impl Sides {
    pub fn new(base: Worker, new: Worker) -> Sides {
        Sides {
            binaries: [
                vec![base.binary().to_path_buf()],
                vec![new.binary().to_path_buf()],
            ],
            workers: [Some(base), Some(new)],
            copies: None,
            renewals: 0,
            drawn: None,
        }
    }

    /// From the next block on, start every worker from `copies`, the blocks
    /// taking each build's copies in turn; they are kept (and their folder
    /// with them) for as long as the sides are.
    pub fn run_from(&mut self, copies: Copies) {
        self.binaries = copies.paths.clone();
        self.copies = Some(copies);
    }

    /// The binary `slot`'s workers start from now.
    fn binary(&self, slot: usize) -> &Path {
        in_turn(&self.binaries[slot], self.renewals)
    }

    pub(super) fn slot(side: Side) -> usize {
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
            let worker = Worker::start(self.binary(slot)).map_err(Failure::Lost)?;
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
        self.renewals += 1;
        self.drawn = Some(BlockDraw {
            copy: turn(self.binaries[0].len(), self.renewals),
            first,
        });
        for side in [first, other(first)] {
            let slot = Sides::slot(side);
            if let Some(mut old) = self.workers[slot].take() {
                // Its point was dropped (cleaned up) at the end of the last
                // block: nothing is left to lose by killing it.
                old.kill();
            }
            let worker = Worker::start(self.binary(slot)).map_err(|e| (side, Failure::Lost(e)))?;
            self.workers[slot] = Some(worker);
        }
        Ok(())
    }

    /// What the last renewal drew; None before the first.
    pub fn drawn(&self) -> Option<BlockDraw> {
        self.drawn
    }

    pub fn quit(self) {
        for worker in self.workers.into_iter().flatten() {
            worker.quit();
        }
    }
}

/// The binary the `renewals`-th renewal starts: the pool's copies in turn,
/// so that over a point's blocks each copy runs about equally often.
fn in_turn(pool: &[PathBuf], renewals: usize) -> &Path {
    &pool[turn(pool.len(), renewals)]
}

/// Which of a pool of `copies` the `renewals`-th renewal takes.
fn turn(copies: usize, renewals: usize) -> usize {
    renewals % copies
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_take_the_copies_in_turn() {
        let pool: Vec<PathBuf> = ["a0", "a1", "a2"].iter().map(PathBuf::from).collect();
        let taken: Vec<&Path> = (1..=6).map(|r| in_turn(&pool, r)).collect();
        let names: Vec<&str> = taken.iter().map(|p| p.to_str().unwrap()).collect();
        assert_eq!(names, ["a1", "a2", "a0", "a1", "a2", "a0"]);
        assert_eq!(in_turn(&pool[..1], 7), Path::new("a0"));
    }
}
