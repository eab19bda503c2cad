//! What a point's observed placement says about its speed: its samples
//! grouped by placement class, and whether the classes differ in speed
//! (a point whose modes are placements), read by reports and the terminal.

use std::collections::BTreeMap;

use super::placement::PlacementClass;
use super::schema::PointResult;

/// One placement class's share of a point's samples and its speed.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassFigure {
    pub class: PlacementClass,
    pub samples: usize,
    /// Its share of the point's samples, 0 to 1.
    pub share: f64,
    /// Median ns per operation of its samples, with the order-statistic
    /// 95% interval (none below 6 samples).
    pub median: f64,
    pub interval: Option<(f64, f64)>,
    /// For a placement this run did not count but earlier runs on the
    /// machine did (`Observation::earlier`): (runs that counted it, earlier
    /// runs that observed the point). Its median is theirs, its samples
    /// and share here 0. None for the run's own classes.
    pub earlier_runs: Option<(u32, u32)>,
}

/// The samples of a class must be at least this many, and this share, for
/// the class to count when asking whether speed depends on placement.
const MIN_CLASS_SAMPLES: usize = 3;
const MIN_CLASS_SHARE: f64 = 0.05;
/// Classes whose medians are this far apart (and whose intervals, where
/// they have them, do not overlap) make a point's speed placement-dependent.
const APART: f64 = 1.10;

impl PointResult {
    /// The point's samples grouped by placement class, slowest last; empty
    /// when it was not observed.
    pub fn by_placement(&self) -> Vec<ClassFigure> {
        let Some(observation) = &self.placement else {
            return Vec::new();
        };
        let mut groups: BTreeMap<PlacementClass, Vec<f64>> = Default::default();
        for (sample, placement) in self.samples.iter().zip(&observation.samples) {
            groups
                .entry(placement.class)
                .or_default()
                .push(sample.ns as f64 / sample.ops.max(1) as f64);
        }
        let total = self.samples.len().min(observation.samples.len()).max(1);
        let mut figures: Vec<ClassFigure> = groups
            .into_iter()
            .map(|(class, mut values)| {
                values.sort_by(f64::total_cmp);
                ClassFigure {
                    class,
                    samples: values.len(),
                    share: values.len() as f64 / total as f64,
                    median: crate::stats::median_of_sorted(&values),
                    interval: crate::stats::median_interval(&values),
                    earlier_runs: None,
                }
            })
            .collect();
        figures.sort_by(|a, b| a.median.total_cmp(&b.median));
        figures
    }

    /// Whether the point pins its parties (`pinned_cores` 1 or 2): its
    /// placement is the controlled one, not a draw to explain.
    pub fn is_pinned(&self) -> bool {
        self.params.0.get("pinned_cores").is_some_and(|&p| p > 0)
    }

    /// The placement classes with enough samples to speak for themselves
    /// (at least 3, and 5% of the point's), fastest first.
    pub fn counted_placements(&self) -> Vec<ClassFigure> {
        self.by_placement()
            .into_iter()
            .filter(|c| c.samples >= MIN_CLASS_SAMPLES && c.share >= MIN_CLASS_SHARE)
            .collect()
    }

    /// The counted placements, and those earlier runs on the machine
    /// counted that this one did not (`earlier_runs` set), fastest first:
    /// every placement the point is known to run in. A pinned point has
    /// only its own.
    pub fn known_placements(&self) -> Vec<ClassFigure> {
        let mut known = self.counted_placements();
        let earlier = self.placement.as_ref().and_then(|o| o.earlier.as_ref());
        if let Some(earlier) = earlier.filter(|_| !self.is_pinned()) {
            let missing: Vec<ClassFigure> = earlier
                .classes
                .iter()
                .filter(|e| e.median > 0.0 && !known.iter().any(|c| c.class == e.class))
                .map(|e| ClassFigure {
                    class: e.class,
                    samples: 0,
                    share: 0.0,
                    median: e.median,
                    interval: None,
                    earlier_runs: Some((e.runs, earlier.runs)),
                })
                .collect();
            known.extend(missing);
            known.sort_by(|a, b| a.median.total_cmp(&b.median));
        }
        known
    }

    /// The classes, fastest first, when the point's speed depends on where
    /// its parties ran: its fastest and slowest known classes
    /// (`known_placements`: of enough samples, or seen by earlier runs)
    /// have medians at least 10% apart and intervals that do not overlap
    /// (where both have one; a class only earlier runs saw must lie outside
    /// the other's). None otherwise. What comparisons weigh.
    pub fn placement_dependence(&self) -> Option<Vec<ClassFigure>> {
        (!self.is_pinned()).then(|| dependence_among(self.known_placements()))?
    }

