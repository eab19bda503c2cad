//! Workloads that run in another runtime (CPython, or any program speaking
//! `concbench-runtime/1`): which command starts the worker, the worker as
//! a child process in the point's group, and its greeting.

use std::sync::Mutex;

pub mod wire;
mod worker;

pub use wire::{Hello, PROTOCOL};
pub use worker::RuntimeWorker;

/// Files of runtimes/python/, each as (path under it, text).
macro_rules! shipped {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../../../runtimes/python/", $path)))),*]
    };
}

/// The CPython worker shipped in the binary (runtimes/python/FILES lists
/// the same files), written out for each worker; the first is the script.
pub const CPYTHON_WORKER: &[(&str, &str)] = shipped![
    "concbench_worker.py",
    "concbench_runtime/__init__.py",
    "concbench_runtime/arith.py",
    "concbench_runtime/bare.py",
    "concbench_runtime/barrier.py",
    "concbench_runtime/channel.py",
    "concbench_runtime/children.py",
    "concbench_runtime/common.py",
    "concbench_runtime/cpu.py",
    "concbench_runtime/cputime.py",
    "concbench_runtime/crew.py",
    "concbench_runtime/futures_pattern.py",
    "concbench_runtime/handoff.py",
    "concbench_runtime/ipc.py",
    "concbench_runtime/locks.py",
    "concbench_runtime/montecarlo.py",
    "concbench_runtime/placement.py",
    "concbench_runtime/protocol.py",
    "concbench_runtime/queue_messages.py",
    "concbench_runtime/queue_procs.py",
    "concbench_runtime/queues.py",
    "concbench_runtime/registry.py",
    "concbench_runtime/selftest.py",
    "concbench_runtime/spawn.py",
    "concbench_runtime/waits.py",
];

/// Write the shipped CPython worker into `dir`; the script to run.
pub fn write_cpython_worker(dir: &std::path::Path) -> std::io::Result<std::path::PathBuf> {
    for (path, text) in CPYTHON_WORKER {
        let file = dir.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(file, text)?;
    }
    Ok(dir.join(CPYTHON_WORKER[0].0))
}

/// A runtime the run uses: the name points carry, and how to start it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Runtime {
    /// Shown in point ids (`py_thread@python3`): short, no spaces.
    pub name: String,
    /// The program and its arguments. `None` in place of the worker file:
    /// the shipped CPython worker goes there.
    pub command: Vec<Option<String>>,
}

impl Runtime {
    /// From a config entry or `--python` value:
    /// - `python3.13t`: that interpreter runs the shipped CPython worker;
    /// - `node worker.js`: a command that speaks the protocol itself;
    /// - `NAME=...`: either, shown as NAME.
    pub fn parse(entry: &str) -> Result<Runtime, String> {
        let (name, command) = match entry.split_once('=') {
            Some((name, rest)) if !name.contains(char::is_whitespace) && !name.contains('/') => {
                (Some(name.to_string()), rest)
            }
            _ => (None, entry),
        };
        let words: Vec<&str> = command.split_whitespace().collect();
        let Some(first) = words.first() else {
            return Err(format!("interpreter `{entry}` names no program"));
        };
        let program_name = first.rsplit('/').next().unwrap_or(first).to_string();
        let name = name.unwrap_or(program_name);
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-+".contains(c))
        {
            return Err(format!(
                "interpreter name `{name}` may hold only letters, digits and . _ - +"
            ));
        }
        let mut command: Vec<Option<String>> = words.iter().map(|w| Some(w.to_string())).collect();
        if words.len() == 1 {
            command.push(None);
        }
        Ok(Runtime { name, command })
    }

    /// The runtime as one word (no spaces), for a line protocol:
    /// `name=program%20arg`; `from_word` reads it back.
    pub fn to_word(&self) -> String {
        let words: Vec<&str> = self.command.iter().flatten().map(String::as_str).collect();
        format!("{}={}", self.name, words.join(" "))
            .replace('%', "%25")
            .replace(' ', "%20")
    }

    pub fn from_word(word: &str) -> Result<Runtime, String> {
        Runtime::parse(&word.replace("%20", " ").replace("%25", "%"))
    }

    /// Start a worker, read its greeting and let it go: what the runtime
    /// is, or why it cannot be used.
    pub fn probe(&self) -> Probe {
        match RuntimeWorker::start(self) {
            Ok(worker) => Probe::Ready(worker.hello.clone()),
            Err(e) if e.is::<crate::vocab::Unsupported>() => Probe::Missing(format!("{e:#}")),
            Err(e) => Probe::Broken(format!("{e:#}")),
        }
    }
}

/// What starting a runtime's worker showed.
#[derive(Debug, Clone)]
pub enum Probe {
    Ready(Hello),
    /// Not installed: its points are skipped.
    Missing(String),
    /// It started but misbehaved: its points fail, each saying why.
    Broken(String),
}

/// `probe`, once per runtime and process: what the run records with each
/// of its points, or why they are skipped.
pub fn probed(runtime: &Runtime) -> Probe {
    static SEEN: Mutex<Vec<(Runtime, Probe)>> = Mutex::new(Vec::new());
    let mut seen = SEEN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, known)) = seen.iter().find(|(r, _)| r == runtime) {
        return known.clone();
    }
    let found = runtime.probe();
    seen.push((runtime.clone(), found.clone()));
    found
}

/// What a result records of the runtime a point ran in.
pub fn record(runtime: &Runtime) -> crate::results::RuntimeRecord {
    let hello = match probed(runtime) {
        Probe::Ready(hello) => Some(hello),
        _ => None,
    };
    crate::results::RuntimeRecord {
        name: runtime.name.clone(),
        runtime: hello.as_ref().map_or(String::new(), |h| h.runtime.clone()),
        version: hello.as_ref().map_or(String::new(), |h| h.version.clone()),
        gil_enabled: hello.and_then(|h| h.gil),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_worker_is_every_file_runtimes_python_files_lists() {
        let listed = include_str!("../../../runtimes/python/FILES");
        let listed: Vec<&str> = listed.lines().filter(|l| !l.trim().is_empty()).collect();
        let shipped: Vec<&str> = CPYTHON_WORKER.iter().map(|(path, _)| *path).collect();
        assert_eq!(shipped, listed);
    }

    #[test]
    fn an_interpreter_runs_the_shipped_worker_and_a_command_runs_as_given() {
        let python = Runtime::parse("python3.13t").unwrap();
        assert_eq!(python.name, "python3.13t");
        assert_eq!(python.command, vec![Some("python3.13t".into()), None]);
        let node = Runtime::parse("js=node /opt/w.js").unwrap();
        assert_eq!(node.name, "js");
        assert_eq!(node.command.len(), 2);
        assert!(node.command.iter().all(Option::is_some));
        assert_eq!(
            Runtime::parse("/usr/bin/python3 -X dev x.py").unwrap().name,
            "python3"
        );
        assert!(Runtime::parse("  ").is_err());
        assert!(Runtime::parse("a b=c d").unwrap().name == "a");
        for entry in ["python3", "js=node /opt/my worker.js", "x=a%b"] {
            let runtime = Runtime::parse(entry).unwrap();
            assert!(!runtime.to_word().contains(' '));
            assert_eq!(Runtime::from_word(&runtime.to_word()).unwrap(), runtime);
        }
    }
}
