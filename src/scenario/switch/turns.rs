//! Two sides taking turns through one shared word, waiting either on a futex
//! (a kernel sleep and wake-up per turn: a context switch) or by calling
//! `sched_yield` until the turn comes. The word counts the turns: even is
//! this side's, odd the peer's, so both sides can check that no turn was
//! lost or doubled. The peer is a thread or a forked child (shared mapping).

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::thread::JoinHandle;

use anyhow::{Context, bail, ensure};
use nix::unistd::Pid;

use crate::model::futex::{self, Scope};
use crate::model::placement::{PinGuard, Placement, pin_current};
use crate::model::process::{fork_child, wait_exit_ok};
use crate::model::shared_memory::SharedRegion;
use crate::scenario::Trial;
use crate::vocab::Sample;

/// Word: the turn counter. Counter: turns the peer took.
const TURN: usize = 0;
/// Word (on another cache line): raised to ask the peer to stop.
const STOP: usize = 16;
const PEER_TURNS: usize = 0;
/// Exit code of a peer that found the counter at an unexpected value.
const OUT_OF_TURN: i32 = 3;

/// How a side waits for its turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiting {
    Futex(Scope),
    Yield,
}

enum Peer {
    Thread(JoinHandle<i32>),
    Process(Pid),
    Stopped,
}

pub struct Turns {
    region: Arc<SharedRegion>,
    waiting: Waiting,
    peer: Peer,
    round_trips: u64,
    _pin: PinGuard,
}

impl Turns {
    pub fn start(process: bool, waiting: Waiting, placement: Placement) -> anyhow::Result<Turns> {
        let region = Arc::new(SharedRegion::new(0)?);
        let pin = placement.pin_first().map_err(anyhow::Error::msg)?;
        let (theirs, cpu) = (Arc::clone(&region), placement.second);
        let peer = if process {
            Peer::Process(fork_child(move || {
                if let Some(cpu) = cpu {
                    let _ = pin_current(cpu);
                }
                let code = take_turns(&theirs, waiting);
                std::mem::forget(theirs);
                code
            })?)
        } else {
            let handle = std::thread::Builder::new()
                .name("switch-peer".into())
                .spawn(move || {
                    if let Some(cpu) = cpu {
                        let _ = pin_current(cpu);
                    }
                    take_turns(&theirs, waiting)
                })
                .context("starting the peer thread")?;
            Peer::Thread(handle)
        };
        let mut turns = Turns {
            region,
            waiting,
            peer,
            round_trips: 0,
            _pin: pin,
        };
        // One untimed round trip: the peer is running before warm-up starts.
        turns.run(1)?;
        Ok(turns)
    }

    fn turn(&self) -> &AtomicU32 {
        &self.region.words()[TURN]
    }

    /// Stop the peer (raise the flag, then hand it a turn) and reap it.
    fn stop_peer(&mut self) -> anyhow::Result<i32> {
        self.region.words()[STOP].store(1, SeqCst);
        self.turn().fetch_add(1, SeqCst);
        wake(self.turn(), self.waiting);
        match std::mem::replace(&mut self.peer, Peer::Stopped) {
            Peer::Thread(handle) => handle
                .join()
                .map_err(|_| anyhow::anyhow!("the peer thread panicked")),
            Peer::Process(pid) => wait_exit_ok(pid).map(|()| 0),
            Peer::Stopped => bail!("the peer was already stopped"),
        }
    }
}

fn wake(word: &AtomicU32, waiting: Waiting) {
    if let Waiting::Futex(scope) = waiting {
        let _ = futex::wake(word, 1, scope);
    }
}

/// Wait while `word` holds `value` (and `stop`, if given, is not raised).
fn wait_while(word: &AtomicU32, value: u32, waiting: Waiting, stop: Option<&AtomicU32>) {
    while word.load(SeqCst) == value && stop.is_none_or(|s| s.load(SeqCst) == 0) {
        match waiting {
            Waiting::Futex(scope) => {
                let _ = futex::wait(word, value, scope);
            }
            Waiting::Yield => {
                let _ = nix::sched::sched_yield();
            }
        }
    }
}

/// The peer: take every odd turn until asked to stop. Async-signal-safe.
fn take_turns(region: &SharedRegion, waiting: Waiting) -> i32 {
    let (turn, stop) = (&region.words()[TURN], &region.words()[STOP]);
    let mut mine = 1u32;
    loop {
        wait_while(turn, mine.wrapping_sub(1), waiting, Some(stop));
        if stop.load(SeqCst) != 0 {
            return 0;
        }
        if turn.load(SeqCst) != mine {
            return OUT_OF_TURN;
        }
        region.counters()[PEER_TURNS].fetch_add(1, SeqCst);
        mine = mine.wrapping_add(2);
        turn.store(mine.wrapping_sub(1), SeqCst);
        wake(turn, waiting);
    }
}

impl Trial for Turns {
    /// Each round trip is two switches: to the peer and back.
    fn run(&mut self, rounds: u64) -> anyhow::Result<Sample> {
        let started = std::time::Instant::now();
        for _ in 0..rounds {
            let ours = self.turn().load(SeqCst);
            self.turn().store(ours.wrapping_add(1), SeqCst);
            wake(self.turn(), self.waiting);
            wait_while(self.turn(), ours.wrapping_add(1), self.waiting, None);
            let now = self.turn().load(SeqCst);
            ensure!(
                now == ours.wrapping_add(2),
                "after round trip {}: the turn counter is {now}, not {}",
                self.round_trips,
                ours.wrapping_add(2)
            );
            self.round_trips += 1;
        }
        Ok(Sample {
            ops: 2 * rounds,
            ns: started.elapsed().as_nanos() as u64,
        })
    }

    fn verify(&mut self) -> anyhow::Result<()> {
        let code = self.stop_peer()?;
        ensure!(code == 0, "the peer took a turn out of order (code {code})");
        let peer_turns = self.region.counters()[PEER_TURNS].load(SeqCst);
        ensure!(
            peer_turns == self.round_trips,
            "the peer took {peer_turns} turns in {} round trips",
            self.round_trips
        );
        Ok(())
    }
}

impl Drop for Turns {
    fn drop(&mut self) {
        match std::mem::replace(&mut self.peer, Peer::Stopped) {
            Peer::Process(pid) => {
                let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
                let _ = nix::sys::wait::waitpid(pid, None);
            }
            thread @ Peer::Thread(_) => {
                self.peer = thread;
                let _ = self.stop_peer();
            }
            Peer::Stopped => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peer_handed_a_turn_it_did_not_expect_says_so() {
        let region = SharedRegion::new(0).expect("region");
        region.words()[TURN].store(5, SeqCst);
        assert_eq!(take_turns(&region, Waiting::Yield), OUT_OF_TURN);
        region.words()[STOP].store(1, SeqCst);
        assert_eq!(take_turns(&region, Waiting::Yield), 0, "a stop wins");
    }
}
