//! What `compare` prints and writes: a terminal table, a Markdown summary for
//! CI job summaries and PR comments, and the JSON verdict file.

use std::fmt::Write;

use super::GateOutcome;
use super::verdict::Verdict;
use crate::text::format_ns;

fn ratio_text(p: &super::PointVerdict) -> String {
    match (p.ratio, p.ratio_lo, p.ratio_hi) {
        (Some(r), Some(lo), Some(hi)) => format!("{r:.3} [{lo:.3}, {hi:.3}]"),
        (Some(r), _, _) => format!("{r:.3} [none: < 6 blocks]"),
        _ => "—".into(),
    }
}

/// "6 screening + 16 confirmation blocks (ratio and medians from the
/// confirmation's)" for the interleaved gate.
fn blocks_text(p: &super::PointVerdict, blocks: u64) -> String {
    let screening = p.screening_log_ratios.as_ref().map_or(0, Vec::len);
    let confirmation = p.confirmation_log_ratios.as_ref().map_or(0, Vec::len);
    if confirmation == 0 {
        format!("{blocks} blocks")
    } else {
        format!(
            "{screening} screening + {confirmation} confirmation blocks (ratio and medians from the confirmation's)"
        )
    }
}

/// ` (3 set aside: the builds ran in different placements)` when any were.
fn set_aside_text(p: &super::PointVerdict) -> String {
    match p.pairs_set_aside {
        Some(n) if n > 0 => {
            format!(" ({n} set aside: the builds' samples ran in different placements)")
        }
        _ => String::new(),
    }
}

fn settle_text(p: &super::PointVerdict) -> String {
    let more = match (p.more_samples, p.more_invocations, p.blocks) {
        (Some(samples), Some(runs), _) => Some(format!(
            "~{samples} more samples or ~{runs} more runs per side would settle it"
        )),
        // The interleaved gate: paired rounds, not runs.
        (Some(pairs), None, Some(_)) => {
            Some(format!("~{pairs} more paired rounds would settle it"))
        }
        _ => None,
    };
    let paired = match (p.blocks, p.pairs, p.p_value) {
        (Some(blocks), Some(pairs), Some(pv)) => Some(format!(
            "{}, {pairs} pairs{}, p = {pv:.4} (beyond the threshold)",
            blocks_text(p, blocks),
            set_aside_text(p)
        )),
        (Some(blocks), Some(pairs), None) => Some(format!(
            "{}, {pairs} pairs{}",
            blocks_text(p, blocks),
            set_aside_text(p)
        )),
        _ => None,
    };
    [p.note.clone(), more, paired]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("; ")
}

fn summary_line(outcome: &GateOutcome) -> String {
    let mut line = format!(
        "{} regressed, {} improved, {} unchanged, {} uncertain",
        outcome.count(Verdict::Regressed),
        outcome.count(Verdict::Improved),
        outcome.count(Verdict::Unchanged),
        outcome.count(Verdict::Uncertain)
    );
    for (count, what) in [
        (outcome.count(Verdict::Broken), "broken"),
        (outcome.count(Verdict::NotComparable), "not comparable"),
    ] {
        if count > 0 {
            let _ = write!(line, ", {count} {what}");
        }
    }
    for (ids, side) in [
        (&outcome.only_in_base, "base"),
        (&outcome.only_in_new, "new"),
    ] {
        if !ids.is_empty() {
            let _ = write!(line, ", {} only in {side}", ids.len());
        }
    }
    line
}

/// The table for the terminal.
pub fn terminal(outcome: &GateOutcome) -> String {
    let width = outcome
        .points
        .iter()
        .map(|p| p.id.len())
        .max()
        .unwrap_or(5)
        .max(5);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<width$}  {:>10}  {:>10}  {:>24}  {:>6}  verdict",
        "point", "base", "new", "new/base [95%]", "thr"
    );
    for p in &outcome.points {
        let ns = |v: Option<f64>| v.map_or("—".to_string(), format_ns);
        let _ = writeln!(
            out,
            "{:<width$}  {:>10}  {:>10}  {:>24}  {:>5.1}%  {} {}",
            p.id,
            ns(p.base_ns_per_op),
            ns(p.new_ns_per_op),
            ratio_text(p),
            p.threshold_pct,
            p.verdict.word(),
            settle_text(p)
        );
    }
    for (ids, side) in [
        (&outcome.only_in_base, "base"),
        (&outcome.only_in_new, "new"),
    ] {
        for id in ids.iter() {
            let _ = writeln!(out, "{id:<width$}  only in the {side} run(s)");
        }
    }
    let _ = writeln!(out, "\n{}", summary_line(outcome));
    out
}

/// The Markdown summary.
pub fn markdown(outcome: &GateOutcome) -> String {
    let cell = |t: &str| crate::text::escape(t).replace('|', "\\|");
    let mut out = String::from("## concbench compare\n\n");
    let verdict = if outcome.failed() {
        "**Regression found.**"
    } else {
        "No regression."
    };
    let _ = writeln!(out, "{verdict} {}.\n", summary_line(outcome));
    let _ = writeln!(
        out,
        "Base: {} · new: {}\n",
        cell(&outcome.base_runs.join(", ")),
        cell(&outcome.new_runs.join(", "))
    );
    if let Some(warning) = &outcome.host_warning {
        let _ = writeln!(out, "> **Warning:** {}\n", cell(warning));
    }
    if let Some(method) = &outcome.method {
        let _ = writeln!(out, "Method: {}\n", cell(method));
    }
    let _ = writeln!(
        out,
        "| point | base | new | new/base [95%] | threshold | verdict |\n|---|---:|---:|---:|---:|---|"
    );
    for p in &outcome.points {
        let ns = |v: Option<f64>| v.map_or("—".to_string(), format_ns);
        let settle = settle_text(p);
        let note = if settle.is_empty() {
            String::new()
        } else {
            format!(" ({})", cell(&settle))
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {:.1}% | {}{note} |",
            cell(&p.id),
            ns(p.base_ns_per_op),
            ns(p.new_ns_per_op),
            ratio_text(p),
            p.threshold_pct,
            p.verdict.word()
        );
    }
    for (ids, side) in [
        (&outcome.only_in_base, "base"),
        (&outcome.only_in_new, "new"),
    ] {
        for id in ids.iter() {
            let _ = writeln!(
                out,
                "| `{}` | | | | | only in the {side} run(s) |",
                cell(id)
            );
        }
    }
    out
}

/// The machine-readable verdict file.
pub fn json(outcome: &GateOutcome) -> anyhow::Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(outcome)?;
    bytes.push(b'\n');
    Ok(bytes)
}
