//! The machine's limits that decide whether a point can run at all: tasks
//! per user (RLIMIT_NPROC), open files (RLIMIT_NOFILE) and available memory.
//! Scenarios call these from `Scenario::check_limits`; the harness records a
//! refused point as `skipped` with the message, before any worker starts.

use nix::sys::resource::{Resource, getrlimit};

/// Refuse `needed` more threads or processes if they would pass the user's
/// RLIMIT_NPROC soft limit, counting the tasks the user already has.
pub fn check_tasks(needed: u64, what: &str) -> Result<(), String> {
    let Some(limit) = soft_limit(Resource::RLIMIT_NPROC) else {
        return Ok(());
    };
    let in_use = user_tasks();
    if in_use + needed > limit {
        return Err(format!(
            "{what} needs {needed} threads or processes; the user already has {in_use} and RLIMIT_NPROC allows {limit} (raise it with `ulimit -u`)"
        ));
    }
    Ok(())
}

/// Refuse `needed` more file descriptors if they would pass RLIMIT_NOFILE,
/// counting the ones this process has open.
pub fn check_files(needed: u64, what: &str) -> Result<(), String> {
    let Some(limit) = soft_limit(Resource::RLIMIT_NOFILE) else {
        return Ok(());
    };
    let open = std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count() as u64);
    if open + needed > limit {
        return Err(format!(
            "{what} needs {needed} file descriptors; {open} are open and RLIMIT_NOFILE allows {limit} (raise it with `ulimit -n`)"
        ));
    }
    Ok(())
}

/// Refuse a point expected to need more than the memory available now.
pub fn check_memory(needed_bytes: u64, what: &str) -> Result<(), String> {
    let Some(available) = available_memory() else {
        return Ok(());
    };
    if needed_bytes > available {
        return Err(format!(
            "{what} needs about {} MiB of memory; {} MiB is available (MemAvailable)",
            needed_bytes >> 20,
            available >> 20
        ));
    }
    Ok(())
}

fn soft_limit(resource: Resource) -> Option<u64> {
    match getrlimit(resource) {
        Ok((soft, _)) if soft != nix::libc::RLIM_INFINITY => Some(soft),
        _ => None,
    }
}

/// Threads of every process of this user: what RLIMIT_NPROC counts.
fn user_tasks() -> u64 {
    let uid = nix::unistd::getuid().as_raw().to_string();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
        .filter_map(|e| std::fs::read_to_string(e.path().join("status")).ok())
        .filter(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|ids| ids.split_whitespace().next().map(|real| real == uid))
                .unwrap_or(false)
        })
        .filter_map(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("Threads:"))
                .and_then(|n| n.trim().parse::<u64>().ok())
        })
        .sum()
}

/// MemAvailable from /proc/meminfo, in bytes.
fn available_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemAvailable:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse::<u64>()
        .ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_needs_pass_and_absurd_ones_name_the_limit() {
        assert_eq!(check_files(1, "a test"), Ok(()));
        assert_eq!(check_memory(1, "a test"), Ok(()));
        let error = check_memory(u64::MAX / 2, "a huge point").unwrap_err();
        assert!(
            error.contains("MemAvailable") && error.contains("a huge point"),
            "{error}"
        );
        if let Some(limit) = soft_limit(Resource::RLIMIT_NOFILE) {
            let error = check_files(limit + 1, "many sockets").unwrap_err();
            assert!(error.contains("RLIMIT_NOFILE"), "{error}");
        }
        assert!(user_tasks() >= 1, "this test's own threads count");
    }
}
