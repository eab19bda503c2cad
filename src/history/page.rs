//! The trend page (one self-contained HTML file, the run report's style, no
//! scripts) and its Markdown summary for a CI job: the changes first, then
//! a trend chart per point.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::changes::Change;
use super::labels::{p_text, plural, scenario_and_family, short};
use super::series::{HostHistory, Series};
use super::store::LatestVerdict;
use crate::text::{escape, format_ns};

/// How the changes were found, for the page and the Markdown.
pub const METHOD: &str = "Each point's series holds one figure per commit (the run's median; \
several runs of a commit merged). Changes: binary segmentation of the log figures, each commit weighted \
by its 95% interval and by the commit-to-commit noise the series itself shows (outliers trimmed); a split \
is kept when a permutation test puts it beyond chance (p < 0.005), and the newest commit alone is a \
change when it lies beyond every other commit of its segment (prediction test, p < 0.001). \
Method and what it finds here: docs/history.md.";

/// Styles the trend page adds to the run report's.
const PAGE_CSS: &str = "table.changes td.point{word-break:break-all;min-width:16em}\
table.changes td.when{white-space:nowrap}table.changes td.num{white-space:nowrap}";

/// What the page shows besides the series.
pub struct PageInput<'a> {
    pub history: &'a HostHistory,
    pub other_hosts: &'a [(String, String, i64)],
    pub verdicts: &'a [LatestVerdict],
    pub store: &'a str,
}

/// The HTML page.
pub fn html(input: &PageInput<'_>) -> String {
    let history = input.history;
    let changes = history.changes_newest_first();
    let commits = history
        .series
        .iter()
        .map(|s| s.commits.len())
        .max()
        .unwrap_or(0);
    let mut body = format!(
        "<h1>concbench history</h1><p class=\"sub\">{} ({}) · {} runs · {commits} commits · {} points · {}</p>\
         <p class=\"note\">{} Store: <code>{}</code>.</p>",
        escape(&history.host),
        escape(&history.label),
        history.runs,
        history.series.len(),
        plural(changes.len(), "change"),
        escape(METHOD),
        escape(input.store)
    );
    body.push_str("<nav><a href=\"#changes\">Changes</a> · <a href=\"#changed\">Points that changed</a> · <a href=\"#gate\">Gate comparisons</a> · <a href=\"#points\">Every point</a></nav>");
    body.push_str(&changes_table(&changes));
    body.push_str(&changed_charts(history));
    body.push_str(&verdicts_table(input.verdicts));
    body.push_str(&every_point(history));
    if input.other_hosts.len() > 1 {
        body.push_str("<h2>Other hosts in the store</h2><ul>");
        for (key, label, runs) in input.other_hosts.iter().filter(|h| h.0 != history.host) {
            let _ = write!(
                body,
                "<li>{} ({}): {runs} runs</li>",
                escape(key),
                escape(label)
            );
        }
        body.push_str(
            "</ul><p class=\"note\">`concbench history report --host PART` draws another host.</p>",
        );
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>concbench history — {}</title><style>{}{PAGE_CSS}</style></head><body><main>{body}</main></body></html>\n",
        escape(&history.label),
        crate::report::html::CSS
    )
}

fn anchor(point: &str) -> String {
    let cleaned: String = point
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("p-{cleaned}")
}

fn level_text(level: &super::changes::Level) -> String {
    match (level.lo, level.hi) {
        (Some(lo), Some(hi)) => format!(
            "{} [{} – {}]",
            format_ns(level.median),
            format_ns(lo),
            format_ns(hi)
        ),
        _ => format!(
            "{} (no interval: {} commits)",
            format_ns(level.median),
            level.n
        ),
    }
}

fn changes_table(changes: &[(&Series, &Change)]) -> String {
    let mut out = String::from("<h2 id=\"changes\">Changes</h2>");
    if changes.is_empty() {
        out.push_str(
            "<p>No series stepped: every point's history is consistent with its own noise.</p>",
        );
        return out;
    }
    out.push_str("<table class=\"points changes\"><tr><th>Commit</th><th>Date</th><th>Point</th><th>Before</th><th>After</th><th>Ratio</th><th>p</th></tr>");
    for (series, change) in changes {
        let commit = &series.commits[change.at];
        let class = if change.ratio > 1.0 {
            "worse"
        } else {
            "better"
        };
        let _ = write!(
            out,
            "<tr class=\"{class}\"><td><code>{}</code></td><td class=\"when\">{}</td><td class=\"point\"><a href=\"#{}\">{}</a></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.2}x {}</td><td class=\"num\">{}</td></tr>",
            escape(short(&commit.commit)),
            escape(
                &commit
                    .started
                    .get(..16)
                    .unwrap_or(&commit.started)
                    .replace('T', " ")
            ),
            anchor(&series.point),
            escape(&series.point),
            level_text(&change.before),
            level_text(&change.after),
            change.ratio,
            if change.ratio > 1.0 {
                "slower"
            } else {
                "faster"
            },
            p_text(change.p_value).trim_start_matches("= ")
        );
    }
    out.push_str("</table>");
    out
}

