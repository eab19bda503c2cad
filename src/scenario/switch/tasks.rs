//! Two tokio tasks on a current-thread runtime taking turns: handing the
//! turn over through a pair of `Notify`s, or by `yield_now` until the turn
//! comes. A switch here is the runtime polling the other task, in user
//! space. A shared turn counter lets both tasks check every hand-off.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};

use anyhow::{Context, ensure};
use tokio::runtime::Runtime;
use tokio::sync::Notify;

use crate::model::placement::{PinGuard, Placement};
use crate::scenario::Trial;
use crate::vocab::Sample;

/// How the tasks hand the turn over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handoff {
    Notify,
    Yield,
}

pub struct Tasks {
    runtime: Runtime,
    handoff: Handoff,
    /// Turns taken by each task (first, second), over all runs.
    turns: [u64; 2],
    /// Rounds asked for over all runs: each task owes one turn per round.
    requested: u64,
    _pin: PinGuard,
}

impl Tasks {
    pub fn start(handoff: Handoff, placement: Placement) -> anyhow::Result<Tasks> {
        // The runtime runs on the calling thread, pinned as the first side.
        let pin = placement.pin_first().map_err(anyhow::Error::msg)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .context("building a current-thread runtime")?;
        Ok(Tasks {
            runtime,
            handoff,
            turns: [0, 0],
            requested: 0,
            _pin: pin,
        })
    }
}

/// One task's part: take turns `parity`, `parity + 2`, ... of `2 * rounds`
/// turns, checking the counter each time; returns the turns it took.
async fn take_turns(
    parity: u64,
    rounds: u64,
    turn: Arc<AtomicU64>,
    handoff: Handoff,
    mine: Arc<Notify>,
    theirs: Arc<Notify>,
) -> Result<u64, String> {
    let mut taken = 0;
    for round in 0..rounds {
        let expected = 2 * round + parity;
        loop {
            let now = turn.load(SeqCst);
            if now == expected {
                break;
            }
            if now > expected {
                return Err(format!(
                    "task {parity} missed turn {expected} (counter at {now})"
                ));
            }
            match handoff {
                Handoff::Notify => mine.notified().await,
                Handoff::Yield => tokio::task::yield_now().await,
            }
        }
        turn.store(expected + 1, SeqCst);
        taken += 1;
        if handoff == Handoff::Notify {
            theirs.notify_one();
        }
    }
    Ok(taken)
}

impl Trial for Tasks {
    /// Spawn the two tasks (once per sample, not per switch) and let them
    /// take `2 * rounds` turns.
    fn run(&mut self, rounds: u64) -> anyhow::Result<Sample> {
        let handoff = self.handoff;
        let started = std::time::Instant::now();
        let taken = self.runtime.block_on(async move {
            let turn = Arc::new(AtomicU64::new(0));
            let (a, b) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
            let first = tokio::spawn(take_turns(
                0,
                rounds,
                turn.clone(),
                handoff,
                a.clone(),
                b.clone(),
            ));
            let second = tokio::spawn(take_turns(1, rounds, turn.clone(), handoff, b, a));
            (first.await, second.await, turn.load(SeqCst))
        });
        let ns = started.elapsed().as_nanos() as u64;
        let (first, second, final_turn) = taken;
        self.requested += rounds;
        let first = first
            .context("the first task")?
            .map_err(anyhow::Error::msg)?;
        let second = second
            .context("the second task")?
            .map_err(anyhow::Error::msg)?;
        self.turns[0] += first;
        self.turns[1] += second;
        ensure!(
            final_turn == 2 * rounds,
            "the turn counter ended at {final_turn}, not {}",
            2 * rounds
        );
        Ok(Sample {
            ops: 2 * rounds,
            ns,
        })
    }

    fn verify(&mut self) -> anyhow::Result<()> {
        ensure!(self.requested > 0, "no rounds were run");
        ensure!(
            self.turns == [self.requested; 2],
            "the tasks took {} and {} turns; each owed one per round, {}",
            self.turns[0],
            self.turns[1],
            self.requested
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_holds_each_task_to_the_rounds_requested() {
        for handoff in [Handoff::Notify, Handoff::Yield] {
            let mut tasks = Tasks::start(handoff, Placement::UNPINNED).expect("starts");
            tasks.run(5).expect("runs");
            tasks.verify().expect("both took 5 turns");
            // A task that took a turn too few, or both too few, is caught.
            tasks.turns[1] -= 1;
            let error = tasks.verify().expect_err("one short").to_string();
            assert!(error.contains("5 and 4 turns"), "{error}");
            tasks.turns = [4, 4];
            assert!(tasks.verify().is_err(), "both short");
        }
    }
}
