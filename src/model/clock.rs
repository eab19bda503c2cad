//! What a controller's own clock of its requests says of the times a worker
//! reports for them (a runtime's worker's `run`, a gate worker's `sample`).
//! A request's round trip holds the reported time, so no report may be
//! longer than its request; and it holds little else, so the reports may
//! not add up to much less than the requests either. A worker that times
//! only part of its work (or scales its times down) is caught here.
//!
//! The allowance for what a request costs besides the timed work is
//! measured per worker: the least time any of its requests took beyond
//! what it reported, or a trivial request's round trip where the protocol
//! has one (`probe`), whichever is less: its quietest request's overhead.
//! A request is allowed `OVERHEAD_SPREAD` times that, since overheads vary
//! (reading the CPU time of live children, wake-ups): on the development VM
//! a trivial request to the CPython worker took 40-60 us, a `run`'s untimed
//! part 100-800 us (its least 104 us, its mean 185 us over 214 tiny runs of
//! ipc.pingpong), `concbench worker serve`'s tens of us. The allowance is
//! capped at `OVERHEAD_CAP` because a worker that under-reports every
//! request inflates its least difference.
//!
//! The bound is generous, for a noisy 2-core VM: the reports must add up to
//! a third of what the requests took beyond their allowance. A healthy
//! worker fails it only if, beyond that allowance, it sat outside its timed
//! region twice as long as inside it (scheduling delays fall on both
//! alike); one that reports a fifth of a request's work fails it unless
//! its requests are hardly longer than their overhead (where no clock can
//! tell). Healthy CPython workloads at tiny sizes reported 0.67 to 0.99 of
//! their requests beyond the quietest overhead.

use std::time::Duration;

/// A request's allowance is this many times the quietest one's overhead...
pub const OVERHEAD_SPREAD: u64 = 3;
/// ... and never more than this (see above).
pub const OVERHEAD_CAP: Duration = Duration::from_millis(1);

/// The reports must add up to at least 1 / `LEAST_SHARE` of what the
/// requests took beyond their allowance.
pub const LEAST_SHARE: u64 = 3;

/// One worker's requests, as the controller timed them and the worker
/// reported them.
#[derive(Debug, Clone, Default)]
pub struct RequestClock {
    requests: u64,
    asked_ns: u64,
    reported_ns: u64,
    /// The least of `asked - reported` over the requests.
    least_untimed_ns: Option<u64>,
    /// The quickest round trip of a trivial request, where there is one.
    probe_ns: Option<u64>,
}

impl RequestClock {
    /// A trivial request's round trip (one that does no work).
    pub fn probe(&mut self, took: Duration) {
        let ns = took.as_nanos() as u64;
        self.probe_ns = Some(self.probe_ns.map_or(ns, |p| p.min(ns)));
    }

    /// One request that took `asked_ns` by the controller's clock and for
    /// which the worker reported `reported_ns` of timed work. Whether the
    /// report fits in the request is the caller's to say (with its words);
    /// here a longer one counts as no time outside the timed region.
    pub fn record(&mut self, asked_ns: u64, reported_ns: u64) {
        let untimed = asked_ns.saturating_sub(reported_ns);
        self.requests += 1;
        self.asked_ns = self.asked_ns.saturating_add(asked_ns);
        self.reported_ns = self.reported_ns.saturating_add(reported_ns);
        self.least_untimed_ns = Some(self.least_untimed_ns.map_or(untimed, |u| u.min(untimed)));
    }

    /// What each request may spend outside the timed work (see the module
    /// comment).
    pub fn allowance(&self) -> Duration {
        let cap = OVERHEAD_CAP.as_nanos() as u64;
        let quietest = self
            .least_untimed_ns
            .unwrap_or(cap)
            .min(self.probe_ns.unwrap_or(cap));
        Duration::from_nanos(quietest.saturating_mul(OVERHEAD_SPREAD).min(cap))
    }

    /// Err, one line, when the reports add up to less than a third of what
    /// the requests took beyond their allowance: `"reported times that
    /// contradict the controller's clock: ..."`, to follow the worker's name.
    pub fn check(&self) -> Result<(), String> {
        let allowance = self.allowance().as_nanos() as u64;
        let beyond = self
            .asked_ns
            .saturating_sub(self.requests.saturating_mul(allowance));
        if u128::from(self.reported_ns) * u128::from(LEAST_SHARE) >= u128::from(beyond) {
            return Ok(());
        }
        Err(format!(
            "reported times that contradict the controller's clock: its {} requests took {} \
             by that clock, {} beyond the protocol's overhead ({} a request), but it reported \
             {} of timed work, under a third of that",
            self.requests,
            ms(self.asked_ns),
            ms(beyond),
            ms(allowance),
            ms(self.reported_ns)
        ))
    }
}

fn ms(ns: u64) -> String {
    format!("{:.3} ms", ns as f64 / 1e6)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    /// `n` requests of `work` ns of timed work and `overhead` ns around
    /// it, each reported as `reported(work)`.
    fn clock(n: u64, work: u64, overhead: u64, reported: impl Fn(u64) -> u64) -> RequestClock {
        let mut clock = RequestClock::default();
        // The harness warms a trial up from one round: a small request first.
        clock.record(work / 100 + overhead, reported(work / 100));
        for _ in 0..n {
            clock.record(work + overhead, reported(work));
        }
        clock
    }

    #[test]
    fn a_worker_that_reports_its_work_passes_even_with_stalls_outside_it() {
        assert_eq!(clock(5, 12 * MS, MS / 5, |w| w).check(), Ok(()));
        // Half again as long outside the timed work, every request.
        assert_eq!(clock(5, 4 * MS, 2 * MS, |w| w).check(), Ok(()));
        // Requests that are mostly overhead, and overheads that vary:
        // tiny samples, most of them three times as slow around the work.
        let mut tiny = clock(5, MS / 10, MS / 10, |w| w);
        for _ in 0..20 {
            tiny.record(MS / 20 + 3 * MS / 10, MS / 20);
        }
        assert_eq!(tiny.check(), Ok(()));
    }

    #[test]
    fn a_worker_that_reports_a_fifth_of_its_work_fails_with_one_line() {
        let error = clock(5, 12 * MS, MS / 5, |w| w / 5)
            .check()
            .expect_err("a fifth of the time");
        assert!(error.contains("controller's clock"), "{error}");
        assert!(error.contains("under a third"), "{error}");
        assert!(!error.contains('\n'));
    }

    #[test]
    fn requests_of_one_size_are_caught_through_the_probe_or_the_cap() {
        let mut same = RequestClock::default();
        for _ in 0..8 {
            same.record(4 * MS + MS / 20, 4 * MS / 5);
        }
        // The least difference (3.25 ms) is capped.
        assert_eq!(same.allowance(), OVERHEAD_CAP);
        same.probe(Duration::from_micros(50));
        assert_eq!(same.allowance(), Duration::from_micros(150));
        assert!(same.check().is_err());
        let mut slow = RequestClock::default();
        for _ in 0..3 {
            slow.record(25 * MS, 5 * MS);
        }
        assert!(slow.check().is_err(), "no probe: the cap");
    }

    #[test]
    fn nothing_recorded_is_no_contradiction() {
        assert_eq!(RequestClock::default().check(), Ok(()));
    }
}
