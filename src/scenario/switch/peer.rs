//! The peer's side of `line`: pinned to its CPU, it answers every turn it
//! is handed and checks each value it sees, and between the measuring
//! side's samples (the gate closed) it sleeps on a futex instead of spinning,
//! so idle trials of a group leave its CPU to the one being measured.
//! Everything here is async-signal-safe: it runs in forked children.

use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Release, SeqCst};

use crate::model::futex::{self, Scope};
use crate::model::placement::pin_current;
use crate::model::shared_memory::SharedRegion;

/// Counters, each on its own 128-byte pair of cache lines (the adjacent-line
/// prefetcher fetches pairs): the bounced line, the echo line of one-way
/// messages, the stop flag, and the peer's report (turns, state, CPU).
pub(super) const LINE: usize = 0;
pub(super) const ECHO: usize = 16;
pub(super) const STOP: usize = 32;
pub(super) const PEER_TURNS: usize = 48;
pub(super) const PEER_STATE: usize = 49;
pub(super) const PEER_CPU: usize = 50;
/// `PEER_STATE` values.
pub(super) const READY: u64 = 1;
pub(super) const PIN_FAILED: u64 = 2;
/// Exit codes of a peer that saw a value out of turn, or could not pin.
pub(super) const OUT_OF_TURN: i32 = 3;
pub(super) const NOT_PINNED: i32 = 4;
/// Words (32-bit, futex-able): the gate, odd while the measuring side is
/// inside a sample, and the peer's flag that it sleeps at the closed gate.
pub(super) const GATE: usize = 0;
pub(super) const PARKED: usize = 16;
/// Failed spins between looks at the watchdog's flag and the peer's health.
pub(super) const SPINS_PER_CHECK: u64 = 1 << 16;

/// What crosses the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// Both sides compare-and-swap one line: 2k -> 2k+1 here, 2k+1 -> 2k+2 there.
    Cas,
    /// Sequence numbers out on one line, echoed back on another.
    OneWay,
}

/// The peer: pin to `cpu` (a forked child; a thread is pinned by its
/// spawner), report ready and where it runs, answer every turn until asked
/// to stop, then report how many it answered. Async-signal-safe.
pub(super) fn peer_side(
    region: &SharedRegion,
    protocol: Protocol,
    yielding: bool,
    cpu: Option<usize>,
) -> i32 {
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
    let (mut answered, mut idle) = (0u64, 0u64);
    let code = loop {
        match step(c, protocol, answered) {
            Step::Answered => (answered, idle) = (answered + 1, 0),
            Step::OutOfTurn => break OUT_OF_TURN,
            Step::Waiting if c[STOP].load(Acquire) != 0 => break 0,
            Step::Waiting => {
                idle += 1;
                if idle.is_multiple_of(SPINS_PER_CHECK) {
                    park_while_closed(region);
                } else if yielding {
                    let _ = nix::sched::sched_yield();
                } else {
                    std::hint::spin_loop();
                }
            }
        }
    };
    c[PEER_TURNS].store(answered, Release);
    code
}

/// What the peer's one look at the line found.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Step {
    Answered,
    Waiting,
    OutOfTurn,
}

/// The peer's turn number `answered + 1`, if it has come: answer it.
pub(super) fn step(c: &[AtomicU64], protocol: Protocol, answered: u64) -> Step {
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

/// Sleep while the gate is closed (the measuring side between samples);
/// `PARKED` tells it to wait for this side to be back before it times.
fn park_while_closed(region: &SharedRegion) {
    let (gate, parked) = (&region.words()[GATE], &region.words()[PARKED]);
    parked.store(1, SeqCst);
    loop {
        let now = gate.load(SeqCst);
        if now % 2 == 1 || region.counters()[STOP].load(SeqCst) != 0 {
            break;
        }
        let _ = futex::wait(gate, now, Scope::Shared);
    }
    parked.store(0, SeqCst);
}
