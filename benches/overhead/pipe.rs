//! Pair: a bare two-process pipe ping-pong vs `ipc.pingpong/pipe/process`.
//! The bare loop forks a child that echoes each byte plus one over a pair
//! of pipes, makes N round trips, checks every byte, and reaps the child.
//! Both sides of both loops are pinned to one core (`pinned_cores = 1`):
//! unpinned, the scheduler sometimes puts the two processes on one core and
//! sometimes on two, which changes a round trip about threefold on a VM and
//! would swamp what the harness adds.

use std::os::fd::OwnedFd;
use std::time::Instant;

use concbench::model::placement::{Placement, pin_current};
use concbench::model::process::{fork_child, wait_exit_ok};
use concbench::vocab::Model;
use nix::fcntl::OFlag;
use nix::unistd::{pipe2, read, write};

use crate::{BareSample, Pair};

/// Round trips per bare sample.
const ROUND_TRIPS: u32 = 2000;

pub fn pair() -> Pair {
    Pair {
        name: "pipe",
        unit: "round_trip",
        bare_sample: BareSample::Fixed(bare_sample),
        scenario: "ipc.pingpong",
        variant: "pipe",
        model: Model::Process,
        params: &[("pinned_cores", 1)],
        runtime: None,
    }
}

/// The child: echo `ROUND_TRIPS` bytes plus one; exit 1 on a wrong byte.
fn echo(from_parent: &OwnedFd, to_parent: &OwnedFd) -> i32 {
    let mut byte = [0u8; 1];
    for expected in 0..ROUND_TRIPS {
        if read(from_parent, &mut byte) != Ok(1) || byte[0] != expected as u8 {
            return 1;
        }
        if write(to_parent, &[byte[0].wrapping_add(1)]) != Ok(1) {
            return 1;
        }
    }
    0
}

/// ns per round trip of one bare sample (the fork and reap untimed).
fn bare_sample() -> f64 {
    let (from_parent, to_child) = pipe2(OFlag::O_CLOEXEC).expect("pipe");
    let (from_child, to_parent) = pipe2(OFlag::O_CLOEXEC).expect("pipe");
    let placement = Placement::new(1).expect("one core");
    let _pinned = placement.pin_first().expect("pinning the parent");
    let cpu = placement.second;
    let child = fork_child(|| {
        if let Some(cpu) = cpu {
            let _ = pin_current(cpu);
        }
        echo(&from_parent, &to_parent)
    })
    .expect("fork");
    let mut byte = [0u8; 1];
    let started = Instant::now();
    for sent in 0..ROUND_TRIPS {
        assert_eq!(write(&to_child, &[sent as u8]), Ok(1), "bare write");
        assert_eq!(read(&from_child, &mut byte), Ok(1), "bare read");
        assert_eq!(byte[0], (sent as u8).wrapping_add(1), "bare echo");
    }
    let ns = started.elapsed().as_nanos() as f64;
    wait_exit_ok(child).expect("the bare child checked every byte");
    ns / f64::from(ROUND_TRIPS)
}
