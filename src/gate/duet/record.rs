//! What the interleaved gate keeps of one point: its blocks' log ratios
//! (screening, then confirmation), each side's samples and verified figures,
//! and how it ended. From that come the point's verdict and each side's
//! ordinary `PointResult` (base.json, new.json).

use std::time::Duration;

use super::block::{Side, SideRecord};
use crate::gate::PointVerdict;
use crate::gate::paired::{self, Paired, Screen};
use crate::gate::verdict::Verdict;
use crate::plan::Point;
use crate::results::PointResult;
use crate::vocab::Status;

/// How a point stopped being measured, if not by its verdict.
#[derive(Debug, Clone)]
pub enum Ended {
    Skipped {
        side: Side,
        why: String,
    },
    Failed {
        side: Side,
        why: String,
        timed_out: bool,
    },
    /// The suite declared it meant to deadlock: nothing to time.
    MeantToDeadlock,
    /// The two builds' figures cannot be compared (a build's counting
    /// changed, its times contradict the controller's clock), or a stop
    /// signal came before the point was decided.
    NotComparable {
        why: String,
    },
}

/// Everything the gate learned of one point.
pub struct PointRecord {
    pub point: Point,
    pub threshold: f64,
    pub screening: Vec<f64>,
    pub confirmation: Vec<f64>,
    pub pairs: usize,
    pub spent: Duration,
    pub sides: [SideRecord; 2],
    pub ended: Option<Ended>,
}

impl PointRecord {
    pub fn new(point: Point, threshold: f64) -> PointRecord {
        let ended = point.expect.map(|_| Ended::MeantToDeadlock);
        PointRecord {
            point,
            threshold,
            screening: Vec::new(),
            confirmation: Vec::new(),
            pairs: 0,
            spent: Duration::ZERO,
            sides: [SideRecord::default(), SideRecord::default()],
            ended,
        }
    }

    /// The mean time one block of this point took so far.
    pub fn block_time(&self) -> Duration {
        let blocks = (self.screening.len() + self.confirmation.len()).max(1);
        self.spent / blocks as u32
    }

    pub fn screen(&self) -> Screen {
        paired::screen(&paired::analyse(&self.screening), self.threshold)
    }

    /// Whether screening may go on: not ended, not yet decided.
    pub fn undecided(&self) -> bool {
        self.ended.is_none() && self.screen() == Screen::Undecided
    }

    pub fn suspect(&self) -> bool {
        self.ended.is_none()
            && matches!(self.screen(), Screen::SuspectSlower | Screen::SuspectFaster)
    }

    /// The one-sided p-value of the confirmation, in the suspected direction.
    pub fn confirmation_p(&self) -> f64 {
        let p = paired::analyse(&self.confirmation);
        match self.screen() {
            Screen::SuspectFaster => p.p_faster,
            _ => p.p_slower,
        }
    }

    /// The point's verdict; `discovered`: the confirmation passed the
    /// suite's false-discovery control.
    pub fn verdict(&self, discovered: bool) -> PointVerdict {
        let mut v = self.blank_verdict();
        match &self.ended {
            Some(Ended::Skipped { side, why }) => {
                v.note = Some(format!("skipped by the {} build: {why}", side.name()));
            }
            Some(Ended::Failed {
                side: Side::New,
                why,
                ..
            }) => {
                v.verdict = Verdict::Broken;
                v.note = Some(format!("the new build failed it: {why}"));
            }
            Some(Ended::Failed {
                side: Side::Base,
                why,
                ..
            }) => {
                v.note = Some(format!(
                    "the base build failed it, so nothing to compare: {why}"
                ));
            }
            Some(Ended::MeantToDeadlock) => {
                v.note = Some("meant to deadlock: nothing to time".into());
            }
            Some(Ended::NotComparable { why }) => v.note = Some(why.clone()),
            None => self.judge(&mut v, discovered),
        }
        v
    }

