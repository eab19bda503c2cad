//! One cache line handed between two sides pinned to two given CPUs, as
//! core-to-core-latency does it: a compare-and-swap ping-pong on one line
//! (each side swaps the line's count from the peer's value to its own), or
//! one-way messages (this side writes a sequence number into one line, the
//! peer echoes it into a second line it alone writes). Both sides count
//! every round trip and check every value they see, so a lost or doubled
//! turn fails the point. The peer is a thread or a forked child sharing the
//! mapping; on one CPU each side yields while it waits (spinning would hold
//! the CPU the other side needs).

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release, SeqCst};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;

pub use super::peer::Protocol;
use super::peer::{
    ECHO, GATE, LINE, PARKED, PEER_CPU, PEER_STATE, PEER_TURNS, PIN_FAILED, READY, SPINS_PER_CHECK,
    STOP, peer_side,
};
use crate::model::futex::{self, Scope};
use crate::model::placement::{PinGuard, Placement, spawn_pinned};
use crate::model::process::{fork_child, wait_exit_ok};
use crate::model::shared_memory::SharedRegion;
use crate::scenario::{CancelToken, Trial};
use crate::vocab::Sample;

enum Peer {
    Thread(JoinHandle<()>),
    Process(Pid),
    Stopped,
}

pub struct Line {
    region: Arc<SharedRegion>,
    protocol: Protocol,
    /// Yield while waiting (both sides on one CPU) rather than spin.
    yielding: bool,
    peer: Peer,
    round_trips: u64,
    cancel: CancelToken,
    _pin: PinGuard,
}

/// Where and how the two sides run.
pub struct Setup {
    pub protocol: Protocol,
    pub cpus: (usize, usize),
    pub process: bool,
    pub cancel: CancelToken,
}

impl Line {
    pub fn start(setup: Setup) -> anyhow::Result<Line> {
        let region = Arc::new(SharedRegion::new(0)?);
        let (a, b) = setup.cpus;
        let placement = Placement {
            first: Some(a),
            second: Some(b),
        };
        let pin = placement.pin_first().map_err(anyhow::Error::msg)?;
        let (protocol, yielding) = (setup.protocol, a == b);
        let theirs = Arc::clone(&region);
        let peer = if setup.process {
            Peer::Process(fork_child(move || {
                let code = peer_side(&theirs, protocol, yielding, Some(b));
                std::mem::forget(theirs);
                code
            })?)
        } else {
            let builder = std::thread::Builder::new().name("c2c-peer".into());
            let (handle, _) = spawn_pinned(builder, Some(b), move || {
                peer_side(&theirs, protocol, yielding, None);
            })?;
            Peer::Thread(handle)
        };
        let mut line = Line {
            region,
            protocol,
            yielding,
            peer,
            round_trips: 0,
            cancel: setup.cancel,
            _pin: pin,
        };
        line.await_ready(b)?;
        // One untimed round trip: both sides are running before warm-up.
        line.run(1)?;
        Ok(line)
    }

    fn counter(&self, index: usize) -> &AtomicU64 {
        &self.region.counters()[index]
    }

