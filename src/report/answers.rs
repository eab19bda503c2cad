//! Answers first: the questions concbench exists for (threads, processes or
//! async; what 1000 workers cost; which lock, queue, IPC), each answered in
//! one sentence from the run's points, with its numbers and a link to the
//! chart. An answer ranks the variants measured at the question's
//! parameters and says how far the fastest is ahead of the next one, round
//! by round where they were paired; where that interval includes no
//! difference, it says they are within noise instead of naming a winner,
//! and where the rounds are too few for a 95% interval (under 6), it gives
//! the figures and names no winner.

mod kinds;
#[cfg(test)]
mod kinds_tests;
mod questions;

use super::relation::{Relation, relate, times};
use super::view::{self, ScenarioView, short_label};
use crate::results::{PointResult, RunResults};
use crate::text::format_ns;
use crate::vocab::Model;

pub use super::relation::CLEAR_LEAD;
use questions::{Among, At, QUESTIONS, Question};

/// One answered question.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub question: &'static str,
    pub text: String,
    pub anchor: String,
    /// False when the two fastest are not clearly apart (`CLEAR_LEAD`); for
    /// a question ranked by kinds, when no kind's two fastest are (each
    /// clause says its own).
    pub settled: bool,
}

/// Every question the run has the points for, answered.
pub fn answers(results: &RunResults) -> Vec<Answer> {
    let cores = results.host.logical_cores as u64;
    let families = view::families(results);
    let scenarios: Vec<&ScenarioView<'_>> = families.iter().flat_map(|(_, s)| s).collect();
    let map = super::matrix::answer(&super::matrix::matrices(results)).map(|text| Answer {
        question: "What does sharing a cache line between two cores cost here?",
        text,
        anchor: view::anchor(&["c2c"]),
        settled: true,
    });
    map.into_iter()
        .chain(QUESTIONS.iter().filter_map(|q| {
            let scenario = scenarios.iter().find(|s| s.id == q.scenario)?;
            answer(q, scenario, cores)
        }))
        .collect()
}

/// Whether `point` sits at the question's parameters (a parameter the
/// point does not have is no obstacle).
fn sits_at(point: &PointResult, at: &[(&str, At)], cores: u64) -> bool {
    at.iter().all(|(name, want)| {
        let want = match want {
            At::Is(v) => *v,
            At::Cores => cores,
        };
        point.params.0.get(*name).is_none_or(|v| *v == want)
    })
}

fn median(point: &PointResult) -> f64 {
    point
        .summary
        .as_ref()
        .map_or(f64::INFINITY, |s| s.ns_per_op.median)
}

/// `q` answered: its variants ranked together, or each of its kinds
/// ranked apart (see `kinds`; a kind of one point just gives its time).
fn answer(q: &Question, scenario: &ScenarioView<'_>, cores: u64) -> Option<Answer> {
    let kinds = match q.among {
        Among::Rust => kinds::of(q.scenario),
        Among::OtherRuntimes => &[],
    };
    if kinds.is_empty() {
        return ranked(q, scenario, cores, None);
    }
    let rank =
        |models: &[Model]| ranked(q, scenario, cores, Some(models)).map(|a| (a.text, a.settled));
    let alone = |models: &[Model]| match candidates(q, scenario, cores, Some(models))[..] {
        [only] => Some(format!(
            "{} at {} per {}.",
            short_label(only),
            format_ns(median(only)),
            scenario.unit()
        )),
        _ => None,
    };
    let (text, settled) = kinds::clauses(kinds, rank, alone)?;
    Some(Answer {
        question: q.ask,
        text,
        anchor: view::anchor(&["bars", scenario.id]),
        settled,
    })
}

/// The points `q` compares: ok, at its parameters, of its runtimes, not
/// the serial reference, and of `models` when given.
fn candidates<'a>(
    q: &Question,
    scenario: &ScenarioView<'a>,
    cores: u64,
    models: Option<&[Model]>,
) -> Vec<&'a PointResult> {
    scenario
        .ok_points()
        .filter(|p| sits_at(p, q.at, cores))
        .filter(|p| (q.among == Among::Rust) == p.runtime.is_none())
        // The serial reference is what the others are measured against.
        .filter(|p| p.model != Model::Serial)
        .filter(|p| models.is_none_or(|m| m.contains(&p.model)))
        .collect()
}

/// `q`'s points (of `models` when given) ranked: the fastest and its lead.
fn ranked(
    q: &Question,
    scenario: &ScenarioView<'_>,
    cores: u64,
    models: Option<&[Model]>,
) -> Option<Answer> {
    let mut points = candidates(q, scenario, cores, models);
    // Points of different sizes do not compare per operation: keep the
    // largest set that did the same work (the scenario's main sweep).
    let throughput_vs = scenario.meta.and_then(|m| m.throughput_vs.as_deref());
    let peers = |p: &PointResult| {
        points
            .iter()
            .filter(|o| view::same_work(o, &p.params, throughput_vs))
            .count()
    };
    if let Some(main) = points
        .iter()
        .max_by_key(|p| peers(p))
        .map(|p| p.params.clone())
    {
        points.retain(|p| view::same_work(p, &main, throughput_vs));
    }
    if points.len() < 2 {
        return None;
    }
    points.sort_by(|a, b| median(a).total_cmp(&median(b)));
    rank_first_two(&mut points);
    let (best, next, worst) = (points[0], points[1], points[points.len() - 1]);
    let unit = scenario.unit();
    let relation = relate(best, next);
    let settled =
        names_a_winner(best, next, &relation) && !placement_decides(best, next, &relation);
    let lead = lead_sentence(best, next, &relation, unit);
    let tail = if points.len() > 2 {
        let last = relate(best, worst);
        format!(
            "; the slowest, {}, takes {} as long ({})",
            short_label(worst),
            times(last.ratio),
            if last.rounds > 0 {
                "paired"
            } else {
                "not paired in time"
            }
        )
    } else {
        String::new()
    };
    let serial = speedup_note(best);
    let beside = if q.among == Among::OtherRuntimes {
        rust_beside(scenario, best)
    } else {
        String::new()
    };
    Some(Answer {
        question: q.ask,
        text: format!("{lead}{serial}{tail}.{beside}"),
        anchor: view::anchor(&["bars", scenario.id]),
        settled,
    })
}

