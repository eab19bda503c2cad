//! What the io scenarios read of the machine: cores, the process and file
//! limits a point needs, and memory. A room of its own so the scenarios below
//! `io` import it and `io/mod.rs` (which lists them) is imported by none.

use nix::sys::resource::{Resource, getrlimit, setrlimit};

/// Logical cores: the size of thread pools and runtimes the family builds.
pub(super) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Refuse `wanted` threads or processes beyond RLIMIT_NPROC (soft), naming
/// the parameter (`what`, e.g. `tasks=5000`) and the limit.
pub(super) fn check_nproc(what: &str, wanted: u64) -> Result<(), String> {
    match getrlimit(Resource::RLIMIT_NPROC) {
        Ok((soft, _)) if soft != nix::libc::RLIM_INFINITY && wanted >= soft => Err(format!(
            "{what} needs about {wanted} threads or processes but RLIMIT_NPROC is {soft} for this user (raise it with `ulimit -u`)"
        )),
        _ => Ok(()),
    }
}

/// Open files a point may need beyond its own: stdio, the results file, the
/// sampler's pipes, the tokio runtime's epoll and event fds.
const FD_MARGIN: u64 = 64;

/// Make room for a point that needs `wanted` open files (plus a margin):
/// fine within the RLIMIT_NOFILE soft limit; beyond it but within the hard
/// limit, the soft limit is raised (as servers do: the default soft limit of
/// 1024 is a relic of select()); beyond the hard limit the point is refused.
pub(super) fn check_nofile(what: &str, wanted: u64) -> Result<(), String> {
    let needed = wanted.saturating_add(FD_MARGIN);
    let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) else {
        return Ok(());
    };
    let within = |limit: u64| limit == nix::libc::RLIM_INFINITY || needed <= limit;
    if within(soft) {
        return Ok(());
    }
    let refusal = |limit: u64| {
        format!(
            "{what} needs about {needed} open files but RLIMIT_NOFILE is {limit} (raise it with `ulimit -n`)"
        )
    };
    if !within(hard) {
        return Err(refusal(hard));
    }
    setrlimit(Resource::RLIMIT_NOFILE, needed, hard).map_err(|_| refusal(soft))
}

/// A `kB` field of a /proc status-like file (`VmRSS:`, `Private_Dirty:`), in
/// bytes; `None` where /proc is missing.
pub(super) fn proc_kib_field(path: &str, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().find(|l| l.starts_with(field))?;
    let kib: u64 = line[field.len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// Hand memory that earlier points freed back to the kernel, so that what a
/// point allocates next shows up as growth of the resident set instead of
/// reusing pages that were already resident.
pub(super) fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own arenas under their locks
    // and returns unused pages to the kernel; it touches no live allocation
    // and is safe to call from any thread at any time.
    unsafe {
        nix::libc::malloc_trim(0);
    }
}

/// This process's resident set now, in bytes (0 where /proc is missing).
pub(super) fn rss_now() -> u64 {
    proc_kib_field("/proc/self/status", "VmRSS:").unwrap_or(0)
}

/// Memory a forked child no longer shares with anyone (what it added), in
/// bytes: private clean + private dirty pages.
pub(super) fn private_bytes(pid: nix::unistd::Pid) -> u64 {
    let path = format!("/proc/{pid}/smaps_rollup");
    proc_kib_field(&path, "Private_Clean:").unwrap_or(0)
        + proc_kib_field(&path, "Private_Dirty:").unwrap_or(0)
}

/// CPU time of this process and its reaped children during the samples.
pub(super) fn cpu_ns(resources: &crate::results::Resources) -> u64 {
    resources.user_ns + resources.sys_ns + resources.children.user_ns + resources.children.sys_ns
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_a_resident_set() {
        assert!(rss_now() > 0);
        assert!(private_bytes(nix::unistd::getpid()) > 0);
    }

    #[test]
    fn limits_refuse_needs_beyond_the_hard_limit_and_accept_small_ones() {
        assert!(check_nofile("connections=1", 2).is_ok());
        assert!(check_nproc("tasks=1", 1).is_ok());
        let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).expect("getrlimit");
        if hard != nix::libc::RLIM_INFINITY {
            let refusal = check_nofile("connections=x", hard).expect_err("beyond the limit");
            assert!(refusal.contains("RLIMIT_NOFILE"), "{refusal}");
            assert!(refusal.contains("connections=x"), "{refusal}");
        }
    }
}
