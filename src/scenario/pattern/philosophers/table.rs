//! The table the philosophers share: forks that check who holds them, each
//! seat's meal count, the meal tickets of a sitting, and the gate that starts
//! a sitting and reports its end. Every wait a philosopher makes is timed and
//! checks the stop flags, so a cancelled or dropped table gets its threads
//! back even after a deadlock.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use crossbeam::utils::CachePadded;
use parking_lot::{Condvar, Mutex};

use super::fork::{Fork, Held, cook};
use super::strategy::{self, Arbiter, Diner, Strategy};
use crate::scenario::{CancelToken, Progress};

/// How long one blocking wait lasts before the waiter checks the stop flags.
pub const WAIT_SLICE: Duration = Duration::from_millis(20);
/// How often the host (the point thread) counts meals during a sitting.
const HOST_POLL: Duration = Duration::from_millis(20);
/// How often an idle table tells the stall watchdog it is idle, not stuck.
const IDLE_BEAT: Duration = Duration::from_millis(20);

/// What every philosopher at the table does.
#[derive(Debug, Clone, Copy)]
pub struct Menu {
    pub strategy: Strategy,
    pub philosophers: usize,
    /// Pause between taking the first fork and reaching for the second.
    pub hold: Duration,
    /// Steps of the work done per meal, with both forks in hand.
    pub eat_work: u64,
    /// Naive only: at its first meal each philosopher waits, first fork in
    /// hand, until every philosopher holds one (a certain deadlock).
    pub all_hold_first: bool,
}

/// Per-seat counters, each on its own cache line.
#[derive(Default)]
struct SeatStats {
    meals: AtomicU64,
    failed_attempts: AtomicU64,
}

#[derive(Default)]
struct GateState {
    sitting: u64,
    left_table: usize,
    closed: bool,
    panicked: Option<usize>,
}

pub struct Table {
    menu: Menu,
    forks: Vec<CachePadded<Fork>>,
    seats: Vec<CachePadded<SeatStats>>,
    /// Meals still to hand out in this sitting (goes below 0 at its end).
    tickets: CachePadded<AtomicI64>,
    arbiter: Arbiter,
    /// Times a fork was found held by someone else when picked up or put down.
    clashes: AtomicU64,
    /// Philosophers holding their first fork at `all_hold_first`'s meeting.
    first_fork_holders: AtomicUsize,
    cancel: CancelToken,
    /// The point's stall counter: meals during a sitting, beats between.
    progress: Progress,
    closing: AtomicBool,
    gate: Mutex<GateState>,
    opened: Condvar,
    finished: Condvar,
}

impl Table {
    pub fn new(menu: Menu, cancel: CancelToken, progress: Progress) -> Table {
        let n = menu.philosophers;
        Table {
            menu,
            forks: (0..n).map(|_| CachePadded::new(Fork::default())).collect(),
            seats: (0..n).map(|_| CachePadded::default()).collect(),
            tickets: CachePadded::new(AtomicI64::new(0)),
            arbiter: Arbiter::new(n - 1),
            clashes: AtomicU64::new(0),
            first_fork_holders: AtomicUsize::new(0),
            cancel,
            progress,
            closing: AtomicBool::new(false),
            gate: Mutex::new(GateState {
                left_table: n,
                ..GateState::default()
            }),
            opened: Condvar::new(),
            finished: Condvar::new(),
        }
    }

    pub fn strategy(&self) -> Strategy {
        self.menu.strategy
    }

    pub fn arbiter(&self) -> &Arbiter {
        &self.arbiter
    }

    /// The watchdog cancelled the point, or the trial is being torn down.
    pub fn should_stop(&self) -> bool {
        self.closing.load(Ordering::Relaxed) || self.cancel.is_cancelled()
    }

