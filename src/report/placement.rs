//! What placement says about a finding: where a point's parties ran
//! (observed per sample, `results::Observation`), so that a comparison says
//! which placement each side had, and a point whose speed depends on it
//! says so with each placement's figures instead of one median.

use crate::results::{ClassFigure, PlacementClass, PointResult, describe_classes};

/// A point's samples are "in" a placement when this share of them is.
const DOMINANT_SHARE: f64 = 0.8;

/// Where a multi-party point's parties ran in most samples (`on one CPU`,
/// `spread over CPUs`, `moving between CPUs`), `in mixed placements` when
/// no placement holds 80% of them; None for a point with at most one party
/// running, a pinned point (its placement is the controlled one), or one
/// not observed.
pub fn placement_of(point: &PointResult) -> Option<String> {
    if point.is_pinned() {
        return None;
    }
    let classes = point.by_placement();
    let multi: Vec<_> = classes
        .iter()
        .filter(|c| c.class != PlacementClass::Single)
        .collect();
    let multi_share: f64 = multi.iter().map(|c| c.share).sum();
    if multi.is_empty() || multi_share < 1.0 - DOMINANT_SHARE {
        return None;
    }
    Some(
        classes
            .iter()
            .find(|c| c.share >= DOMINANT_SHARE)
            .map_or_else(
                || "in mixed placements".to_string(),
                |c| c.class.phrase().to_string(),
            ),
    )
}

/// `; placement: same CPU against spread over CPUs` when either point had
/// several parties running, so that two runs' findings compare like with
/// like.
pub fn qualifier(point: &PointResult, reference: &PointResult) -> String {
    match (placement_of(point), placement_of(reference)) {
        (None, None) => String::new(),
        (a, b) => {
            let word = |p: Option<String>| p.unwrap_or_else(|| "with one party running".into());
            format!("; placement: {} against {}", word(a), word(b))
        }
    }
}

/// When either point's speed depends on where its parties ran: the
/// sentence that says so, with each placement's share and figures.
pub fn dependence(point: &PointResult, reference: &PointResult) -> Option<String> {
    let said: Vec<String> = [point, reference]
        .iter()
        .filter_map(|p| {
            let classes = p.placement_dependence()?;
            Some(format!(
                "{}: {}",
                super::view::short_label(p),
                describe_classes(&classes, &p.unit)
            ))
        })
        .collect();
    (!said.is_empty()).then(|| said.join("; "))
}

/// When both points had several parties running but in different
/// placements (one on a CPU, the other spread), the two are not like with
/// like: a run that drew the other placement would reverse them. The
/// placements, when so.
pub fn unlike(point: &PointResult, reference: &PointResult) -> Option<(String, String)> {
    let (a, b) = (placement_of(point)?, placement_of(reference)?);
    (a != b).then_some((a, b))
}

/// Whether `point` is faster (true) or slower (false) than `reference`
/// like with like, in every placement either observed. Two points of one
/// interleaved group are compared round by round, in the rounds where both
/// ran in the same placement (`like_placement_ratios`): every placement
/// with at least 3 such rounds must put the same side ahead by 10% or
/// more. Otherwise, in every placement both observed, each placement's
/// figures are compared (intervals apart where both have one, else medians
/// 10% apart). Either way the placements compared must include every
/// placement either side counted (`covers`): a side that mostly ran on one
/// CPU, compared only in the few rounds it ran spread, says nothing about
/// one CPU, where the two may rank the other way. Failing that, only when
/// every placement of one is ahead of every placement of the other
/// (`apart_beyond_placement`). None when no
/// such statement holds: the outcome depends on which placements a run
/// draws. Samples in which a party moved CPU decide only where nothing
/// else was compared (`deciding`), and need no match (`covers`).
pub fn holds_in_every_placement(point: &PointResult, reference: &PointResult) -> Option<bool> {
    let (mine, theirs) = (point.known_placements(), reference.known_placements());
    let covered =
        |compared: &[PlacementClass]| covers(compared, &mine) && covers(compared, &theirs);
    if let Some(by_class) = reference.like_placement_ratios(point)
        && !by_class.is_empty()
        && covered(&by_class.keys().copied().collect::<Vec<_>>())
    {
        return same_way_in_every_class(deciding(by_class.into_iter().collect()));
    }
    let shared: Vec<(PlacementClass, (&ClassFigure, &ClassFigure))> = mine
        .iter()
        .filter_map(|a| Some((a.class, (a, theirs.iter().find(|b| b.class == a.class)?))))
        .collect();
    if !shared.is_empty() && covered(&shared.iter().map(|(c, _)| *c).collect::<Vec<_>>()) {
        let ahead = |a: &ClassFigure, b: &ClassFigure| match (a.interval, b.interval) {
            (Some((_, a_hi)), Some((b_lo, _))) => a_hi < b_lo,
            _ => a.median * CLEAR_APART < b.median,
        };
        let shared = deciding(shared);
        return if shared.iter().all(|(_, (a, b))| ahead(a, b)) {
            Some(true)
        } else if shared.iter().all(|(_, (a, b))| ahead(b, a)) {
            Some(false)
        } else {
            None
        };
    }
    apart_beyond_placement(&mine, &theirs)
}

/// Whether either point is known to have run samples in which a party
/// moved CPU (`known_placements`): what a settled comparison set aside.
pub fn either_moved(point: &PointResult, reference: &PointResult) -> bool {
    [point, reference].iter().any(|p| {
        p.known_placements()
            .iter()
            .any(|c| c.class == PlacementClass::Moved)
    })
}

