//! The CPython worker's files, built into the binary and written out into a
//! worker's scratch folder.

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
}
