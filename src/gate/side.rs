//! How one side's runs went for one point, and what that means for the
//! verdict when the figures cannot decide it: a side that skipped the point,
//! a new run where it went wrong, a base that never measured it, a point that
//! showed the outcome it was declared to show (deadlocked as meant).

use super::verdict::Verdict;
use crate::results::{PointResult, RunResults};
use crate::vocab::Status;

/// One side's record of a point, run by run.
#[derive(Debug, Default)]
pub struct Side<'a> {
    /// The runs of this side that hold the point.
    pub runs: usize,
    /// Per-sample ns/op of each run that measured it.
    pub measured: Vec<Vec<f64>>,
    /// Runs where it went wrong: an outcome it was not meant to show, or ok
    /// without one sample that counted an operation.
    pub failed: Vec<&'a PointResult>,
    /// Runs that skipped it before anything ran (the machine's limits).
    pub skipped: Vec<&'a PointResult>,
    /// Runs where it showed the outcome other than ok it was declared to show.
    pub as_meant: Vec<&'a PointResult>,
    /// The point as the first run that holds it recorded it.
    pub first: Option<&'a PointResult>,
}

impl<'a> Side<'a> {
    /// Sort the runs of `side` that hold point `id`.
    pub fn of(side: &'a [RunResults], id: &str) -> Side<'a> {
        let mut out = Side::default();
        for point in side
            .iter()
            .filter_map(|r| r.results.iter().find(|p| p.id == id))
        {
            out.runs += 1;
            out.first.get_or_insert(point);
            if point.status == Status::Skipped {
                out.skipped.push(point);
            } else if point.is_failure() {
                out.failed.push(point);
            } else if point.status != Status::Ok {
                out.as_meant.push(point);
            } else {
                let values = per_op(point);
                if values.is_empty() {
                    out.failed.push(point);
                } else {
                    out.measured.push(values);
                }
            }
        }
        out
    }

    /// Samples over all the runs that measured the point.
    pub fn samples(&self) -> usize {
        self.measured.iter().map(Vec::len).sum()
    }

    /// Whether no run measured it or showed its declared outcome.
    fn ran_nowhere(&self) -> bool {
        self.measured.is_empty() && self.as_meant.is_empty()
    }

    /// "failed in 1 of 3 new runs: timed out: no result within 1s".
    pub fn failure_note(&self, name: &str) -> String {
        let what = self.failed.first().map_or(String::new(), |p| reason(p));
        format!(
            "failed {}: {what}",
            share(self.failed.len(), self.runs, name)
        )
    }
}

/// Per-sample ns/op of the samples that counted an operation.
fn per_op(point: &PointResult) -> Vec<f64> {
    point
        .samples
        .iter()
        .filter(|s| s.ops > 0)
        .map(|s| s.ns as f64 / s.ops as f64)
        .collect()
}

/// "in the new run" or "in 2 of 3 base runs".
fn share(count: usize, runs: usize, name: &str) -> String {
    if runs <= 1 {
        format!("in the {name} run")
    } else {
        format!("in {count} of {runs} {name} runs")
    }
}

/// What went wrong, as recorded: `timed out: no result within 1s`.
fn reason(point: &PointResult) -> String {
    if point.status == Status::Ok && !point.is_failure() {
        return "no sample counted an operation".into();
    }
    match &point.error {
        Some(error) => format!("{}: {error}", point.status_text()),
        None => point.status_text(),
    }
}

/// The verdict and note of a point its figures cannot decide; None when
/// both sides measured it and no new run went wrong. In order: went wrong in
/// a new run while the base ran it: broken; skipped on either side: not
/// comparable; never measured in the base: not comparable; showed its
/// declared outcome (deadlocked as meant) on a side: not comparable.
pub fn unjudgeable(base: &Side, new: &Side) -> Option<(Verdict, String)> {
    if !new.failed.is_empty() && !base.ran_nowhere() {
        return Some((Verdict::Broken, new.failure_note("new")));
    }
    for (side, name) in [(base, "base"), (new, "new")] {
        if let Some(point) = side.skipped.first() {
            let why = point.error.as_deref().unwrap_or("no reason recorded");
            let note = format!(
                "skipped {}: {why}",
                share(side.skipped.len(), side.runs, name)
            );
            return Some((Verdict::NotComparable, note));
        }
    }
    if base.ran_nowhere() {
        let note = match base.failed.first() {
            Some(point) => format!("the base run did not measure it ({})", reason(point)),
            None => "the base run did not measure it".to_string(),
        };
        return Some((Verdict::NotComparable, note));
    }
    if !base.measured.is_empty() && !new.measured.is_empty() {
        return None;
    }
    let word = |side: &Side| {
        side.as_meant
            .first()
            .map_or("not measured", |p| p.status.word())
    };
    let note = match (base.measured.is_empty(), new.measured.is_empty()) {
        (true, true) => format!("{} on both sides, as meant", word(base)),
        (true, false) => format!(
            "{} in the base run, as meant: nothing to compare",
            word(base)
        ),
        _ => format!("{} in the new run, as meant: nothing to compare", word(new)),
    };
    Some((Verdict::NotComparable, note))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// One point's record: ok points have two samples.
    fn point(status: &str, expected: Option<&str>, error: Option<&str>) -> Value {
        let samples = match status {
            "ok" => json!([{ "ops": 10, "ns": 1000 }, { "ops": 10, "ns": 1100 }]),
            _ => json!([]),
        };
        json!({
            "id": "spawn.a/x", "family": "spawn", "scenario": "spawn.a", "variant": "v",
            "model": "thread", "params": {}, "status": status, "expected": expected,
            "error": error, "unit": "op", "elapsed_ns": 1, "samples": samples,
            "summary": null, "latency_ns": null, "resources": null,
            "utilisation": null, "metrics": {},
        })
    }

    fn ok() -> Value {
        point("ok", None, None)
    }

    /// One run per point.
    fn runs(points: &[Value]) -> Vec<RunResults> {
        points
            .iter()
            .map(|p| {
                serde_json::from_value(json!({
                    "schema": "concbench.results/1",
                    "run": { "id": "r", "started": "", "finished": null, "tool_version": "0",
                             "git_commit": null, "config": "c.toml", "argv": [] },
                    "host": { "hostname": "h", "os": "linux", "kernel": "6", "cpu_model": "c",
                              "logical_cores": 2, "physical_cores": 2, "memory_bytes": 1,
                              "rustc": "rustc" },
                    "harness": { "sampler_interval_ms": 50, "sampler_cpu_ns": 0, "warmup_ms": 0,
                                 "measure_time_ms": 0, "min_samples": 1, "timeout_ms": 1 },
                    "results": [p],
                }))
                .expect("a run")
            })
            .collect()
    }

    fn decide(base: &[Value], new: &[Value]) -> Option<(Verdict, String)> {
        let (base, new) = (runs(base), runs(new));
        unjudgeable(&Side::of(&base, "spawn.a/x"), &Side::of(&new, "spawn.a/x"))
    }

    #[test]
    fn a_failure_in_one_of_several_new_runs_breaks_the_point() {
        let new = [ok(), point("failed", None, Some("checksum 3 != 4")), ok()];
        let (verdict, note) = decide(&[ok(), ok(), ok()], &new).expect("decided");
        assert_eq!(verdict, Verdict::Broken);
        assert_eq!(note, "failed in 1 of 3 new runs: failed: checksum 3 != 4");
    }

    #[test]
    fn skipped_on_either_side_is_not_comparable_and_says_why() {
        let skipped = [point("skipped", None, Some("needs 64 cores, has 2"))];
        let (verdict, note) = decide(&skipped, &[ok()]).expect("decided");
        assert_eq!(verdict, Verdict::NotComparable);
        assert_eq!(note, "skipped in the base run: needs 64 cores, has 2");
        let (verdict, note) = decide(&[ok()], &skipped).expect("decided");
        assert_eq!(verdict, Verdict::NotComparable);
        assert_eq!(note, "skipped in the new run: needs 64 cores, has 2");
    }

    #[test]
    fn failed_in_base_and_ok_in_new_is_not_comparable() {
        let base = [point("timed_out", None, Some("no result within 1s"))];
        let (verdict, note) = decide(&base, &[ok()]).expect("decided");
        assert_eq!(verdict, Verdict::NotComparable);
        assert!(
            note.starts_with("the base run did not measure it"),
            "{note}"
        );
        assert!(note.contains("no result within 1s"), "{note}");
    }

    #[test]
    fn deadlocked_as_meant_on_both_sides_is_never_broken() {
        let meant = [point("deadlocked", Some("deadlocked"), Some("stuck"))];
        let (verdict, note) = decide(&meant, &meant).expect("decided");
        assert_eq!(verdict, Verdict::NotComparable);
        assert_eq!(note, "deadlocked on both sides, as meant");
        // Meant to deadlock, finished ok in the new run: that is a failure.
        let finished = [point("ok", Some("deadlocked"), None)];
        let (verdict, _) = decide(&meant, &finished).expect("decided");
        assert_eq!(verdict, Verdict::Broken);
    }

    #[test]
    fn measured_on_both_sides_is_left_to_the_figures() {
        let base = [ok(), point("failed", None, Some("oops"))];
        assert!(decide(&base, &[ok()]).is_none());
        let (base, new) = (runs(&base), runs(&[ok()]));
        let side = Side::of(&base, "spawn.a/x");
        assert_eq!((side.runs, side.measured.len(), side.samples()), (2, 1, 2));
        assert_eq!(Side::of(&new, "spawn.a/x").failed.len(), 0);
    }

    #[test]
    fn ok_without_a_counted_operation_is_a_failure() {
        let mut empty = ok();
        empty["samples"] = json!([{ "ops": 0, "ns": 5 }]);
        let (verdict, note) = decide(&[ok()], &[empty]).expect("decided");
        assert_eq!(verdict, Verdict::Broken);
        assert!(note.contains("no sample counted an operation"), "{note}");
    }
}
