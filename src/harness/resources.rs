//! What a point cost the machine: getrusage deltas for this process and its
//! reaped children, and the peak resident set during the point (reset per
//! point through /proc/self/clear_refs, since getrusage's maximum only grows).
//! No memory figure for children: getrusage's is the largest resident set
//! of any descendant reaped so far, not this point's (scenarios with process
//! workers read their live children instead, see `model::memory`).

use nix::sys::resource::{Usage, UsageWho, getrusage};
use nix::sys::time::TimeValLike;

use crate::results::{ChildResources, Resources};

/// getrusage of this process and of its children at one moment.
pub struct Snapshot {
    own: Option<Usage>,
    children: Option<Usage>,
    rss_bytes: u64,
}

impl Snapshot {
    /// Take a snapshot at the start of the samples and reset the peak-RSS mark.
    pub fn start() -> Snapshot {
        // Linux: writing 5 resets VmHWM to the current RSS. Where it fails,
        // the peak falls back to the process's lifetime maximum.
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        Snapshot::now()
    }

    fn now() -> Snapshot {
        Snapshot {
            own: getrusage(UsageWho::RUSAGE_SELF).ok(),
            children: getrusage(UsageWho::RUSAGE_CHILDREN).ok(),
            rss_bytes: status_kib("VmRSS:").unwrap_or(0) * 1024,
        }
    }

    /// The resources used between `self` and now, over `wall_ns`.
    pub fn delta_to_now(&self, wall_ns: u64) -> Resources {
        let end = Snapshot::now();
        let own_peak = status_kib("VmHWM:")
            .map(|kib| kib * 1024)
            .or_else(|| end.own.as_ref().map(|u| u.max_rss() as u64 * 1024))
            .unwrap_or(0);
        let own = usage_delta(self.own.as_ref(), end.own.as_ref());
        let children = usage_delta(self.children.as_ref(), end.children.as_ref());
        Resources {
            wall_ns,
            user_ns: own.user_ns,
            sys_ns: own.sys_ns,
            voluntary_cs: own.voluntary_cs,
            involuntary_cs: own.involuntary_cs,
            minor_faults: own.minor_faults,
            max_rss_bytes: own_peak,
            start_rss_bytes: self.rss_bytes,
            children,
        }
    }
}

/// Add one turn's resources to a point's total, for a point measured in
/// turns (interleaved with others): times, switches and faults add up, the
/// peaks are the largest of any turn, the starting RSS is the first turn's.
pub fn accumulate(total: &mut Option<Resources>, turn: Resources) {
    let Some(sum) = total else {
        *total = Some(turn);
        return;
    };
    sum.wall_ns += turn.wall_ns;
    sum.user_ns += turn.user_ns;
    sum.sys_ns += turn.sys_ns;
    sum.voluntary_cs += turn.voluntary_cs;
    sum.involuntary_cs += turn.involuntary_cs;
    sum.minor_faults += turn.minor_faults;
    sum.max_rss_bytes = sum.max_rss_bytes.max(turn.max_rss_bytes);
    let (a, b) = (&mut sum.children, turn.children);
    a.user_ns += b.user_ns;
    a.sys_ns += b.sys_ns;
    a.voluntary_cs += b.voluntary_cs;
    a.involuntary_cs += b.involuntary_cs;
    a.minor_faults += b.minor_faults;
}

fn usage_delta(before: Option<&Usage>, after: Option<&Usage>) -> ChildResources {
    let (Some(a), Some(b)) = (before, after) else {
        return ChildResources::default();
    };
    let diff = |x: i64, y: i64| y.saturating_sub(x).max(0) as u64;
    ChildResources {
        user_ns: diff(
            a.user_time().num_nanoseconds(),
            b.user_time().num_nanoseconds(),
        ),
        sys_ns: diff(
            a.system_time().num_nanoseconds(),
            b.system_time().num_nanoseconds(),
        ),
        voluntary_cs: diff(
            a.voluntary_context_switches(),
            b.voluntary_context_switches(),
        ),
        involuntary_cs: diff(
            a.involuntary_context_switches(),
            b.involuntary_context_switches(),
        ),
        minor_faults: diff(a.minor_page_faults(), b.minor_page_faults()),
    }
}

/// A `kB` field of /proc/self/status, e.g. `VmHWM:`.
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line[field.len()..].split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_work_shows_up_as_user_time_and_peak_rss_is_at_least_the_start() {
        let snapshot = Snapshot::start();
        let mut x = 0u64;
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_millis(30) {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
        let used = snapshot.delta_to_now(started.elapsed().as_nanos() as u64);
        assert!(used.user_ns + used.sys_ns > 0, "{used:?}");
        assert!(used.max_rss_bytes > 0 && used.max_rss_bytes >= used.start_rss_bytes / 2);
    }

    #[test]
    fn resources_written_with_a_child_max_rss_still_read() {
        let old = r#"{"wall_ns":5,"user_ns":1,"sys_ns":1,"voluntary_cs":0,
            "involuntary_cs":0,"minor_faults":0,"max_rss_bytes":7,"start_rss_bytes":3,
            "children":{"user_ns":2,"sys_ns":0,"voluntary_cs":0,"involuntary_cs":0,
            "minor_faults":0,"max_rss_bytes":1342177280}}"#;
        let read: Resources = serde_json::from_str(old).expect("an older record reads");
        assert_eq!((read.max_rss_bytes, read.children.user_ns), (7, 2));
        let written = serde_json::to_string(&read).expect("writes");
        assert_eq!(written.matches("max_rss_bytes").count(), 1, "{written}");
    }

    #[test]
    fn turns_add_up_and_peaks_are_the_largest() {
        let turn = |user_ns, rss| Resources {
            wall_ns: 10,
            user_ns,
            sys_ns: 1,
            voluntary_cs: 2,
            involuntary_cs: 3,
            minor_faults: 4,
            max_rss_bytes: rss,
            start_rss_bytes: rss,
            children: ChildResources {
                user_ns: 5,
                ..ChildResources::default()
            },
        };
        let mut total = None;
        accumulate(&mut total, turn(100, 7));
        accumulate(&mut total, turn(50, 9));
        let total = total.expect("two turns");
        assert_eq!((total.wall_ns, total.user_ns, total.sys_ns), (20, 150, 2));
        assert_eq!(
            (total.voluntary_cs, total.involuntary_cs, total.minor_faults),
            (4, 6, 8)
        );
        assert_eq!((total.max_rss_bytes, total.start_rss_bytes), (9, 7));
        assert_eq!(total.children.user_ns, 10);
    }
}
