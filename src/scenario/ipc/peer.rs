//! The other side of an ipc point: a thread or a forked child, started once
//! in `build` and stopped in `verify` (or killed on drop), that echoes
//! ping-pong bytes or checks a stream. What it runs is async-signal-safe:
//! system calls through its link, atomics in a shared status block, no
//! allocation. It reports through that block what it saw and, on a
//! failure, what went wrong.

use std::sync::Arc;
use std::sync::atomic::Ordering::SeqCst;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use nix::errno::Errno;
use nix::unistd::Pid;

use super::link::Link;
use super::pattern::Checker;
use crate::model::process::{fork_child, wait_exit_ok};
use crate::model::shared_memory::SharedRegion;

/// Counter: ping-pong bytes echoed, or stream bytes checked.
const COUNT: usize = 0;
/// Counter: where a failure happened (round trip or byte offset).
const FAILED_AT: usize = 1;
/// Word: raised by the driving side before its last (wake-up) message.
const STOP: usize = 0;
/// Word: `Failure` code, 0 while all is well.
const FAILURE: usize = 1;
/// Word: errno of a failed system call.
const ERRNO: usize = 2;

/// Why a peer stopped early (its exit code, too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
enum Failure {
    ClosedEarly = 1,
    SystemCall = 2,
    WrongData = 3,
    RoundOverrun = 4,
}

/// The status block the peer writes and the driving side reads.
#[derive(Clone)]
pub struct PeerStatus(Arc<SharedRegion>);

impl PeerStatus {
    fn new() -> anyhow::Result<PeerStatus> {
        Ok(PeerStatus(Arc::new(SharedRegion::new(0)?)))
    }

    pub fn count(&self) -> u64 {
        self.0.counters()[COUNT].load(SeqCst)
    }

    fn add(&self, n: u64) {
        self.0.counters()[COUNT].fetch_add(n, SeqCst);
    }

    fn stopping(&self) -> bool {
        self.0.words()[STOP].load(SeqCst) != 0
    }

    /// Record a failure; returns the exit code to leave with.
    fn fail(&self, failure: Failure, at: u64, errno: Option<Errno>) -> i32 {
        self.0.counters()[FAILED_AT].store(at, SeqCst);
        self.0.words()[ERRNO].store(errno.map_or(0, |e| e as u32), SeqCst);
        self.0.words()[FAILURE].store(failure as u32, SeqCst);
        failure as i32
    }

    /// The peer's failure in words, if it had one.
    pub fn failure(&self) -> Option<String> {
        let at = self.0.counters()[FAILED_AT].load(SeqCst);
        let errno = Errno::from_raw(self.0.words()[ERRNO].load(SeqCst) as i32);
        Some(match self.0.words()[FAILURE].load(SeqCst) {
            0 => return None,
            1 => format!("the peer saw the link close early (at {at})"),
            2 => format!("a system call of the peer failed with {errno} (at {at})"),
            3 => format!("the peer received wrong data at {at}"),
            4 => format!("the peer received more than a round's bytes (at {at})"),
            other => format!("the peer failed with code {other}"),
        })
    }
}

/// What the peer does with what it receives.
pub enum Task {
    /// Echo each byte plus one, checking the bytes come in sequence from
    /// `first`.
    Echo { first: u8 },
    /// Check a stream of `round_bytes`-byte rounds, and acknowledge each round
    /// with its number (low byte).
    Sink {
        checker: Checker,
        round_bytes: u64,
        buffer: Vec<u8>,
    },
}

/// The peer's body: returns 0 when asked to stop, else a failure code.
fn serve(link: &mut dyn Link, status: &PeerStatus, task: &mut Task) -> i32 {
    let code = match task {
        Task::Echo { first } => echo(link, status, *first),
        Task::Sink {
            checker,
            round_bytes,
            buffer,
        } => sink(link, status, checker, *round_bytes, buffer),
    };
    if code != 0 {
        link.close();
    }
    code
}

fn echo(link: &mut dyn Link, status: &PeerStatus, first: u8) -> i32 {
    let (mut expected, mut byte, mut done) = (first, [0u8; 1], 0u64);
    loop {
        match link.recv(&mut byte) {
            Ok(0) => return status.fail(Failure::ClosedEarly, done, None),
            Ok(_) => {}
            Err(e) => return status.fail(Failure::SystemCall, done, Some(e)),
        }
        if status.stopping() {
            return 0;
        }
        if byte[0] != expected {
            return status.fail(Failure::WrongData, done, None);
        }
        expected = expected.wrapping_add(1);
        done += 1;
        status.add(1);
        if let Err(e) = link.send(&[byte[0].wrapping_add(1)]) {
            return status.fail(Failure::SystemCall, done, Some(e));
        }
    }
}

