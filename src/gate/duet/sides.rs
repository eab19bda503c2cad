//! Which build, and the two builds' workers as the interleaved gate holds them: asked one
//! request at a time, started again when lost, renewed for every block, and
//! run from private copies of the builds' binaries (`copies`).

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
    pub binaries: [std::path::PathBuf; 2],
    workers: [Option<Worker>; 2],
    /// The private copies the workers run from, once made (`copies`).
    copies: Option<Copies>,
}

impl Sides {
    pub fn new(base: Worker, new: Worker) -> Sides {
        Sides {
            binaries: [base.binary().to_path_buf(), new.binary().to_path_buf()],
            workers: [Some(base), Some(new)],
            copies: None,
        }
    }

    /// From the next block on, start every worker from `copies`; they are
    /// kept (and their folder with them) for as long as the sides are.
    pub fn run_from(&mut self, copies: Copies) {
        self.binaries = copies.paths.clone();
        self.copies = Some(copies);
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
