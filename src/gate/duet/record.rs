//! What the interleaved gate keeps of one point: its blocks' log ratios
//! (screening, then confirmation), each side's samples and verified figures,
//! and how it ended. From that come the point's verdict and each side's
//! ordinary `PointResult` (base.json, new.json).

use std::time::Duration;

use super::block::{Side, SideRecord};
use super::sides::BlockDraw;
use crate::gate::PointVerdict;
use crate::gate::paired::{self, Paired, Screen};
use crate::gate::verdict::Verdict;
use crate::plan::Point;
use crate::results::PointResult;
use crate::vocab::Status;

/// The share of the confirmation's level given to the direction the
/// screening suspected; the other direction gets the rest. Chosen on the
/// gate.json files of 8 comparisons with a 10% slowdown at 390 s: at 0.9
/// none of their 269 confirmed regressions is lost; at 0.5 (plain
/// Bonferroni) 5 are, and 3 of the 8 comparisons, not 1, catch fewer than
/// 90% of the subset (docs/measurements/2026-12-06-confirmation-both-ways.md).
const SCREENED_WEIGHT: f64 = 0.9;

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
    /// What each block of `screening`, then of `confirmation`, was started
    /// from (None where the blocks did not say).
    pub draws: Vec<Option<BlockDraw>>,
    /// Each side's sample count when the confirmation began: its samples
    /// before are the screening's, those after the confirmation's.
    pub confirmation_starts: [usize; 2],
    pub pairs: usize,
    /// Pairs left out of their blocks' ratios because the two builds'
    /// samples ran in different placements.
    pub pairs_set_aside: usize,
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
            draws: Vec::new(),
            confirmation: Vec::new(),
            confirmation_starts: [0, 0],
            pairs: 0,
            pairs_set_aside: 0,
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

    /// The confirmation's p-value that the change is beyond the threshold,
    /// and in which direction (true: slower); None when no confirmation
    /// ran. Both directions are tested, as a weighted Bonferroni: the
    /// screened one's one-sided p over `SCREENED_WEIGHT`, the other's over
    /// the rest, the smaller wins. Under "within the band" the chance that
    /// either rejects is at most the level, and a point whose fresh blocks
    /// go the other way from its screening's (the machine's state changed
    /// between them) is still judged by the blocks measured to judge it.
    pub fn confirmation_test(&self) -> Option<(f64, bool)> {
        if self.confirmation.is_empty() {
            return None;
        }
        let (slower, faster) = paired::beyond_threshold(&self.confirmation, self.threshold);
        let screened_slower = self.screen() != Screen::SuspectFaster;
        let (screened, other) = if screened_slower {
            (slower, faster)
        } else {
            (faster, slower)
        };
        let screened = (screened / SCREENED_WEIGHT).min(1.0);
        let other = (other / (1.0 - SCREENED_WEIGHT)).min(1.0);
        Some(if other < screened {
            (other, !screened_slower)
        } else {
            (screened, screened_slower)
        })
    }

    /// The confirmation's p-value (`confirmation_test`).
    pub fn confirmation_p(&self) -> Option<f64> {
        self.confirmation_test().map(|(p, _)| p)
    }

    /// Whether the figures shown come from the confirmation's blocks (a
    /// suspect that was confirmed) or from the screening's.
    fn shows_confirmation(&self) -> bool {
        self.suspect() && !self.confirmation.is_empty()
    }

    /// Side `side`'s samples from the blocks whose ratio is shown.
    fn shown_samples(&self, side: Side) -> &[crate::vocab::Sample] {
        let samples = &self.sides[side as usize].samples;
        let start = self.confirmation_starts[side as usize].min(samples.len());
        if self.shows_confirmation() {
            &samples[start..]
        } else if self.confirmation.is_empty() {
            samples
        } else {
            &samples[..start]
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
        match self.screen() {
            Screen::Unchanged => v.verdict = Verdict::Unchanged,
            Screen::SuspectSlower | Screen::SuspectFaster => {
                let suspected_slower = self.screen() == Screen::SuspectSlower;
                match self.confirmation_test() {
                    Some((p, slower)) if discovered => {
                        v.verdict = if slower {
                            Verdict::Regressed
                        } else {
                            Verdict::Improved
                        };
                        if slower != suspected_slower {
                            v.note = Some(self.turned_note(suspected_slower));
                        }
                        v.p_value = Some(p);
                    }
                    test => {
                        v.p_value = test.map(|(p, _)| p);
                        if test.is_some() && self.confirmation_within_band() {
                            v.verdict = Verdict::Unchanged;
                            v.note = Some(self.settled_note(suspected_slower));
                        } else {
                            v.verdict = Verdict::Uncertain;
                            v.note = Some(self.unconfirmed_note(suspected_slower));
                            self.more(v, &screening);
                        }
                    }
                }
            }
            Screen::Undecided => {
                v.verdict = Verdict::Uncertain;
                self.more(v, &screening);
            }
        }
        let shown = if self.shows_confirmation() {
            paired::analyse(&self.confirmation)
        } else {
            screening
        };
        if shown.blocks > 0 {
            v.ratio = Some(shown.ratio);
            (v.ratio_lo, v.ratio_hi) = (shown.interval.map(|i| i.0), shown.interval.map(|i| i.1));
        }
    }

    /// Whether the confirmation's own 95% interval lies inside the band:
    /// the screening's rule for `unchanged`, on the fresh blocks.
    fn confirmation_within_band(&self) -> bool {
        let confirmation = paired::analyse(&self.confirmation);
        paired::screen(&confirmation, self.threshold) == Screen::Unchanged
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

    /// The verdict's figures before judging: each side's median and sample
    /// count over the same blocks as the ratio it will show.
    fn blank_verdict(&self) -> PointVerdict {
        let (base, new) = (
            self.shown_samples(Side::Base),
            self.shown_samples(Side::New),
        );
        PointVerdict {
            id: self.point.id(),
            verdict: Verdict::NotComparable,
            threshold_pct: self.threshold * 100.0,
            ratio: None,
            ratio_lo: None,
            ratio_hi: None,
            base_ns_per_op: median_ns_per_op(base),
            new_ns_per_op: median_ns_per_op(new),
            base_samples: base.len(),
            new_samples: new.len(),
            more_samples: None,
            more_invocations: None,
            note: None,
            blocks: Some((self.screening.len() + self.confirmation.len()) as u64),
            pairs: Some(self.pairs as u64),
            pairs_set_aside: Some(self.pairs_set_aside as u64),
            p_value: None,
            spent_s: Some(self.spent.as_secs_f64()),
            screening_log_ratios: Some(rounded(&self.screening)),
            confirmation_log_ratios: Some(rounded(&self.confirmation)),
            block_copies: self
                .draws
                .iter()
                .map(|d| d.map(|d| d.copy as u64))
                .collect(),
            block_new_first: self
                .draws
                .iter()
                .map(|d| d.map(|d| d.first == Side::New))
                .collect(),
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
                .then(|| crate::results::Summary::of(&record.samples)),
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
            draws: None,
            placement: None,
            earlier_medians: Vec::new(),
        }
    }
}

/// The median ns per operation of `samples`, if any.
fn median_ns_per_op(samples: &[crate::vocab::Sample]) -> Option<f64> {
    let mut per_op: Vec<f64> = samples
        .iter()
        .map(|s| s.ns as f64 / s.ops.max(1) as f64)
        .collect();
    per_op.sort_by(f64::total_cmp);
    (!per_op.is_empty()).then(|| crate::stats::median_of_sorted(&per_op))
}

/// Log ratios to 5 decimals (0.001% of a ratio): enough to recompute any
/// figure, without 17 digits each in gate.json.
fn rounded(log_ratios: &[f64]) -> Vec<f64> {
    log_ratios.iter().map(|x| (x * 1e5).round() / 1e5).collect()
}

#[cfg(test)]
#[path = "record_tests.rs"]
mod tests;
