//! Workloads that run in another runtime (CPython, or any program speaking
//! `concbench-runtime/1`): which command starts the worker (`spec`), the
//! files shipped for CPython (`shipped`), the worker as a child process in
//! the point's group (`worker`), the protocol's words (`wire`), and what a
//! runtime said of itself when first started.

use std::sync::Mutex;

pub mod shipped;
mod spec;
pub mod wire;
mod worker;

pub use shipped::{CPYTHON_WORKER, write_cpython_worker};
pub use spec::Runtime;
pub use wire::{Hello, PROTOCOL};
pub use worker::RuntimeWorker;

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
    let found = probe(runtime);
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

/// Start a worker, read its greeting and let it go: what the runtime
/// is, or why it cannot be used.
pub fn probe(runtime: &Runtime) -> Probe {
    match RuntimeWorker::start(runtime) {
        Ok(worker) => Probe::Ready(worker.hello.clone()),
        Err(e) if e.is::<crate::vocab::Unsupported>() => Probe::Missing(format!("{e:#}")),
        Err(e) => Probe::Broken(format!("{e:#}")),
    }
}