    /// Wait until the peer says it is pinned, and check it runs on `cpu`.
    fn await_ready(&mut self, cpu: usize) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.counter(PEER_STATE).load(Acquire) {
                READY => break,
                PIN_FAILED => bail!("the peer could not be pinned to CPU {cpu}"),
                _ if Instant::now() > deadline => bail!("the peer did not start in 10 s"),
                _ => std::thread::sleep(Duration::from_micros(100)),
            }
            if let Err(ended) = self.check_peer() {
                // A peer that could not pin itself says so, then ends: it may
                // have done both since the state was read.
                if self.counter(PEER_STATE).load(Acquire) == PIN_FAILED {
                    bail!("the peer could not be pinned to CPU {cpu}");
                }
                return Err(ended);
            }
        }
        let seen = self.counter(PEER_CPU).load(Acquire);
        ensure!(
            seen == cpu as u64,
            "the peer was pinned to CPU {cpu} but ran on CPU {seen}"
        );
        Ok(())
    }

    /// Fail when the peer has ended (it never ends on its own while running).
    fn check_peer(&mut self) -> anyhow::Result<()> {
        let ended = match &self.peer {
            Peer::Thread(handle) => handle.is_finished(),
            Peer::Process(pid) => !matches!(
                waitpid(*pid, Some(WaitPidFlag::WNOHANG)),
                Ok(WaitStatus::StillAlive)
            ),
            Peer::Stopped => true,
        };
        if ended {
            self.peer = Peer::Stopped;
            bail!("the peer ended during round trip {}", self.round_trips);
        }
        Ok(())
    }

    /// One failed spin: yield where both sides share a CPU, and now and then
    /// look at the watchdog's flag and the peer.
    fn waited(&mut self, spins: &mut u64) -> anyhow::Result<()> {
        if self.yielding {
            let _ = nix::sched::sched_yield();
        } else {
            std::hint::spin_loop();
        }
        *spins += 1;
        if spins.is_multiple_of(SPINS_PER_CHECK) {
            ensure!(!self.cancel.is_cancelled(), "stopped by the watchdog");
            self.check_peer()?;
        }
        Ok(())
    }

    /// Take this side's turn: swap the line from 2k to 2k+1.
    fn cas_turn(&mut self) -> anyhow::Result<()> {
        let ours = 2 * self.round_trips;
        let mut spins = 0;
        loop {
            match self
                .counter(LINE)
                .compare_exchange(ours, ours + 1, AcqRel, Acquire)
            {
                Ok(_) => return Ok(()),
                Err(now) if now + 1 == ours => self.waited(&mut spins)?,
                Err(now) => bail!(
                    "round trip {}: the line held {now}, not {ours} or {}",
                    self.round_trips,
                    ours - 1
                ),
            }
        }
    }

    /// Wait until `line` holds `want`, having held `before` meanwhile.
    fn await_value(&mut self, index: usize, want: u64, before: u64) -> anyhow::Result<()> {
        let mut spins = 0;
        loop {
            match self.counter(index).load(Acquire) {
                now if now == want => return Ok(()),
                now if now == before => self.waited(&mut spins)?,
                now => bail!(
                    "round trip {}: the line held {now}, not {before} or {want}",
                    self.round_trips
                ),
            }
        }
    }

    /// Open the gate (a sample begins) and wait until the peer, if it
    /// slept at the closed gate, is back and spinning.
    fn open_gate(&mut self) -> anyhow::Result<()> {
        let gate = &self.region.words()[GATE];
        gate.fetch_add(1, SeqCst);
        let _ = futex::wake(gate, 1, Scope::Shared);
        let mut spins = 0;
        while self.region.words()[PARKED].load(SeqCst) != 0 {
            self.waited(&mut spins)?;
        }
        Ok(())
    }

    /// Close the gate: the peer may sleep until the next sample.
    fn close_gate(&self) {
        self.region.words()[GATE].fetch_add(1, SeqCst);
    }

    fn stop_peer(&mut self) -> anyhow::Result<()> {
        self.counter(STOP).store(1, Release);
        let gate = &self.region.words()[GATE];
        gate.fetch_add(2, SeqCst);
        let _ = futex::wake(gate, 1, Scope::Shared);
        match std::mem::replace(&mut self.peer, Peer::Stopped) {
            Peer::Thread(handle) => handle
                .join()
                .map_err(|_| anyhow::anyhow!("the peer thread panicked")),
            Peer::Process(pid) => wait_exit_ok(pid),
            Peer::Stopped => bail!("the peer had already ended"),
        }
    }
}

impl Trial for Line {
    /// `rounds` round trips of the line; one operation is one round trip.
    fn run(&mut self, rounds: u64) -> anyhow::Result<Sample> {
        self.open_gate()?;
        let sample = self.bounce(rounds);
        self.close_gate();
        sample
    }

    fn verify(&mut self) -> anyhow::Result<()> {
        self.stop_peer()?;
        let answered = self.counter(PEER_TURNS).load(Acquire);
        ensure!(
            answered == self.round_trips,
            "the peer answered {answered} turns in {} round trips",
            self.round_trips
        );
        let (line, want) = match self.protocol {
            Protocol::Cas => (self.counter(LINE).load(Relaxed), 2 * self.round_trips),
            Protocol::OneWay => (self.counter(ECHO).load(Relaxed), self.round_trips),
        };
        ensure!(
            line == want,
            "after {} round trips the line holds {line}, not {want}",
            self.round_trips
        );
        Ok(())
    }
}

impl Line {
    /// `rounds` timed round trips, the gate open.
    fn bounce(&mut self, rounds: u64) -> anyhow::Result<Sample> {
        let started = Instant::now();
        for _ in 0..rounds {
            match self.protocol {
                Protocol::Cas => self.cas_turn()?,
                Protocol::OneWay => {
                    let next = self.round_trips + 1;
                    self.counter(LINE).store(next, Release);
                    self.await_value(ECHO, next, self.round_trips)?;
                }
            }
            self.round_trips += 1;
        }
        if self.protocol == Protocol::Cas {
            let answered = 2 * self.round_trips;
            self.await_value(LINE, answered, answered - 1)?;
        }
        Ok(Sample {
            ops: rounds,
            ns: started.elapsed().as_nanos() as u64,
        })
    }
}

impl Drop for Line {
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
#[path = "line_tests.rs"]
mod tests;
