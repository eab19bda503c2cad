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
    root_of(std::process::id())
}

/// The scratch root of process `pid`.
fn root_of(pid: u32) -> PathBuf {
    std::env::temp_dir().join(format!("concbench-{pid}"))
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
    shm_prefix_of(std::process::id())
}

fn shm_prefix_of(pid: u32) -> String {
    format!("concbench-{pid}")
}

/// Remove the run's scratch root and any shared-memory or message-queue
/// names it left behind. Safe to call more than once.
pub fn remove_all() {
    let _ = std::fs::remove_dir_all(root());
    remove_names_with(&shm_prefix());
}

/// Remove what a killed concbench process `pid` left behind (its scratch
/// root and shared-memory names): it had no chance to.
pub fn remove_left_by(pid: u32) {
    let _ = std::fs::remove_dir_all(root_of(pid));
    remove_names_with(&shm_prefix_of(pid));
}

/// Remove the shared-memory and message-queue names `<prefix>-*`.
fn remove_names_with(prefix: &str) {
    let prefix = format!("{prefix}-");
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

    #[test]
    fn what_a_killed_process_left_is_removed_and_only_its_own() {
        // Pids this large are never given out (the kernel's limit is 2^22).
        let dead = 4_000_000_001u32;
        let dir = root_of(dead).join("left");
        std::fs::create_dir_all(&dir).expect("scratch root of the dead pid");
        let shm = std::path::Path::new("/dev/shm");
        let names = [
            shm.join(format!("concbench-{dead}-ring-0")),
            shm.join(format!("concbench-{dead}2-ring-0")),
        ];
        let shm_usable = names.iter().all(|n| std::fs::write(n, b"x").is_ok());
        remove_left_by(dead);
        assert!(!root_of(dead).exists());
        if shm_usable {
            assert!(!names[0].exists(), "its own name goes");
            assert!(
                names[1].exists(),
                "another pid's name that merely starts alike stays"
            );
            let _ = std::fs::remove_file(&names[1]);
        }
    }
}
