//! One worker of another runtime: a child in the point's process group that
//! answers one line per command on its stdout. What it prints on stderr
//! goes to a file, and its last line is quoted when the worker fails.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use anyhow::{Context, anyhow, bail};

use super::shipped::write_cpython_worker;
use super::spec::Runtime;
use super::wire::{self, Hello, MAX_LINE};

/// A started worker that has greeted.
pub struct RuntimeWorker {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    /// Holds the shipped worker file and the stderr log.
    dir: tempfile::TempDir,
    pub hello: Hello,
}

impl RuntimeWorker {
    /// Start `runtime`'s worker in the current point's group and read its
    /// greeting.
    pub fn start(runtime: &Runtime) -> anyhow::Result<RuntimeWorker> {
        let dir = crate::model::scratch::temp_dir("runtime")?;
        let mut words = Vec::new();
        for word in &runtime.command {
            match word {
                Some(word) => words.push(word.clone()),
                None => {
                    let script = write_cpython_worker(dir.path()).with_context(|| {
                        format!("writing the CPython worker into {}", dir.path().display())
                    })?;
                    words.push(script.display().to_string());
                }
            }
        }
        let log = std::fs::File::create(dir.path().join("stderr.log"))?;
        let mut command = Command::new(&words[0]);
        command
            .args(&words[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log);
        crate::model::group::join_command(&mut command);
        let mut child = command.spawn().map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => anyhow::Error::new(crate::vocab::Unsupported(format!(
                "`{}` is not installed (not found on PATH)",
                words[0]
            ))),
            _ => anyhow!("starting `{}`: {e}", words.join(" ")),
        })?;
        let stdin = child.stdin.take().context("the worker's stdin")?;
        let stdout = BufReader::new(child.stdout.take().context("the worker's stdout")?);
        let mut worker = RuntimeWorker {
            child,
            stdin,
            stdout,
            dir,
            hello: Hello {
                runtime: String::new(),
                version: String::new(),
                gil: None,
            },
        };
        let line = worker.read_line("its greeting")?;
        worker.hello = wire::parse_hello(&line).map_err(|e| anyhow!("`{}`: {e}", runtime.name))?;
        Ok(worker)
    }

    /// Send one command line and read the one-line answer.
    pub fn ask(&mut self, command: &str) -> anyhow::Result<String> {
        writeln!(self.stdin, "{command}")
            .and_then(|()| self.stdin.flush())
            .map_err(|e| self.gone(&format!("sending `{command}`: {e}")))?;
        let what = format!(
            "the answer to `{}`",
            command.split(' ').next().unwrap_or("")
        );
        self.read_line(&what)
    }

    fn read_line(&mut self, what: &str) -> anyhow::Result<String> {
        let mut bytes = Vec::new();
        let read = (&mut self.stdout)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut bytes)
            .map_err(|e| self.gone(&format!("reading {what}: {e}")))?;
        if read == 0 {
            return Err(self.gone(&format!("it closed its output before {what}")));
        }
        if bytes.last() != Some(&b'\n') {
            bail!("the worker's line is longer than {MAX_LINE} bytes (reading {what})");
        }
        bytes.pop();
        String::from_utf8(bytes).map_err(|_| anyhow!("the worker's answer ({what}) is not UTF-8"))
    }

    /// The worker failed to talk: how it ended and the last thing it said
    /// on stderr.
    fn gone(&mut self, what: &str) -> anyhow::Error {
        std::thread::sleep(std::time::Duration::from_millis(20));
        let ended = match self.child.try_wait() {
            Ok(Some(status)) => format!("the worker exited ({status})"),
            _ => "the worker stopped answering".to_string(),
        };
        let last = std::fs::read_to_string(self.dir.path().join("stderr.log"))
            .ok()
            .and_then(|log| {
                log.lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .map(wire::shown)
            });
        match last {
            Some(last) => anyhow!("{ended}: {what}; its stderr ends `{last}`"),
            None => anyhow!("{ended}: {what}"),
        }
    }
}

impl Drop for RuntimeWorker {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin, "quit").and_then(|()| self.stdin.flush());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
