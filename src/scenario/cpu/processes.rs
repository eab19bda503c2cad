//! The parent side of the cpu family's process models: k children of the own
//! binary per round, each answering its share's tally on a pipe (`process`),
//! and k long-lived children fed batches of chunks over pipes, as a process
//! pool does (`process_pool`). The child side is `child`.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{Context, bail};
use crossbeam::channel::{Receiver, RecvTimeoutError, Sender, unbounded};

use super::work::{Job, Tally, share};
use crate::model::worker::WorkerTask;

/// Batches each pool member gets per round (on average): small enough that
/// a member that finishes early picks up more, large enough that pipe round
/// trips stay rare.
const BATCHES_PER_MEMBER: u64 = 4;
/// Batches queued at each member at once, so it never waits for the next.
const IN_FLIGHT: usize = 2;
/// How often a waiting round looks at the cancel token.
const POLL: Duration = Duration::from_millis(100);

/// A child of the own binary running `task`, its stdout a pipe to us.
fn child_command(binary: &Path, task: &WorkerTask, stdin: Stdio, stderr: Stdio) -> Command {
    let mut command = Command::new(binary);
    command
        .args(task.args())
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(stderr);
    command
}

/// `process`: k fresh children per round, each computing one share.
pub struct ProcessRounds {
    binary: PathBuf,
    /// Children of the round in progress (killed and reaped by Drop if a
    /// round fails half-way).
    children: Vec<Child>,
}

impl ProcessRounds {
    pub fn new(binary: &Path) -> ProcessRounds {
        ProcessRounds {
            binary: binary.to_path_buf(),
            children: Vec::new(),
        }
    }

    /// Start every child, then read each one's tally and reap it.
    pub fn round(&mut self, job: &Job) -> anyhow::Result<Tally> {
        if job.cancel.is_cancelled() {
            bail!("cancelled by the watchdog");
        }
        for worker in 0..job.workers {
            let range = share(job.chunks, job.workers, worker);
            let task = WorkerTask::Cpu {
                first: range.start,
                count: range.end - range.start,
                points: job.points,
            };
            // stderr piped too, so a failing child can say why.
            let child = child_command(&self.binary, &task, Stdio::null(), Stdio::piped())
                .spawn()
                .context("spawning a cpu worker process")?;
            self.children.push(child);
        }
        let mut tally = Tally::default();
        while let Some(child) = self.children.pop() {
            let pid = child.id();
            let output = child
                .wait_with_output()
                .with_context(|| format!("reading cpu worker process {pid}"))?;
            if !output.status.success() {
                bail!(
                    "cpu worker process {pid} ended with {}: {}",
                    output.status,
                    String::from_utf8_lossy(&output.stderr).trim()
                );
            }
            let text = String::from_utf8_lossy(&output.stdout);
            let words: Vec<&str> = text.split_whitespace().collect();
            let part = Tally::parse(&words)
                .with_context(|| format!("cpu worker process {pid} answered `{}`", text.trim()))?;
            tally = tally + part;
        }
        Ok(tally)
    }
}

