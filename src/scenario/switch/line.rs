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
use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;

use crate::model::placement::{PinGuard, Placement, pin_current, spawn_pinned};
use crate::model::process::{fork_child, wait_exit_ok};
use crate::model::shared_memory::SharedRegion;
use crate::scenario::{CancelToken, Trial};
use crate::vocab::Sample;

/// Counters, each on its own 128-byte pair of cache lines (the adjacent-line
/// prefetcher fetches pairs): the bounced line, the echo line of one-way
/// messages, the stop flag, and the peer's report (turns, state, CPU).
const LINE: usize = 0;
const ECHO: usize = 16;
const STOP: usize = 32;
const PEER_TURNS: usize = 48;
const PEER_STATE: usize = 49;
const PEER_CPU: usize = 50;
/// `PEER_STATE` values.
const READY: u64 = 1;
const PIN_FAILED: u64 = 2;
/// Exit codes of a peer that saw a value out of turn, or could not pin.
const OUT_OF_TURN: i32 = 3;
const NOT_PINNED: i32 = 4;
/// Failed spins between looks at the watchdog's flag and the peer's health.
const SPINS_PER_CHECK: u64 = 1 << 16;

/// What crosses the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// Both sides compare-and-swap one line: 2k -> 2k+1 here, 2k+1 -> 2k+2 there.
    Cas,
    /// Sequence numbers out on one line, echoed back on another.
    OneWay,
}

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
            self.check_peer()?;
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

    fn stop_peer(&mut self) -> anyhow::Result<()> {
        self.counter(STOP).store(1, Release);
        match std::mem::replace(&mut self.peer, Peer::Stopped) {
            Peer::Thread(handle) => handle
                .join()
                .map_err(|_| anyhow::anyhow!("the peer thread panicked")),
            Peer::Process(pid) => wait_exit_ok(pid),
            Peer::Stopped => bail!("the peer had already ended"),
        }
    }
}

/// The peer: pin to `cpu` (a forked child; a thread is pinned by its
/// spawner), report ready and where it runs, answer every turn until asked
/// to stop, then report how many it answered. Async-signal-safe.
fn peer_side(region: &SharedRegion, protocol: Protocol, yielding: bool, cpu: Option<usize>) -> i32 {
    let c = region.counters();
    if let Some(cpu) = cpu
        && pin_current(cpu).is_err()
    {
        c[PEER_STATE].store(PIN_FAILED, Release);
        return NOT_PINNED;
    }
    // SAFETY: sched_getcpu reads the CPU number (vDSO or one system call);
    // it takes no lock and touches no memory of ours.
    let here = unsafe { nix::libc::sched_getcpu() };
    c[PEER_CPU].store(u64::try_from(here).unwrap_or(u64::MAX), Release);
    c[PEER_STATE].store(READY, Release);
    let mut answered = 0u64;
    let code = loop {
        match step(c, protocol, answered) {
            Step::Answered => answered += 1,
            Step::OutOfTurn => break OUT_OF_TURN,
            Step::Waiting if c[STOP].load(Acquire) != 0 => break 0,
            Step::Waiting if yielding => {
                let _ = nix::sched::sched_yield();
            }
            Step::Waiting => std::hint::spin_loop(),
        }
    };
    c[PEER_TURNS].store(answered, Release);
    code
}

/// What the peer's one look at the line found.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    Answered,
    Waiting,
    OutOfTurn,
}

/// The peer's turn number `answered + 1`, if it has come: answer it.
fn step(c: &[AtomicU64], protocol: Protocol, answered: u64) -> Step {
    match protocol {
        Protocol::Cas => {
            let mine = 2 * answered + 1;
            match c[LINE].compare_exchange(mine, mine + 1, AcqRel, Acquire) {
                Ok(_) => Step::Answered,
                Err(now) if now + 1 == mine => Step::Waiting,
                Err(_) => Step::OutOfTurn,
            }
        }
        Protocol::OneWay => match c[LINE].load(Acquire) {
            now if now == answered + 1 => {
                c[ECHO].store(now, Release);
                Step::Answered
            }
            now if now == answered => Step::Waiting,
            _ => Step::OutOfTurn,
        },
    }
}

impl Trial for Line {
    /// `rounds` round trips of the line; one operation is one round trip.
    fn run(&mut self, rounds: u64) -> anyhow::Result<Sample> {
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