    fn judge(&self, v: &mut PointVerdict, discovered: bool) {
        let screening = paired::analyse(&self.screening);
        let shown = match self.screen() {
            Screen::Unchanged => {
                v.verdict = Verdict::Unchanged;
                screening
            }
            Screen::SuspectSlower | Screen::SuspectFaster => {
                let confirmation = paired::analyse(&self.confirmation);
                let (upper, lower) = (1.0 + self.threshold, 1.0 / (1.0 + self.threshold));
                let slower = self.screen() == Screen::SuspectSlower;
                let beyond = if slower {
                    confirmation.ratio >= upper
                } else {
                    confirmation.ratio <= lower
                };
                if discovered && beyond {
                    v.verdict = if slower {
                        Verdict::Regressed
                    } else {
                        Verdict::Improved
                    };
                } else {
                    v.verdict = Verdict::Uncertain;
                    v.note = Some(format!(
                        "screening suspected it {}; {}",
                        if slower { "slower" } else { "faster" },
                        if confirmation.blocks == 0 {
                            "the budget ran out before it could be confirmed".to_string()
                        } else {
                            format!(
                                "{} fresh blocks did not confirm it (ratio {:.3}, p = {:.3})",
                                confirmation.blocks,
                                confirmation.ratio,
                                self.confirmation_p()
                            )
                        }
                    ));
                    self.more(v, &screening);
                }
                v.p_value = Some(self.confirmation_p());
                confirmation
            }
            Screen::Undecided => {
                v.verdict = Verdict::Uncertain;
                self.more(v, &screening);
                screening
            }
        };
        if shown.blocks > 0 {
            (v.ratio, v.ratio_lo, v.ratio_hi) = (Some(shown.ratio), Some(shown.lo), Some(shown.hi));
        }
    }

    /// For an uncertain point: the paired rounds it would need.
    fn more(&self, v: &mut PointVerdict, screening: &Paired) {
        let needed = paired::blocks_to_settle(screening, self.threshold);
        let blocks = self.screening.len().max(1);
        let pairs_per_block =
            (self.pairs as f64 / (blocks + self.confirmation.len()) as f64).max(1.0);
        let more_blocks = needed.saturating_sub(self.screening.len()).max(1);
        v.more_samples = Some((more_blocks as f64 * pairs_per_block).ceil() as u64);
    }

    fn blank_verdict(&self) -> PointVerdict {
        let [base, new] = &self.sides;
        PointVerdict {
            id: self.point.id(),
            verdict: Verdict::NotComparable,
            threshold_pct: self.threshold * 100.0,
            ratio: None,
            ratio_lo: None,
            ratio_hi: None,
            base_ns_per_op: base.median_ns_per_op(),
            new_ns_per_op: new.median_ns_per_op(),
            base_samples: base.samples.len(),
            new_samples: new.samples.len(),
            more_samples: None,
            more_invocations: None,
            note: None,
            blocks: Some((self.screening.len() + self.confirmation.len()) as u64),
            pairs: Some(self.pairs as u64),
            p_value: None,
            spent_s: Some(self.spent.as_secs_f64()),
            screening_log_ratios: Some(rounded(&self.screening)),
            confirmation_log_ratios: Some(rounded(&self.confirmation)),
        }
    }

    /// Side `side`'s result, as `concbench run` would have written it.
    pub fn result(&self, side: Side) -> PointResult {
        let record = &self.sides[side as usize];
        let info = self.point.scenario.info();
        let (status, error) = match &self.ended {
            Some(Ended::Skipped { side: s, why }) if *s == side => {
                (Status::Skipped, Some(why.clone()))
            }
            Some(Ended::Failed {
                side: s,
                why,
                timed_out,
            }) if *s == side => (
                if *timed_out {
                    Status::TimedOut
                } else {
                    Status::Failed
                },
                Some(why.clone()),
            ),
            Some(Ended::MeantToDeadlock) => (
                Status::Skipped,
                Some("meant to deadlock: not timed by the gate".into()),
            ),
            Some(Ended::NotComparable { why }) => {
                (Status::Skipped, Some(format!("not compared: {why}")))
            }
            _ if record.samples.is_empty() => (
                Status::Skipped,
                Some("not measured: the other build could not".into()),
            ),
            _ => (Status::Ok, None),
        };
        PointResult {
            id: self.point.id(),
            family: info.family,
            scenario: info.id.to_string(),
            variant: self.point.variant_label(),
            model: self.point.model,
            params: self.point.params.clone(),
            status,
            expected: self.point.expect,
            error,
            unit: info.unit.to_string(),
            elapsed_ns: self.spent.as_nanos() as u64,
            summary: (!record.samples.is_empty())
                .then(|| crate::harness::measure::summarise(&record.samples)),
            samples: record.samples.clone(),
            latency_ns: record.latency.clone(),
            resources: record.resources.clone(),
            utilisation: None,
            metrics: record.metrics.clone(),
            paired_group: None,
            paired_rounds: None,
            runtime: self
                .point
                .runtime
                .as_deref()
                .map(crate::model::runtime::record),
        }
    }
}