    /// Block until fork `fork` is free and take it; `None` if told to stop.
    pub fn take(&self, fork: usize, seat: usize) -> Option<Held<'_>> {
        let fork = &self.forks[fork];
        loop {
            if let Some(state) = fork.state.try_lock_for(WAIT_SLICE) {
                // A fork freed by a neighbour who was told to stop is not
                // a meal: told to stop, nobody eats any more.
                if self.should_stop() {
                    return None;
                }
                return Some(fork.pick_up(state, seat, &self.clashes));
            }
            if self.should_stop() {
                return None;
            }
        }
    }

    /// Take fork `fork` if nobody holds it.
    pub fn try_take(&self, fork: usize, seat: usize) -> Option<Held<'_>> {
        let fork = &self.forks[fork];
        let state = fork.state.try_lock()?;
        Some(fork.pick_up(state, seat, &self.clashes))
    }

    /// Whether philosophers meet holding their first forks (`Menu`).
    pub fn all_hold_first(&self) -> bool {
        self.menu.all_hold_first
    }

    /// With the first fork in hand, wait until every philosopher holds one;
    /// `None` if told to stop first.
    pub fn meet_holding_first_fork(&self) -> Option<()> {
        self.first_fork_holders.fetch_add(1, Ordering::SeqCst);
        while self.first_fork_holders.load(Ordering::SeqCst) < self.menu.philosophers {
            if self.should_stop() {
                return None;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        Some(())
    }

    /// The menu's pause with the first fork in hand.
    pub fn pause_between_forks(&self) {
        if !self.menu.hold.is_zero() {
            std::thread::sleep(self.menu.hold);
        }
    }

    /// The meal itself, both forks in hand: cook, and count it on the forks
    /// and the seat.
    pub fn eat(&self, seat: usize, a: &mut Held<'_>, b: &mut Held<'_>) {
        let dish = cook(
            a.uses() ^ b.uses().rotate_left(17) ^ seat as u64,
            self.menu.eat_work,
        );
        a.served(dish);
        b.served(dish);
        self.seats[seat].meals.fetch_add(1, Ordering::Relaxed);
    }

    pub fn count_failures(&self, seat: usize, failures: u64) {
        if failures > 0 {
            self.seats[seat]
                .failed_attempts
                .fetch_add(failures, Ordering::Relaxed);
        }
    }

    /// Meals eaten so far, per seat.
    pub fn meals(&self) -> Vec<u64> {
        self.seats
            .iter()
            .map(|s| s.meals.load(Ordering::Relaxed))
            .collect()
    }

    /// Failed try-lock attempts so far, all seats together.
    pub fn failed_attempts(&self) -> u64 {
        self.seats
            .iter()
            .map(|s| s.failed_attempts.load(Ordering::Relaxed))
            .sum()
    }

    /// Open a sitting of `meals` meals and wait until every philosopher has
    /// left the table; returns how long the sitting took. Reports meals to
    /// the stall counter as they are eaten; gives up when the stop flags are
    /// raised.
    pub fn serve(&self, meals: u64) -> anyhow::Result<Duration> {
        let tickets = i64::try_from(meals).context("too many meals for one sitting")?;
        let n = self.menu.philosophers;
        let before: u64 = self.meals().iter().sum();
        let mut gate = self.gate.lock();
        ensure!(gate.left_table == n, "the previous sitting never ended");
        self.tickets.store(tickets, Ordering::Relaxed);
        let started = Instant::now();
        gate.sitting += 1;
        gate.left_table = 0;
        self.opened.notify_all();
        let mut reported = before;
        while gate.left_table < n && !self.should_stop() {
            self.finished.wait_for(&mut gate, HOST_POLL);
            reported = self.report(reported);
        }
        let took = started.elapsed();
        let (ended, panicked) = (gate.left_table == n, gate.panicked);
        drop(gate);
        if let Some(seat) = panicked {
            bail!("philosopher {seat} panicked");
        }
        let eaten = self.report(reported) - before;
        // Stopped philosophers leave early: a sitting is over only when all
        // its meals were eaten.
        ensure!(
            ended && eaten == meals,
            "stopped after {eaten} of {meals} meals of the sitting"
        );
        Ok(took)
    }

    /// Bump the stall counter by the meals eaten since `reported`; the new total.
    fn report(&self, reported: u64) -> u64 {
        let now: u64 = self.meals().iter().sum();
        self.progress.bump(now.saturating_sub(reported));
        now
    }

    /// Prove the sittings did their work: `asked` meals eaten in all, each
    /// fork used exactly for its two neighbours' meals, never held by two at
    /// once, every fork and chair back on the table.
    pub fn audit(&self, asked: u64) -> anyhow::Result<()> {
        let meals = self.meals();
        let eaten: u64 = meals.iter().sum();
        ensure!(
            eaten == asked,
            "the philosophers ate {eaten} meals, {asked} were asked for"
        );
        let clashes = self.clashes.load(Ordering::Relaxed);
        ensure!(
            clashes == 0,
            "a fork was found held by another philosopher {clashes} times"
        );
        let n = meals.len();
        for (i, fork) in self.forks.iter().enumerate() {
            let Some(uses) = fork.uses_when_free() else {
                bail!("fork {i} is still held after the last sitting");
            };
            let neighbours = meals[i] + meals[(i + n - 1) % n];
            ensure!(
                uses == neighbours,
                "fork {i} was used for {uses} meals, its two neighbours ate {neighbours}"
            );
        }
        if self.menu.strategy == Strategy::Arbiter {
            let free = self.arbiter.free();
            ensure!(free == n - 1, "{free} of {} chairs are free", n - 1);
        }
        Ok(())
    }

    /// Ask every philosopher to leave for good (they notice within one wait slice).
    pub fn close(&self) {
        self.closing.store(true, Ordering::Relaxed);
        self.gate.lock().closed = true;
        self.opened.notify_all();
    }

    /// Wait for the sitting after `seen`; `None` once the table is closed.
    /// While everyone waits here the table is idle, not stuck: seat 0 beats
    /// the stall counter, so the watchdog times only sittings, never the
    /// harness's own work between them (starting its sampler, verifying).
    fn next_sitting(&self, seat: usize, seen: u64) -> Option<u64> {
        let mut gate = self.gate.lock();
        while gate.sitting == seen && !gate.closed {
            let waited = self.opened.wait_for(&mut gate, IDLE_BEAT);
            if waited.timed_out() && seat == 0 && gate.left_table == self.menu.philosophers {
                self.progress.bump(1);
            }
        }
        (!gate.closed).then_some(gate.sitting)
    }

    fn take_ticket(&self) -> bool {
        self.tickets.fetch_sub(1, Ordering::Relaxed) > 0
    }
}

/// Start philosopher `seat`: it dines at every sitting until the table closes.
pub fn seat_philosopher(table: &Arc<Table>, seat: usize) -> anyhow::Result<JoinHandle<()>> {
    let table = Arc::clone(table);
    std::thread::Builder::new()
        .name(format!("philosopher-{seat}"))
        .spawn(move || {
            let mut diner = Diner::new(seat, table.menu.philosophers);
            let mut seen = 0;
            while let Some(sitting) = table.next_sitting(seat, seen) {
                seen = sitting;
                let _leaving = Leaving {
                    table: &table,
                    seat,
                };
                while !table.should_stop() && table.take_ticket() {
                    if strategy::meal(&table, &mut diner).is_none() {
                        break;
                    }
                }
            }
        })
        .with_context(|| format!("starting philosopher {seat}"))
}

/// Tells the host a philosopher left the sitting, even by a panic.
struct Leaving<'a> {
    table: &'a Table,
    seat: usize,
}

impl Drop for Leaving<'_> {
    fn drop(&mut self) {
        let mut gate = self.table.gate.lock();
        gate.left_table += 1;
        if std::thread::panicking() {
            gate.panicked = Some(self.seat);
        }
        if gate.left_table == self.table.menu.philosophers {
            self.table.finished.notify_one();
        }
    }
}

#[cfg(test)]
#[path = "table_tests.rs"]
mod tests;