fn chart(series: &Series) -> String {
    format!(
        "<figure id=\"{}\">{}<figcaption>{} · {} · {}</figcaption></figure>",
        anchor(&series.point),
        super::trend_chart::svg(series),
        escape(&series.point),
        plural(series.commits.len(), "commit"),
        plural(series.changes.len(), "change")
    )
}

fn changed_charts(history: &HostHistory) -> String {
    let mut out = String::from("<h2 id=\"changed\">Points that changed</h2>");
    let changed: Vec<&Series> = history
        .series
        .iter()
        .filter(|s| !s.changes.is_empty())
        .collect();
    if changed.is_empty() {
        out.push_str("<p>None.</p>");
    }
    for series in changed {
        out.push_str(&chart(series));
    }
    out
}

fn verdicts_table(verdicts: &[LatestVerdict]) -> String {
    let mut out = String::from("<h2 id=\"gate\">Gate comparisons</h2>");
    if verdicts.is_empty() {
        out.push_str("<p>None stored: `concbench history add --commit SHA gate.json` keeps an interleaved gate's verdicts.</p>");
        return out;
    }
    out.push_str("<p class=\"note\">Each point's newest stored comparison: new/base, paired in time.</p><table class=\"points\"><tr><th>Point</th><th>Commit</th><th>Verdict</th><th>new/base</th></tr>");
    for v in verdicts {
        let ratio = match (v.ratio, v.lo, v.hi) {
            (Some(r), Some(lo), Some(hi)) => format!("{r:.3} [{lo:.3}, {hi:.3}]"),
            (Some(r), _, _) => format!("{r:.3} (no interval)"),
            _ => "–".into(),
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td class=\"num\">{ratio}</td></tr>",
            escape(&v.point),
            escape(short(&v.commit)),
            escape(&v.verdict)
        );
    }
    out.push_str("</table>");
    out
}

fn every_point(history: &HostHistory) -> String {
    let mut by_scenario: BTreeMap<&str, Vec<&Series>> = BTreeMap::new();
    for series in &history.series {
        by_scenario
            .entry(scenario_and_family(&series.point).0)
            .or_default()
            .push(series);
    }
    let mut out = String::from(
        "<h2 id=\"points\">Every point</h2><p class=\"note\">Open a scenario to see its points' trends.</p>",
    );
    for (scenario, list) in by_scenario {
        let changed = list.iter().filter(|s| !s.changes.is_empty()).count();
        let _ = write!(
            out,
            "<details><summary>{} — {}, {} with changes</summary>",
            escape(scenario),
            plural(list.len(), "point"),
            changed
        );
        for series in list {
            out.push_str(&chart(series));
        }
        out.push_str("</details>");
    }
    out
}

/// The Markdown summary (for a CI job summary): the changes, newest first.
pub fn markdown(history: &HostHistory) -> String {
    let changes = history.changes_newest_first();
    let mut out = format!(
        "## concbench history: {} on {}\n\n{} runs, {} points. {}\n\n",
        plural(changes.len(), "change"),
        history.host,
        history.runs,
        history.series.len(),
        METHOD
    );
    if changes.is_empty() {
        out.push_str("No series stepped.\n");
        return out;
    }
    out.push_str(
        "| Commit | Point | Before | After | Ratio | p |\n|---|---|---:|---:|---:|---:|\n",
    );
    for (series, change) in changes.iter().take(40) {
        let _ = writeln!(
            out,
            "| `{}` | `{}` | {} | {} | {:.2}x | {} |",
            short(&series.commits[change.at].commit),
            series.point.replace('|', "\\|"),
            level_text(&change.before),
            level_text(&change.after),
            change.ratio,
            p_text(change.p_value).trim_start_matches("= ")
        );
    }
    if changes.len() > 40 {
        let _ = writeln!(
            out,
            "\n… and {} more in the trend page.",
            changes.len() - 40
        );
    }
    out
}