    /// `placement_dependence` among this run's own classes only: what the
    /// point's own sentence, its terminal line and its chart say.
    pub fn own_placement_dependence(&self) -> Option<Vec<ClassFigure>> {
        (!self.is_pinned()).then(|| dependence_among(self.counted_placements()))?
    }

    /// Like with like, paired in time: `other`'s time per operation over
    /// this point's, in each round of their interleaved group where both
    /// samples ran in the same placement class, grouped by that class
    /// (`like_placement_ratios_by_draw`, its processes pooled). Only
    /// classes with at least 3 such rounds are kept. None when the two
    /// were not measured in the same rounds or either was not observed.
    pub fn like_placement_ratios(
        &self,
        other: &PointResult,
    ) -> Option<BTreeMap<PlacementClass, Vec<f64>>> {
        let mut by_class: BTreeMap<PlacementClass, Vec<f64>> = self
            .like_placement_ratios_by_draw(other)?
            .into_iter()
            .map(|(class, draws)| (class, draws.into_values().flatten().collect()))
            .collect();
        by_class.retain(|_, ratios| ratios.len() >= MIN_CLASS_SAMPLES);
        Some(by_class)
    }

    /// `other`'s time per operation over this point's in each round where
    /// both ran in the same placement class, by class and then by the
    /// process (draw) the round ran in: rounds of one process are not
    /// independent draws of what it drew. A side with at most one party
    /// running in a round (`Single`) has no placement to differ in, so it
    /// matches the other's class. None when the two were not measured in
    /// the same rounds or either was not observed.
    pub fn like_placement_ratios_by_draw(
        &self,
        other: &PointResult,
    ) -> Option<BTreeMap<PlacementClass, BTreeMap<u32, Vec<f64>>>> {
        let same_group = self.paired_group.is_some() && self.paired_group == other.paired_group;
        if !same_group {
            return None;
        }
        let theirs: BTreeMap<(u32, u32), (f64, PlacementClass)> = other.placed_rounds()?.collect();
        let mut by_class: BTreeMap<PlacementClass, BTreeMap<u32, Vec<f64>>> = BTreeMap::new();
        for (key, (mine, my_class)) in self.placed_rounds()? {
            let Some(&(their, their_class)) = theirs.get(&key) else {
                continue;
            };
            let class = match (my_class, their_class) {
                (PlacementClass::Single, c) | (c, PlacementClass::Single) => c,
                (a, b) if a == b => a,
                _ => continue,
            };
            by_class
                .entry(class)
                .or_default()
                .entry(key.0)
                .or_default()
                .push(their / mine);
        }
        Some(by_class)
    }

    /// Each sample as ((process, round), (ns per operation, placement)),
    /// the key its interleaved partner shares; None when not observed.
    fn placed_rounds(&self) -> Option<impl Iterator<Item = ((u32, u32), (f64, PlacementClass))>> {
        let observation = self.placement.as_ref()?;
        let rounds = self
            .paired_rounds
            .clone()
            .unwrap_or_else(|| (0..self.samples.len() as u32).collect());
        let draws = self
            .draws
            .clone()
            .unwrap_or_else(|| vec![0; self.samples.len()]);
        let per_op = |s: &crate::vocab::Sample| s.ns.max(1) as f64 / s.ops.max(1) as f64;
        let placed: Vec<_> = draws
            .into_iter()
            .zip(rounds)
            .zip(self.samples.iter().zip(&observation.samples))
            .map(|(key, (sample, placement))| (key, (per_op(sample), placement.class)))
            .collect();
        Some(placed.into_iter())
    }
}

/// `classes` (fastest first), when its fastest and slowest are 10% apart
/// and their intervals do not overlap (a class only earlier runs saw, with
/// none, must lie outside the other's).
fn dependence_among(classes: Vec<ClassFigure>) -> Option<Vec<ClassFigure>> {
    let (fastest, slowest) = (classes.first()?, classes.last()?);
    let apart = slowest.median >= APART * fastest.median;
    // A class only earlier runs saw (measured in another machine state)
    // must have its median outside the interval of this run's class.
    let recalled = |c: &ClassFigure| c.earlier_runs.is_some();
    let disjoint = match (fastest.interval, slowest.interval) {
        (Some((_, fast_hi)), Some((slow_lo, _))) => fast_hi < slow_lo,
        (Some((_, fast_hi)), None) if recalled(slowest) => fast_hi < slowest.median,
        (None, Some((slow_lo, _))) if recalled(fastest) => fastest.median < slow_lo,
        _ => true,
    };
    (classes.len() >= 2 && apart && disjoint).then_some(classes)
}

