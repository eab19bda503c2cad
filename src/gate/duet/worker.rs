//! One side of the interleaved gate: a `concbench worker serve` process of
//! one build, spoken to through its stdin and stdout. Every request has a
//! deadline; a worker that misses it, dies or speaks garbage is killed with
//! its process group and started again for the next point. A stop signal
//! (Ctrl-C) ends the wait for an answer at once, and a second one kills
//! every worker still running (`abandon`).

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use crate::harness::protocol::{GREETING, Reply, Request, VERSION};
use crate::model::worker::WorkerTask;

/// How long a fresh worker may take to say hello.
const HELLO_WAIT: Duration = Duration::from_secs(30);
/// How often a wait for an answer looks for a stop signal.
const SIGNAL_POLL: Duration = Duration::from_millis(50);

/// The process groups of the workers running now (each leads its own).
static RUNNING: Mutex<BTreeSet<i32>> = Mutex::new(BTreeSet::new());

fn running() -> std::sync::MutexGuard<'static, BTreeSet<i32>> {
    RUNNING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Kill every worker still running, with its process group (a second
/// Ctrl-C, through `interrupt::install`: the controller exits at once and
/// would leave a worker busy with a point behind).
pub fn abandon() {
    for group in running().iter() {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(-group),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
}

/// Why a request got no usable answer.
#[derive(Debug)]
pub enum Failure {
    /// The worker answered `error ...`: the point failed on this side.
    Refused(String),
    /// No answer within the deadline: the worker was killed.
    TimedOut(Duration),
    /// The worker died, or said something that is not the protocol.
    Lost(String),
    /// A stop signal came while waiting: the worker was killed.
    Interrupted(i32),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Refused(why) => write!(f, "{why}"),
            Failure::TimedOut(after) => {
                write!(f, "no answer within {after:?}; the worker was killed")
            }
            Failure::Lost(why) => write!(f, "the worker was lost: {why}"),
            Failure::Interrupted(signal) => write!(
                f,
                "interrupted by {}; the worker was killed",
                crate::interrupt::name(*signal)
            ),
        }
    }
}

/// A running worker of one build.
pub struct Worker {
    binary: PathBuf,
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
}

impl Worker {
    /// Start `binary`'s worker and check that it speaks this protocol. The
    /// error is one line, meant for the user: a build that predates the
    /// protocol, or speaks another version, needs the file-based compare.
    pub fn start(binary: &Path) -> Result<Worker, String> {
        let mut child = Command::new(binary)
            .args(WorkerTask::Serve.args())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            // Its own process group, so a kill takes its children too.
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        running().insert(child.id() as i32);
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(format!("{}: no pipes to the worker", binary.display()));
        };
        let (sender, lines) = channel();
        std::thread::Builder::new()
            .name("gate-worker-reader".into())
            .spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    if sender.send(line).is_err() {
                        break;
                    }
                }
            })
            .map_err(|e| format!("cannot start a reader thread: {e}"))?;
        let mut worker = Worker {
            binary: binary.to_path_buf(),
            child,
            stdin,
            lines,
        };
        let refuse = |said: &str| {
            format!(
                "{} does not speak concbench's worker protocol {VERSION} (it said: {said}); \
                 compare it with the file-based gate instead: `concbench run` in each build, \
                 then `concbench compare BASE.json NEW.json`",
                binary.display()
            )
        };
        match worker.lines.recv_timeout(HELLO_WAIT) {
            Ok(line) => match Reply::parse(&line) {
                Ok(Reply::Hello { version }) if version == VERSION => Ok(worker),
                Ok(Reply::Hello { version }) => Err(refuse(&format!("{GREETING} {version}"))),
                _ => Err(refuse(&clip(&line))),
            },
            Err(_) => {
                worker.kill();
                Err(refuse("nothing"))
            }
        }
    }

    pub fn binary(&self) -> &Path {
        &self.binary
    }

    /// Send `request` and wait up to `deadline` for the answer.
    pub fn ask(&mut self, request: &Request, deadline: Duration) -> Result<Reply, Failure> {
        let sent = writeln!(self.stdin, "{}", request.line()).and_then(|()| self.stdin.flush());
        if let Err(e) = sent {
            return Err(Failure::Lost(format!("writing to it: {e}")));
        }
        let line = self.answer(deadline)?;
        match Reply::parse(&line) {
            Ok(Reply::Error(why)) => Err(Failure::Refused(why)),
            Ok(reply) => Ok(reply),
            Err(why) => Err(Failure::Lost(why)),
        }
    }

    /// The next line within `deadline`, unless a stop signal comes first.
    fn answer(&mut self, deadline: Duration) -> Result<String, Failure> {
        let until = Instant::now() + deadline;
        loop {
            if let Some(signal) = crate::interrupt::received() {
                return Err(Failure::Interrupted(signal));
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Failure::TimedOut(deadline));
            }
            match self.lines.recv_timeout(left.min(SIGNAL_POLL)) {
                Ok(line) => return Ok(line),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(Failure::Lost("it exited".into()));
                }
            }
        }
    }

    /// Kill the worker and everything in its process group, and reap it.
    pub fn kill(&mut self) {
        let group = nix::unistd::Pid::from_raw(-(self.child.id() as i32));
        let _ = nix::sys::signal::kill(group, nix::sys::signal::Signal::SIGKILL);
        let _ = self.child.kill();
        let _ = self.child.wait();
        running().remove(&(self.child.id() as i32));
        crate::model::scratch::remove_left_by(self.child.id());
    }

    /// Ask the worker to quit, and make sure it is gone.
    pub fn quit(mut self) {
        let _ = writeln!(self.stdin, "{}", Request::Quit.line());
        let _ = self.stdin.flush();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                running().remove(&(self.child.id() as i32));
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        self.kill();
    }
}

fn clip(text: &str) -> String {
    let clipped = crate::harness::protocol::clip(text);
    if clipped.is_empty() {
        "an empty line".into()
    } else {
        format!("`{clipped}`")
    }
}