/// The answer's first clause: the fastest and its lead, or the two fastest
/// when their lead is not clear enough to name one.
fn lead_sentence(
    best: &PointResult,
    next: &PointResult,
    relation: &Relation,
    unit: &str,
) -> String {
    if let Some(dependence) =
        super::placement::dependence(best, next).filter(|_| placement_decides(best, next, relation))
    {
        return format!(
            "{} and {} are the fastest; which is faster depends on where their parties ran ({dependence})",
            short_label(best),
            short_label(next),
        );
    }
    if names_a_winner(best, next, relation) {
        let earlier = super::replication::replicated(best, next, relation)
            .map(|e| {
                format!(
                    "; {}",
                    e.sentence(&short_label(next), &short_label(best), |x| x)
                )
            })
            .unwrap_or_default();
        format!(
            "{} is fastest at {} per {unit}, {} ahead of {} ({}{earlier})",
            short_label(best),
            format_ns(median(best)),
            times(relation.ratio),
            short_label(next),
            relation.basis(|x| x)
        )
    } else if let Some(earlier) = super::replication::earlier(best, next, true)
        .filter(|e| clear_lead(relation) && !e.agrees())
    {
        let (a, b) = (short_label(best), short_label(next));
        format!(
            "{a} and {b} are the fastest; earlier runs of this machine disagree on which (this run: {a} {} ahead, {}; {})",
            times(relation.ratio),
            relation.basis(|x| x),
            earlier.sentence(&b, &a)
        )
    } else if relation.interval.is_none() {
        format!(
            "{} and {} are the fastest; too few rounds to name one ({} and {} per {unit}; {})",
            short_label(best),
            short_label(next),
            format_ns(median(best)),
            format_ns(median(next)),
            relation.basis(|x| x),
        )
    } else {
        format!(
            "{} and {} are the fastest, not clearly apart ({} and {} per {unit}; {}; \
             an answer names one only when the interval's low end clears a {:.0}% lead)",
            short_label(best),
            short_label(next),
            format_ns(median(best)),
            format_ns(median(next)),
            relation.basis(|x| x),
            100.0 * (CLEAR_LEAD - 1.0)
        )
    }
}

/// Whether which of the two is faster depends on where their parties ran:
/// either's speed depends on placement, and not every placement puts `best`
/// ahead.
fn placement_decides(best: &PointResult, next: &PointResult, relation: &Relation) -> bool {
    super::placement::dependence(best, next).is_some()
        && !super::placement::settled_anyway(next, best, relation.clearly_differs(), false)
}

/// Whether the lead is clear enough to name (see `CLEAR_LEAD`), and every
/// earlier run of the machine that measured both showed it too; or, under
/// 10%, enough earlier runs all showed it by 10% (`replication`).
fn names_a_winner(best: &PointResult, next: &PointResult, relation: &Relation) -> bool {
    (clear_lead(relation) && super::replication::stands(best, next, true))
        || super::replication::replicated(best, next, relation).is_some()
}

/// Whether the interval's near end clears a `CLEAR_LEAD` lead of `best`.
fn clear_lead(relation: &Relation) -> bool {
    relation.interval.is_some_and(|(lo, _)| lo >= CLEAR_LEAD)
}

/// Medians rank; the rounds decide between the first two. A point whose
/// samples jump between two speeds can have the lower median and still
/// lose most rounds to the next: then the next is the faster one.
fn rank_first_two(points: &mut [&PointResult]) {
    if points.len() >= 2 && relate(points[0], points[1]).ratio < 1.0 {
        points.swap(0, 1);
    }
}

/// " Rust at the same parameters: std_thread/thread 1.93x its serial
/// (...), ..." — Rust's parallel points beside another runtime's answer.
fn rust_beside(scenario: &ScenarioView<'_>, other: &PointResult) -> String {
    let rust: Vec<String> = scenario
        .ok_points()
        .filter(|p| p.runtime.is_none() && p.params == other.params)
        .filter(|p| p.metrics.contains_key("speedup_vs_serial"))
        .map(|p| {
            format!(
                " {}{}",
                short_label(p),
                speedup_note(p).trim_start_matches(',')
            )
        })
        .collect();
    if rust.is_empty() {
        return String::new();
    }
    format!(" Rust at the same parameters:{}.", rust.join(";"))
}

/// ", 1.93x serial (1.90–1.96, paired)" when the point has a speedup.
fn speedup_note(point: &PointResult) -> String {
    let m = &point.metrics;
    let Some(speedup) = m.get("speedup_vs_serial") else {
        return String::new();
    };
    let paired = m.get("speedup_paired").is_some_and(|p| *p > 0.0);
    match (m.get("speedup_lo"), m.get("speedup_hi")) {
        (Some(lo), Some(hi)) => format!(", {speedup:.2}x serial ({lo:.2}–{hi:.2}, paired)"),
        _ if paired => format!(", {speedup:.2}x serial (paired; too few rounds for an interval)"),
        _ => format!(", {speedup:.2}x serial (not paired in time)"),
    }
}

#[cfg(test)]
#[path = "answers/tests.rs"]
mod tests;