/// The placements with parties staying put that either point is known in
/// (`known_placements`: this run's or earlier runs'), as a sentence says
/// them: "on one CPU and spread over CPUs". What a comparison that holds
/// in every placement held in; None when neither had any.
pub fn placements_held_in(point: &PointResult, reference: &PointResult) -> Option<String> {
    let mut classes: Vec<PlacementClass> = [point, reference]
        .iter()
        .flat_map(|p| moving_classes(&p.known_placements()))
        .filter(|&c| c != PlacementClass::Moved)
        .collect();
    classes.sort();
    classes.dedup();
    (!classes.is_empty()).then(|| {
        classes
            .iter()
            .map(|c| c.phrase())
            .collect::<Vec<_>>()
            .join(" and ")
    })
}

/// Whether every placement a side counted is among those `compared`. One
/// party running (`Single`) has no placement to differ in: a round of it
/// was compared in its partner's placement, so it needs no class of its
/// own. Nor does a side need its `Moved` samples compared (`deciding`).
fn covers(compared: &[PlacementClass], side: &[ClassFigure]) -> bool {
    moving_classes(side)
        .iter()
        .filter(|&&c| c != PlacementClass::Moved)
        .all(|c| compared.contains(c))
}

/// Of the placements compared, those that decide: where the parties
/// stayed put (on one CPU, spread) or one party ran. A sample in which a
/// party migrated (`Moved`) ran part of its time in each, in proportions
/// no two samples share, so two such samples are not like with like; they
/// decide only where nothing else was compared.
fn deciding<T>(compared: Vec<(PlacementClass, T)>) -> Vec<(PlacementClass, T)> {
    if compared.iter().all(|(c, _)| *c == PlacementClass::Moved) {
        return compared;
    }
    compared
        .into_iter()
        .filter(|(c, _)| *c != PlacementClass::Moved)
        .collect()
}

/// A side's placements with several parties running: those it can move
/// between (`Single`, one party running, has nowhere to move).
fn moving_classes(side: &[ClassFigure]) -> Vec<PlacementClass> {
    side.iter()
        .map(|c| c.class)
        .filter(|&c| c != PlacementClass::Single)
        .collect()
}

/// Some(true) when every placement of `mine` is ahead of every placement
/// of `theirs` by 10%, Some(false) the other way round, else None. Where a
/// side that can move (it had several parties running) was not seen in
/// every placement the two showed between them, a run that draws it there
/// may move it by as much as placement moved either point (its span), so
/// the lead must clear that span as well. Two points that each ran in one
/// placement, different ones, have no span to go by: None.
fn apart_beyond_placement(mine: &[ClassFigure], theirs: &[ClassFigure]) -> Option<bool> {
    let (my_classes, their_classes) = (moving_classes(mine), moving_classes(theirs));
    let seen_everywhere = |side: &[PlacementClass]| {
        side.is_empty()
            || my_classes
                .iter()
                .chain(&their_classes)
                .all(|c| side.contains(c))
    };
    let span = if seen_everywhere(&my_classes) && seen_everywhere(&their_classes) {
        1.0
    } else {
        let span = placement_span(mine).max(placement_span(theirs));
        if span <= 1.0 {
            return None;
        }
        span
    };
    let apart = |a: &ClassFigure, b: &ClassFigure| a.median * span * CLEAR_APART < b.median;
    let all = |f: &dyn Fn(&ClassFigure, &ClassFigure) -> bool| {
        mine.iter().all(|a| theirs.iter().all(|b| f(a, b)))
    };
    if mine.is_empty() || theirs.is_empty() {
        None
    } else if all(&|a, b| apart(a, b)) {
        Some(true)
    } else if all(&|a, b| apart(b, a)) {
        Some(false)
    } else {
        None
    }
}

/// Some(true) when every class's median ratio (point over reference) is
/// at most 1/1.10, Some(false) when every one is at least 1.10, else None.
fn same_way_in_every_class(classes: Vec<(PlacementClass, Vec<f64>)>) -> Option<bool> {
    let medians: Vec<f64> = classes
        .into_iter()
        .map(|(_, mut sorted)| {
            sorted.sort_by(f64::total_cmp);
            crate::stats::median_of_sorted(&sorted)
        })
        .collect();
    if medians.iter().all(|&m| m * CLEAR_APART <= 1.0) {
        Some(true)
    } else if medians.iter().all(|&m| m >= CLEAR_APART) {
        Some(false)
    } else {
        None
    }
}

/// How far apart a point's placements put its speed: its slowest counted
/// placement's median over its fastest (1: one placement only).
fn placement_span(classes: &[ClassFigure]) -> f64 {
    match (classes.first(), classes.last()) {
        (Some(fast), Some(slow)) if fast.median > 0.0 => slow.median / fast.median,
        _ => 1.0,
    }
}

/// When either point's speed depends on placement, or the two ran in
/// different placements, but the paired `relation` is stated and points
/// the way every placement does: the placements change nothing here.
pub fn settled_anyway(
    point: &PointResult,
    reference: &PointResult,
    differs: bool,
    faster: bool,
) -> bool {
    differs && holds_in_every_placement(point, reference) == Some(faster)
}

/// Medians this far apart tell two placements apart without intervals.
const CLEAR_APART: f64 = 1.10;

/// The sentence of a point whose speed depends on placement in this run,
/// if it does (what earlier runs saw weighs in comparisons, not here).
pub fn point_sentence(point: &PointResult) -> Option<String> {
    let classes = point.own_placement_dependence()?;
    Some(format!(
        "{}'s speed depends on where its parties ran ({})",
        super::view::short_label(point),
        describe_classes(&classes, &point.unit)
    ))
}