/// "same CPU: 94% of samples at 2.21 µs [2.20–2.23]; spread over CPUs: 7%
/// at 9.32 µs [...]"; a class only earlier runs saw: "spread over CPUs: in
/// 3 of 10 earlier runs, at 9.32 µs (not in this one)".
pub fn describe_classes(classes: &[ClassFigure], unit: &str) -> String {
    classes
        .iter()
        .map(|c| {
            if let Some((counted, of)) = c.earlier_runs {
                return format!(
                    "{}: in {counted} of {of} earlier runs, at {}/{unit} (not in this one)",
                    c.class.word(),
                    crate::text::format_ns(c.median)
                );
            }
            let interval = match c.interval {
                Some((lo, hi)) => format!(
                    " [{}–{}]",
                    crate::text::format_ns(lo),
                    crate::text::format_ns(hi)
                ),
                None => String::new(),
            };
            format!(
                "{}: {:.0}% of samples ({}) at {}/{unit}{interval}",
                c.class.word(),
                100.0 * c.share,
                c.samples,
                crate::text::format_ns(c.median)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::placement::{Observation, SamplePlacement};
    use crate::vocab::Sample;

    fn placement(class: PlacementClass) -> SamplePlacement {
        SamplePlacement::new(class)
    }

    /// A point whose samples are `(ns per op, class)`.
    fn point(samples: &[(u64, PlacementClass)]) -> PointResult {
        let mut p: PointResult = serde_json::from_value(serde_json::json!({
            "id": "x/v/thread", "family": "cpu", "scenario": "x", "variant": "v",
            "model": "thread", "params": {}, "status": "ok", "error": null,
            "unit": "op", "elapsed_ns": 0, "samples": [], "summary": null,
            "latency_ns": null, "resources": null, "utilisation": null, "metrics": {}
        }))
        .expect("a point");
        p.samples = samples
            .iter()
            .map(|&(ns, _)| Sample { ops: 1, ns })
            .collect();
        p.placement = Some(Observation {
            samples: samples.iter().map(|&(_, c)| placement(c)).collect(),
            ..Observation::default()
        });
        p
    }

    #[test]
    fn a_bimodal_point_whose_modes_are_placements_is_named() {
        use PlacementClass::{Moved, SameCpu, Spread};
        let mut samples: Vec<(u64, PlacementClass)> =
            (0..30).map(|i| (2200 + i % 5, SameCpu)).collect();
        samples.extend((0..8).map(|i| (9100 + i % 3, Spread)));
        samples.push((5000, Moved));
        let p = point(&samples);
        let classes = p.placement_dependence().expect("depends on placement");
        assert_eq!(classes.len(), 2, "one moved sample does not count");
        assert_eq!((classes[0].class, classes[1].class), (SameCpu, Spread));
        assert_eq!(classes[0].samples, 30);
        let said = describe_classes(&classes, "switch");
        assert!(
            said.starts_with("same CPU: 77% of samples (30) at"),
            "{said}"
        );
        // The same speeds in every class: no dependence.
        let flat: Vec<(u64, PlacementClass)> = (0..30)
            .map(|i| (2200 + i % 5, if i % 2 == 0 { SameCpu } else { Spread }))
            .collect();
        assert_eq!(point(&flat).placement_dependence(), None);
    }

    #[test]
    fn a_placement_only_earlier_runs_saw_counts_where_it_lies_outside_this_runs() {
        use crate::results::placement::{EarlierClass, EarlierPlacements};
        use PlacementClass::{SameCpu, Spread};
        let recalled = |samples: &[(u64, PlacementClass)], median: f64| {
            let mut p = point(samples);
            p.placement.as_mut().unwrap().earlier = Some(EarlierPlacements {
                runs: 10,
                classes: vec![EarlierClass {
                    class: Spread,
                    runs: 3,
                    median,
                }],
            });
            p
        };
        let tight: Vec<(u64, PlacementClass)> = (0..30).map(|i| (2200 + i % 5, SameCpu)).collect();
        let classes = recalled(&tight, 2600.0)
            .placement_dependence()
            .expect("18% apart, outside the interval");
        assert_eq!(classes[1].earlier_runs, Some((3, 10)));
        assert!(
            recalled(&tight, 2600.0)
                .own_placement_dependence()
                .is_none(),
            "its own sentence, line and chart speak of this run only"
        );
        assert_eq!((classes[1].samples, classes[1].share), (0, 0.0));
        assert!(
            recalled(&tight, 2300.0).placement_dependence().is_none(),
            "under 10%"
        );
        // This run's samples range widely: 12% apart, but inside its interval.
        let wide: Vec<(u64, PlacementClass)> = (0..30).map(|i| (1000 + 70 * i, SameCpu)).collect();
        assert!(recalled(&wide, 2300.0).placement_dependence().is_none());
    }
}
