//! The sampler process, driven as the harness drives it: one process serves
//! point after point, and one that died is replaced.

use std::path::Path;
use std::time::Duration;

use concbench::harness::sampler::Sampler;

fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_concbench"))
}

/// Start, wait a little, stop: one point's timeline; returns the pid.
fn one_point(interval: Duration) -> Option<u32> {
    let mut sampler = Sampler::start(binary(), interval, Duration::from_secs(10)).expect("starts");
    let pid = sampler.pid();
    std::thread::sleep(Duration::from_millis(40));
    let timeline = sampler.stop().expect("a timeline");
    assert!(!timeline.t_ms.is_empty(), "ticks were recorded");
    assert!(
        timeline
            .per_core
            .iter()
            .all(|c| c.len() == timeline.t_ms.len())
    );
    sampler.release();
    pid
}

/// Wait (up to a generous 10 s) until `pid` has exited: every one of its
/// threads a zombie or gone. (The main thread turns zombie while the others
/// may still hold the process's files, its pipes among them; only when the
/// last thread is gone are the pipes closed, which is how the harness tells
/// that a sampler died.)
fn wait_until_dead(pid: u32) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let alive = || {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
            return false;
        };
        tasks.flatten().any(|task| {
            let state = std::fs::read_to_string(task.path().join("stat"))
                .ok()
                .and_then(|stat| stat.rsplit_once(") ")?.1.chars().next());
            !matches!(state, None | Some('Z' | 'X'))
        })
    };
    while alive() {
        assert!(
            std::time::Instant::now() < deadline,
            "pid {pid} still alive after SIGKILL"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// One test, not several: the idle sampler is shared by the whole test
/// process, and a point with another interval replaces it.
#[test]
fn one_sampler_serves_point_after_point_and_a_dead_or_abandoned_one_is_replaced() {
    let interval = Duration::from_millis(17);
    let first = one_point(interval).expect("a pid");
    assert_eq!(one_point(interval), Some(first), "the same process again");
    assert_eq!(one_point(interval), Some(first), "and again");

    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(first as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .expect("kill the sampler");
    wait_until_dead(first);
    let replaced = one_point(interval).expect("a pid");
    assert_ne!(replaced, first, "a fresh process after the old one died");

    let sampler = Sampler::start(binary(), interval, Duration::from_secs(10)).expect("starts");
    assert_eq!(sampler.pid(), Some(replaced));
    drop(sampler);
    assert_ne!(
        one_point(interval),
        Some(replaced),
        "dropped mid-timeline: gone"
    );
}
