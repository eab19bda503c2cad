//! Where scenarios put temporary files, FIFOs and shared-memory names: all
//! under one per-run root (`$TMPDIR/concbench-<pid>/`, `/dev/shm/concbench-<pid>-*`),
//! so that the run removes whatever a point left behind, even a point that
//! was abandoned or interrupted before its own cleanup ran.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context;

/// This process's scratch root (not created until first used).
pub fn root() -> PathBuf {
    #[cfg(test)]
    if let Some(own) = TEST_ROOT.with(|own| own.borrow().clone()) {
        return own;
    }
    std::env::temp_dir().join(format!("concbench-{}", std::process::id()))
}

#[cfg(test)]
thread_local! {
    static TEST_ROOT: std::cell::RefCell<Option<PathBuf>> = const { std::cell::RefCell::new(None) };
}

/// Give the calling test thread a scratch root of its own, so that what a
/// test finds there is its own trial's and not a parallel test's.
#[cfg(test)]
pub fn use_own_root_on_this_thread(root: PathBuf) {
    TEST_ROOT.with(|own| *own.borrow_mut() = Some(root));
}

/// A fresh temporary directory under the run's root, removed when dropped
/// (and by `remove_all` if the drop never happens).
pub fn temp_dir(label: &str) -> anyhow::Result<tempfile::TempDir> {
    let root = root();
    std::fs::create_dir_all(&root).with_context(|| format!("creating {}", root.display()))?;
    tempfile::Builder::new()
        .prefix(&format!("{label}-"))
        .tempdir_in(&root)
        .with_context(|| format!("creating a temporary directory in {}", root.display()))
}

/// A POSIX shared-memory (or message-queue) name unique to this run:
/// `/concbench-<pid>-<label>-<n>`. Whoever creates it unlinks it when done;
/// `remove_all` unlinks leftovers.
pub fn ipc_name(label: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "/{}-{label}-{}",
        shm_prefix(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

fn shm_prefix() -> String {
    format!("concbench-{}", std::process::id())
}

/// Remove the run's scratch root and any shared-memory or message-queue
/// names it left behind. Safe to call more than once.
pub fn remove_all() {
    let _ = std::fs::remove_dir_all(root());
    let prefix = shm_prefix();
    for dir in ["/dev/shm", "/dev/mqueue"] {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_dirs_live_under_the_root_and_names_are_unique() {
        let dir = temp_dir("unit").expect("temp dir");
        assert!(dir.path().starts_with(root()));
        assert_ne!(ipc_name("ring"), ipc_name("ring"));
        assert!(ipc_name("ring").starts_with(&format!("/concbench-{}-ring-", std::process::id())));
    }
}