fn sink(
    link: &mut dyn Link,
    status: &PeerStatus,
    checker: &mut Checker,
    round_bytes: u64,
    buffer: &mut [u8],
) -> i32 {
    let (mut in_round, mut rounds, mut total) = (0u64, 0u64, 0u64);
    loop {
        let n = match link.recv(buffer) {
            Ok(0) => return status.fail(Failure::ClosedEarly, total, None),
            Ok(n) => n,
            Err(e) => return status.fail(Failure::SystemCall, total, Some(e)),
        };
        if status.stopping() {
            return 0;
        }
        if !checker.check(buffer.get(..n).unwrap_or_default()) {
            return status.fail(Failure::WrongData, total, None);
        }
        (in_round, total) = (in_round + n as u64, total + n as u64);
        status.add(n as u64);
        if in_round > round_bytes {
            return status.fail(Failure::RoundOverrun, total, None);
        }
        if in_round == round_bytes {
            in_round = 0;
            rounds += 1;
            if let Err(e) = link.send(&[rounds as u8]) {
                return status.fail(Failure::SystemCall, total, Some(e));
            }
        }
    }
}

enum Running {
    Thread(JoinHandle<i32>),
    Process(Pid),
    Finished,
}

/// A started peer.
pub struct Peer {
    running: Running,
    pub status: PeerStatus,
}

impl Peer {
    /// Start the peer on its end of the link: in a forked child (`process`)
    /// or a thread, pinned to `cpu` if given.
    pub fn start(
        process: bool,
        mut link: Box<dyn Link>,
        mut task: Task,
        cpu: Option<usize>,
    ) -> anyhow::Result<Peer> {
        let status = PeerStatus::new()?;
        let theirs = status.clone();
        let running = if process {
            // The parent drops its copy of the peer's end when this returns;
            // the child never frees anything (it leaves through `_exit`).
            Running::Process(fork_child(move || {
                if let Some(cpu) = cpu {
                    let _ = crate::model::placement::pin_current(cpu);
                }
                let code = serve(&mut *link, &theirs, &mut task);
                std::mem::forget((link, theirs, task));
                code
            })?)
        } else {
            let spawned = std::thread::Builder::new()
                .name("ipc-peer".into())
                .spawn(move || {
                    if let Some(cpu) = cpu {
                        let _ = crate::model::placement::pin_current(cpu);
                    }
                    serve(&mut *link, &theirs, &mut task)
                });
            Running::Thread(spawned.context("starting the peer thread")?)
        };
        Ok(Peer { running, status })
    }

    /// Ask the peer to stop: raise the flag, then `wake` it with one last
    /// message. Then wait for it and fail unless it stopped cleanly.
    pub fn stop(&mut self, wake: impl FnOnce() -> Result<(), Errno>) -> anyhow::Result<()> {
        self.status.0.words()[STOP].store(1, SeqCst);
        let woken = wake();
        let ended = match std::mem::replace(&mut self.running, Running::Finished) {
            Running::Process(pid) => wait_exit_ok(pid),
            Running::Thread(handle) => match handle.join() {
                Ok(0) => Ok(()),
                Ok(code) => Err(anyhow::anyhow!("the peer thread stopped with code {code}")),
                Err(_) => Err(anyhow::anyhow!("the peer thread panicked")),
            },
            Running::Finished => bail!("the peer was already stopped"),
        };
        if let Some(why) = self.status.failure() {
            bail!("{why}");
        }
        woken.context("waking the peer to stop")?;
        ended
    }
}

impl Drop for Peer {
    /// A peer still running (a failed or abandoned point): kill and reap a
    /// child; give a thread (whose link the trial has closed) a moment to end.
    fn drop(&mut self) {
        match std::mem::replace(&mut self.running, Running::Finished) {
            Running::Process(pid) => {
                let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
                let _ = nix::sys::wait::waitpid(pid, None);
            }
            Running::Thread(handle) => {
                self.status.0.words()[STOP].store(1, SeqCst);
                let deadline = Instant::now() + Duration::from_secs(1);
                while !handle.is_finished() && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(1));
                }
                if handle.is_finished() {
                    let _ = handle.join();
                }
            }
            Running::Finished => {}
        }
    }
}
