//! What a controller's own clock of its requests says of the times a worker
//! reports for them (a runtime's worker's `run`, a gate worker's `sample`).
//! A request's round trip holds the reported time, so no report may be
//! longer than its request (the callers refuse that, in their words); and
//! it holds little else, so the reports may not be much shorter than the
//! requests either. A worker that times only part of its work, or scales
//! its times down, is caught here.
//!
//! The allowance for what a request costs besides the timed work is
//! measured per worker: the least time any of its requests took beyond
//! what it reported, or a trivial request's round trip where the protocol
//! has one (`probe`), whichever is less: its quietest request's overhead.
//! A request is allowed `OVERHEAD_SPREAD` times that, since overheads vary
//! (reading the CPU time of live children): on the development VM a
//! trivial request to the CPython worker took 40-60 us and a `run`'s
//! untimed part 100-800 us (least 104 us, mean 185 us over 214 tiny runs of
//! ipc.pingpong); `concbench worker serve`'s tens of us. It is capped at
//! `OVERHEAD_CAP`, since a worker that under-reports every request
//! inflates its least difference.
//!
//! Waking a worker up is not overhead that falls on every request alike:
//! on the 2-core VM at load 4-6, a woken `worker serve` waited up to 5 ms
//! for a core before its timed work, in some requests and not in others.
//! So the bound asks for one good request, not an average: among the
//! requests that tell (those that report at least the allowance), at least
//! one must report a third of what it took beyond its allowance. A worker
//! that reports a fifth of its work can then never pass (its report r of
//! work 5r fits a request of 5r plus overhead only if 2r is less than the
//! allowance less that overhead); a healthy one fails only if every
//! request that tells waited outside its timed work twice as long as it
//! worked. Requests that report less than the allowance tell nothing, and
//! one request alone says nothing either (`LEAST_TELLING`): a tiny run's
//! single telling request of a CPython worker, at the test suite's load,
//! waited 36 ms outside its 2 ms of timed work.

use std::time::Duration;

/// A request's allowance is this many times the quietest one's overhead...
pub const OVERHEAD_SPREAD: u64 = 3;
/// ... and never more than this (see above).
pub const OVERHEAD_CAP: Duration = Duration::from_millis(1);
/// A report must be at least 1 / `LEAST_SHARE` of what its request took
/// beyond the allowance.
pub const LEAST_SHARE: u64 = 3;
/// A contradiction needs at least this many requests that tell: a healthy
/// worker fails only if each of them was held up twice as long as it
/// worked.
pub const LEAST_TELLING: usize = 2;

/// One worker's requests, as the controller timed them and the worker
/// reported them.
#[derive(Debug, Clone, Default)]
pub struct RequestClock {
    /// (asked, reported) ns of each request.
    requests: Vec<(u64, u64)>,
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
    /// which the worker reported `reported_ns` of timed work.
    pub fn record(&mut self, asked_ns: u64, reported_ns: u64) {
        self.requests.push((asked_ns, reported_ns));
    }

    /// What each request may spend outside the timed work (see the module
    /// comment).
    pub fn allowance(&self) -> Duration {
        let cap = OVERHEAD_CAP.as_nanos() as u64;
        let least_untimed = self
            .requests
            .iter()
            .map(|&(asked, reported)| asked.saturating_sub(reported))
            .min();
        let quietest = least_untimed
            .unwrap_or(cap)
            .min(self.probe_ns.unwrap_or(cap));
        Duration::from_nanos(quietest.saturating_mul(OVERHEAD_SPREAD).min(cap))
    }

    /// Err, one line, when every request that tells reported less than a
    /// third of what it took beyond its allowance: `"reported times
    /// that contradict the controller's clock: ..."`, to follow the
    /// worker's name.
    pub fn check(&self) -> Result<(), String> {
        let allowance = (self.allowance().as_nanos() as u64).max(1);
        let telling: Vec<(u64, u64)> = self
            .requests
            .iter()
            .filter(|&&(_, reported)| reported >= allowance)
            .map(|&(asked, reported)| (asked.saturating_sub(allowance), reported))
            .collect();
        let fits = |&(beyond, reported): &(u64, u64)| {
            u128::from(reported) * u128::from(LEAST_SHARE) >= u128::from(beyond)
        };
        if telling.len() < LEAST_TELLING || telling.iter().any(fits) {
            return Ok(());
        }
        let share = |&(beyond, reported): &(u64, u64)| reported as f64 / beyond as f64;
        let (beyond, reported) = telling
            .iter()
            .copied()
            .max_by(|a, b| share(a).total_cmp(&share(b)))
            .unwrap_or_default();
        Err(format!(
            "reported times that contradict the controller's clock: none of the {} of its {} \
             requests that tell reported a third of what it took beyond the protocol's \
             overhead ({} a request); the closest reported {} of {}",
            telling.len(),
            self.requests.len(),
            ms(allowance),
            ms(reported),
            ms(beyond)
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
    fn a_worker_that_reports_its_work_passes_even_when_woken_late() {
        assert_eq!(clock(5, 12 * MS, MS / 5, |w| w).check(), Ok(()));
        // Most requests waited 5 ms for a core before 3.5 ms of work.
        let mut woken_late = clock(1, 3 * MS + MS / 2, MS / 20, |w| w);
        for _ in 0..7 {
            woken_late.record(3 * MS + MS / 2 + 5 * MS, 3 * MS + MS / 2);
        }
        assert_eq!(woken_late.check(), Ok(()));
        // Quick requests and slow ones of the same work: the quick ones tell.
        let mut some_late = RequestClock::default();
        some_late.probe(Duration::from_micros(50));
        for asked in [500, 3500, 600, 3300] {
            some_late.record(asked * 1000, 310_000);
        }
        assert_eq!(some_late.check(), Ok(()));
        // Requests that are mostly overhead, and overheads that vary: none
        // reports as much as its allowance, none tells.
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
        assert!(error.contains("none of the 5 of its 6 requests"), "{error}");
        assert!(!error.contains('\n'));
    }

    #[test]
    fn requests_of_one_size_are_caught_through_the_probe() {
        let mut same = RequestClock::default();
        for _ in 0..8 {
            same.record(4 * MS + MS / 20, 4 * MS / 5);
        }
        // The least difference (3.25 ms) is capped, and 0.8 ms reported
        // tells nothing against 1 ms: a trivial request's round trip does.
        assert_eq!(same.allowance(), OVERHEAD_CAP);
        assert_eq!(same.check(), Ok(()));
        same.probe(Duration::from_micros(50));
        assert_eq!(same.allowance(), Duration::from_micros(150));
        assert!(same.check().is_err());
    }

    #[test]
    fn nothing_that_tells_is_no_contradiction() {
        assert_eq!(RequestClock::default().check(), Ok(()));
        let mut short = RequestClock::default();
        short.probe(Duration::from_micros(50));
        short.record(500_000, 10_000);
        assert_eq!(short.check(), Ok(()), "0.01 ms is under 0.15 ms");
        // One request that tells, held up 36 ms for its 2 ms of work: a
        // stall, not a lie; a second one like it is a contradiction.
        let mut stalled = RequestClock::default();
        stalled.probe(Duration::from_micros(300));
        stalled.record(38 * MS, 2 * MS + MS / 5);
        assert_eq!(stalled.check(), Ok(()));
        stalled.record(38 * MS, 2 * MS + MS / 5);
        assert!(stalled.check().is_err());
    }
}
