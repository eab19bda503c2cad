//! What live child processes hold of their own, read from /proc while they
//! live: the memory a process model's workers cost beyond the parent they
//! were forked from. (getrusage's maximum for children cannot say it: it is
//! the largest resident set of any descendant reaped so far, in this point
//! or before it, shared pages included.)

use nix::unistd::Pid;

/// The most children one probe reads: each read walks the child's page
/// tables, a few hundred µs for a child of a 20 MB parent.
pub const MOST_READ: usize = 16;

/// The memory one live child holds of its own, in bytes: its private pages
/// (`smaps_rollup`'s Private_Clean + Private_Dirty: mapped by no other
/// process, so freed when it exits) and its page tables (`status`'s VmPTE).
/// The pages it still shares with its parent or siblings after fork are not
/// its own. None when the child is gone, a zombie, or /proc cannot say.
pub fn held_by(pid: Pid) -> Option<u64> {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    // A zombie (or a process past exit_mm) has no memory map left to sum.
    kib_field(&rollup, "Rss:")?;
    let private = kib_field(&rollup, "Private_Clean:")? + kib_field(&rollup, "Private_Dirty:")?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let page_tables = kib_field(&status, "VmPTE:").unwrap_or(0);
    Some((private + page_tables) * 1024)
}

/// The mean of `held_by` over at most `MOST_READ` of `pids`, spread evenly
/// from the first started to the last; None when none could be read.
pub fn held_per_child(pids: &[Pid]) -> Option<u64> {
    let step = pids.len().div_ceil(MOST_READ).max(1);
    let held: Vec<u64> = pids
        .iter()
        .step_by(step)
        .filter_map(|&p| held_by(p))
        .collect();
    let count = held.len() as u64;
    (count > 0).then(|| held.iter().sum::<u64>() / count)
}

/// A `kB` field of a /proc file (`VmPTE:`, `Private_Dirty:`), in KiB.
fn kib_field(text: &str, field: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(field))?;
    line[field.len()..].split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::process::{fork_child, sleep_signal_safe, wait_exit_ok};

    /// A forked child that writes `bytes` of memory the parent mapped (so
    /// each page becomes its own copy), then sleeps `ms`.
    fn child_writing(buffer: &'static mut [u8], ms: u64) -> Pid {
        let base = buffer.as_mut_ptr() as usize;
        let length = buffer.len();
        fork_child(move || {
            // Only volatile stores and clock_nanosleep: async-signal-safe.
            for offset in (0..length).step_by(4096) {
                unsafe { std::ptr::write_volatile((base + offset) as *mut u8, 1) };
            }
            sleep_signal_safe(std::time::Duration::from_millis(ms));
            0
        })
        .expect("fork")
    }

    #[test]
    fn a_child_holds_the_pages_it_wrote_and_not_those_it_shares() {
        const WRITTEN: usize = 8 << 20;
        let buffer: &'static mut [u8] = Box::leak(vec![7u8; WRITTEN].into_boxed_slice());
        // Read at once: what the parent (this busy test binary) writes
        // after the fork becomes the quiet child's own copy too.
        let quiet = child_writing(&mut [], 2000);
        let quiet_holds = held_by(quiet).expect("a live child can be read");
        let writer = child_writing(buffer, 2000);
        // Until the writer has written its pages, it holds less.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let mut written = 0;
        while std::time::Instant::now() < deadline {
            written = held_by(writer).unwrap_or(0);
            if written >= WRITTEN as u64 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let _ = nix::sys::signal::kill(quiet, nix::sys::signal::Signal::SIGKILL);
        let _ = nix::sys::signal::kill(writer, nix::sys::signal::Signal::SIGKILL);
        let _ = wait_exit_ok(quiet);
        let _ = wait_exit_ok(writer);
        assert!(
            written >= WRITTEN as u64,
            "the writer holds its {WRITTEN} bytes: {written}"
        );
        assert!(
            quiet_holds < (WRITTEN / 2) as u64,
            "the quiet child shares the parent's 8 MiB and holds little: {quiet_holds}"
        );
        assert_eq!(held_by(quiet), None, "a reaped child holds nothing");
        assert_eq!(held_per_child(&[quiet, writer]), None);
    }
}
