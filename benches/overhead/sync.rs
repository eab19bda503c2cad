//! Pair: a bare two-thread `Mutex` + `Condvar` ping-pong vs
//! `sync.handoff/condvar` (the same turn flag, on the harness's crew). Both
//! pin the two threads to one CPU (`pinned_cores = 1`): left to the scheduler, the
//! threads land on one CPU or two, which cost differently, and the pair
//! would compare placements rather than the harness.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

use concbench::vocab::Model;
use nix::sched::{CpuSet, sched_getaffinity, sched_setaffinity};
use nix::unistd::Pid;

use crate::{BareSample, Pair};

/// Round trips per bare sample (two hand-offs each).
const TRIPS: u64 = 5_000;

pub fn pair() -> Pair {
    Pair {
        name: "sync",
        unit: "hand-off",
        bare_sample: BareSample::Fixed(bare_sample),
        scenario: "sync.handoff",
        variant: "condvar",
        model: Model::Thread,
        params: &[("round_trips", 1000), ("pinned_cores", 1)],
        runtime: None,
    }
}

/// Whose turn it is (0: ping, 1: pong) and a condition variable.
type Turn = (Mutex<u8>, Condvar);

fn wait_for(turn: &Turn, me: u8) {
    let mut holder = turn.0.lock().expect("bare turn lock");
    while *holder != me {
        holder = turn.1.wait(holder).expect("bare turn wait");
    }
}

fn give(turn: &Turn, to: u8) {
    *turn.0.lock().expect("bare turn lock") = to;
    turn.1.notify_one();
}

/// Keep the calling thread on the first CPU this process may use.
fn pin_to_first_cpu() {
    let allowed = sched_getaffinity(Pid::from_raw(0)).expect("CPU affinity");
    let first = (0..CpuSet::count())
        .find(|&cpu| allowed.is_set(cpu).unwrap_or(false))
        .expect("some CPU is allowed");
    let mut only = CpuSet::new();
    only.set(first).expect("a CPU in range");
    sched_setaffinity(Pid::from_raw(0), &only).expect("pinning a bare thread");
}

/// ns per hand-off of one bare sample, both threads on one CPU (own threads,
/// so the bench's main thread stays unpinned).
fn bare_sample() -> f64 {
    std::thread::spawn(|| {
        pin_to_first_cpu();
        ping_pong()
    })
    .join()
    .expect("bare ping side")
}

/// A partner thread is started and one untimed round trip makes sure it
/// runs, then TRIPS round trips are timed.
fn ping_pong() -> f64 {
    let turn: Arc<Turn> = Arc::new((Mutex::new(0), Condvar::new()));
    let partner = {
        let turn = Arc::clone(&turn);
        std::thread::spawn(move || {
            pin_to_first_cpu();
            for _ in 0..=TRIPS {
                wait_for(&turn, 1);
                give(&turn, 0);
            }
            TRIPS + 1
        })
    };
    give(&turn, 1);
    wait_for(&turn, 0);
    let started = Instant::now();
    for _ in 0..TRIPS {
        give(&turn, 1);
        wait_for(&turn, 0);
    }
    let ns = started.elapsed().as_nanos() as f64;
    let answered = partner.join().expect("bare partner");
    assert_eq!(answered, TRIPS + 1, "every bare round trip was answered");
    ns / (2 * TRIPS) as f64
}