impl Drop for ProcessRounds {
    fn drop(&mut self) {
        for mut child in self.children.drain(..) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// One answer from a pool member: a batch's tally and the member's CPU time
/// so far, or why it could not answer.
struct Answer {
    member: usize,
    result: Result<(Tally, u64), String>,
}

/// One long-lived child: its stdin, where batches go.
struct Member {
    child: Child,
    stdin: Option<ChildStdin>,
}

/// `process_pool`: k children started once, fed batches of chunks each round.
pub struct ProcessPool {
    members: Vec<Member>,
    answers: Receiver<Answer>,
    readers: Vec<JoinHandle<()>>,
    /// Each member's CPU time at its latest answer.
    cpu_ns: Vec<u64>,
}

impl ProcessPool {
    /// Start k members, each with a thread that reads its answers.
    pub fn start(binary: &Path, job: &Job) -> anyhow::Result<ProcessPool> {
        let (sender, answers) = unbounded();
        let mut pool = ProcessPool {
            members: Vec::with_capacity(job.workers as usize),
            answers,
            readers: Vec::with_capacity(job.workers as usize),
            cpu_ns: vec![0; job.workers as usize],
        };
        let task = WorkerTask::CpuPool { points: job.points };
        for member in 0..job.workers as usize {
            let mut child = child_command(binary, &task, Stdio::piped(), Stdio::null())
                .spawn()
                .context("spawning a cpu pool process")?;
            let (stdin, stdout) = (child.stdin.take(), child.stdout.take());
            pool.members.push(Member { child, stdin });
            let stdout = stdout.context("a pool process without a stdout pipe")?;
            let sender = sender.clone();
            let reader = std::thread::Builder::new()
                .name(format!("cpu-pool-reader-{member}"))
                .spawn(move || read_answers(member, stdout, &sender))
                .context("starting a pool reader thread")?;
            pool.readers.push(reader);
        }
        Ok(pool)
    }

    /// The pool members' CPU time, as of their latest answers.
    pub fn cpu_ns(&self) -> u64 {
        self.cpu_ns.iter().sum()
    }

    /// Hand out the round's chunks in batches, IN_FLIGHT per member at a
    /// time, a new one to each member that answers, until all are back.
    pub fn round(&mut self, job: &Job) -> anyhow::Result<Tally> {
        let batch = job.chunks.div_ceil(job.workers * BATCHES_PER_MEMBER).max(1);
        let mut next = 0u64;
        let mut pending = 0usize;
        for _ in 0..IN_FLIGHT {
            for member in 0..self.members.len() {
                if next < job.chunks {
                    self.send(member, next, batch.min(job.chunks - next))?;
                    next += batch;
                    pending += 1;
                }
            }
        }
        let mut tally = Tally::default();
        while pending > 0 {
            let answer = match self.answers.recv_timeout(POLL) {
                Ok(answer) => answer,
                Err(RecvTimeoutError::Timeout) if job.cancel.is_cancelled() => {
                    bail!("cancelled by the watchdog")
                }
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => bail!("every pool process is gone"),
            };
            pending -= 1;
            let (part, cpu_ns) = answer
                .result
                .map_err(|why| anyhow::anyhow!("cpu pool process {}: {why}", answer.member))?;
            self.cpu_ns[answer.member] = cpu_ns;
            tally = tally + part;
            if next < job.chunks {
                self.send(answer.member, next, batch.min(job.chunks - next))?;
                next += batch;
                pending += 1;
            }
        }
        Ok(tally)
    }

    /// Ask `member` for chunks `first..first + count` (one line, one write).
    fn send(&mut self, member: usize, first: u64, count: u64) -> anyhow::Result<()> {
        let stdin = self.members[member]
            .stdin
            .as_mut()
            .context("a pool process without a stdin pipe")?;
        stdin
            .write_all(format!("{first} {count}\n").as_bytes())
            .with_context(|| format!("sending work to cpu pool process {member}"))
    }
}

/// A reader thread's loop: each line from the member becomes an `Answer`;
/// the end of the pipe is an error answer (a member never quits mid-run).
fn read_answers(member: usize, stdout: std::process::ChildStdout, sender: &Sender<Answer>) {
    for line in BufReader::new(stdout).lines() {
        let result = match line {
            Ok(line) => parse_answer(&line),
            Err(e) => Err(format!("reading its answer: {e}")),
        };
        let failed = result.is_err();
        if sender.send(Answer { member, result }).is_err() || failed {
            return;
        }
    }
    let _ = sender.send(Answer {
        member,
        result: Err("it closed its pipe (exited?)".into()),
    });
}

/// `digest hits chunks cpu_ns`, as `child::serve_pool` writes it.
fn parse_answer(line: &str) -> Result<(Tally, u64), String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    match (Tally::parse(&words), words.get(3).map(|w| w.parse::<u64>())) {
        (Some(tally), Some(Ok(cpu_ns))) if words.len() == 4 => Ok((tally, cpu_ns)),
        _ => Err(format!("it answered `{line}`")),
    }
}

impl Drop for ProcessPool {
    /// Close every stdin (members exit at end of input), kill any that
    /// linger, reap them all and join the reader threads.
    fn drop(&mut self) {
        for member in &mut self.members {
            member.stdin = None;
        }
        for member in &mut self.members {
            let _ = member.child.kill();
            let _ = member.child.wait();
        }
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_parse_or_say_what_was_wrong() {
        let tally = Tally {
            digest: 7,
            hits: 5,
            chunks: 1,
        };
        assert_eq!(parse_answer("7 5 1 1200"), Ok((tally, 1200)));
        for bad in ["7 5 1", "7 5 1 x", "7 5 1 2 3", ""] {
            let error = parse_answer(bad).expect_err(bad);
            assert!(error.contains(bad), "{error}");
        }
    }
}