/// Log ratios to 5 decimals (0.001% of a ratio): enough to recompute any
/// figure, without 17 digits each in gate.json.
fn rounded(log_ratios: &[f64]) -> Vec<f64> {
    log_ratios.iter().map(|x| (x * 1e5).round() / 1e5).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Settings;
    use crate::vocab::{Model, Params};

    fn record(screening: &[f64], confirmation: &[f64]) -> PointRecord {
        let point = Point {
            scenario: crate::scenario::registry::find("cpu.split").expect("registered"),
            variant: "serial",
            model: Model::Serial,
            params: Params::default(),
            settings: Settings::default(),
            expect: None,
            runtime: None,
        };
        let mut record = PointRecord::new(point, 0.05);
        record.screening = screening.to_vec();
        record.confirmation = confirmation.to_vec();
        record.pairs = 4 * (screening.len() + confirmation.len());
        record
    }

    const SLOWER: [f64; 8] = [0.10, 0.11, 0.09, 0.12, 0.10, 0.13, 0.08, 0.11];

    #[test]
    fn a_confirmed_discovery_beyond_the_threshold_is_a_regression() {
        let r = record(&SLOWER[..6], &SLOWER);
        assert!(r.suspect());
        let v = r.verdict(true);
        assert_eq!(v.verdict, Verdict::Regressed);
        assert!(v.p_value.is_some_and(|p| p < 0.01));
        assert!(v.ratio.is_some_and(|x| x > 1.09));
    }

    #[test]
    fn a_suspect_the_suite_control_did_not_pass_is_uncertain_and_says_why() {
        let v = record(&SLOWER[..6], &SLOWER).verdict(false);
        assert_eq!(v.verdict, Verdict::Uncertain);
        assert!(
            v.note.as_deref().unwrap_or("").contains("did not confirm"),
            "{:?}",
            v.note
        );
        assert!(v.more_samples.is_some_and(|m| m >= 1));
        let unconfirmed = record(&SLOWER[..6], &[]).verdict(true);
        assert_eq!(
            unconfirmed.verdict,
            Verdict::Uncertain,
            "no confirmation, no regression"
        );
        assert!(
            unconfirmed
                .note
                .as_deref()
                .unwrap_or("")
                .contains("budget ran out")
        );
    }

    #[test]
    fn a_tight_interval_inside_the_band_is_unchanged_and_noise_is_uncertain() {
        let flat: Vec<f64> = (0..10).map(|i| 0.002 * (i as f64 - 4.5)).collect();
        assert_eq!(
            record(&flat, &[]).verdict(false).verdict,
            Verdict::Unchanged
        );
        let noisy = [0.3, -0.2, 0.1, -0.25, 0.28, -0.1];
        let v = record(&noisy, &[]).verdict(false);
        assert_eq!(v.verdict, Verdict::Uncertain);
        assert!(v.more_samples.is_some_and(|m| m >= 1));
    }

    #[test]
    fn failures_break_on_the_new_side_only() {
        let mut r = record(&[], &[]);
        r.ended = Some(Ended::Failed {
            side: Side::New,
            why: "verification failed".into(),
            timed_out: false,
        });
        assert_eq!(r.verdict(false).verdict, Verdict::Broken);
        assert_eq!(r.result(Side::New).status, Status::Failed);
        r.ended = Some(Ended::Failed {
            side: Side::Base,
            why: "verification failed".into(),
            timed_out: true,
        });
        assert_eq!(r.verdict(false).verdict, Verdict::NotComparable);
        assert_eq!(r.result(Side::Base).status, Status::TimedOut);
        r.ended = Some(Ended::Skipped {
            side: Side::New,
            why: "RLIMIT_NPROC".into(),
        });
        let v = r.verdict(false);
        assert_eq!(v.verdict, Verdict::NotComparable);
        assert!(
            v.note
                .unwrap_or_default()
                .contains("skipped by the new build")
        );
    }
}
