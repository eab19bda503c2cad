//! report.html: one self-contained page (inline CSS and SVG, no scripts, no
//! fonts or files fetched) that a person reads offline or attaches to a CI
//! run. Every text taken from configs or results is escaped here.

mod matrix;
mod points;
mod runtimes;
mod scenario;

use std::fmt::Write;

use super::{Format, ReportInput, answers, findings, plot, view};
use crate::gate::GateOutcome;
use crate::gate::verdict::Verdict;
use crate::results::RunResults;
use crate::text::{escape, format_ns};

pub struct Html;

impl Format for Html {
    fn render(&self, input: &ReportInput<'_>) -> anyhow::Result<Vec<u8>> {
        let results = input.new;
        let families = view::families(results);
        let mut body = String::new();
        body.push_str(&header(results));
        body.push_str(&contents(&families, input.comparison.is_some()));
        if let Some(outcome) = input.comparison {
            body.push_str(&comparison(outcome, results)?);
        }
        body.push_str(&answers_section(
            &answers::answers(results),
            &super::replication::memory_line(results),
        ));
        body.push_str(&matrix::section(results));
        let found = findings::findings(results);
        let detail = points::Detail::for_page(results.results.len());
        for (family, scenarios) in &families {
            let _ = write!(
                body,
                "<section id=\"{}\"><h2>{}</h2>",
                view::anchor(&["family", family.name()]),
                escape(family.name())
            );
            for s in scenarios {
                let own: Vec<&findings::Finding> =
                    found.iter().filter(|f| f.scenario == s.id).collect();
                body.push_str(&scenario::block(s, &findings_list(&own), detail)?);
            }
            body.push_str("</section>");
        }
        body.push_str(&problems(results));
        let title = format!("concbench report — {}", results.run.id);
        let page = format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
             <title>{}</title><style>{CSS}</style></head><body><main>{body}</main></body></html>\n",
            escape(&title)
        );
        Ok(page.into_bytes())
    }
}

/// How long the run took, or that it did not finish.
fn took(run: &crate::results::RunInfo) -> String {
    match (
        chrono::DateTime::parse_from_rfc3339(&run.started),
        run.finished
            .as_deref()
            .map(chrono::DateTime::parse_from_rfc3339),
    ) {
        (Ok(start), Some(Ok(end))) => {
            format_ns((end - start).num_nanoseconds().unwrap_or(0) as f64)
        }
        _ => "unfinished (partial results)".to_string(),
    }
}

fn header(results: &RunResults) -> String {
    let run = &results.run;
    let host = &results.host;
    let took = took(run);
    let memory = format!("{:.1} GiB", host.memory_bytes as f64 / (1u64 << 30) as f64);
    let cores = match host.physical_cores {
        Some(p) => format!("{} logical, {p} physical", host.logical_cores),
        None => format!("{} logical", host.logical_cores),
    };
    let rows = [
        ("CPU", host.cpu_model.clone()),
        ("cores", cores),
        ("memory", memory),
        ("kernel", format!("{} ({})", host.kernel, host.os)),
        ("host", host.hostname.clone()),
        (
            "concbench",
            format!(
                "{} {}",
                run.tool_version,
                run.git_commit.as_deref().unwrap_or("")
            ),
        ),
        ("rustc", host.rustc.clone()),
        ("config", run.config.clone()),
        ("command", run.argv.join(" ")),
        ("started", run.started.clone()),
        ("took", took),
        (
            "sampler",
            format!(
                "every {} ms, {} of CPU in all",
                results.harness.sampler_interval_ms,
                format_ns(results.harness.sampler_cpu_ns as f64)
            ),
        ),
    ];
    let mut out = format!(
        "<header><h1>concbench report</h1><p class=\"sub\">run <code>{}</code></p><table class=\"host\">",
        escape(&run.id)
    );
    let environment = results
        .environment
        .as_ref()
        .map(|e| ("environment", e.summary()));
    for (key, value) in rows.into_iter().chain(environment) {
        let _ = write!(out, "<tr><th>{key}</th><td>{}</td></tr>", escape(&value));
    }
    out.push_str("</table>");
    for warning in environment_warnings(results) {
        let _ = write!(out, "<p class=\"warn\">⚠ {}</p>", escape(&warning));
    }
    out.push_str(&drift(results));
    out.push_str("</header>");
    out
}

/// The environment's warnings (steal time, a quota, a busy start).
pub fn environment_warnings(results: &RunResults) -> Vec<String> {
    results
        .environment
        .as_ref()
        .map(|e| e.warnings(results.host.logical_cores))
        .unwrap_or_default()
}

/// The drift monitor's timeline and what it says, when the run has one.
fn drift(results: &RunResults) -> String {
    let speeds = results.harness.relative_speed();
    let Some(line) = crate::terminal::drift_line(&results.harness) else {
        return String::new();
    };
    let wide = results.harness.relative_wide_speed();
    let chart = plot::drift::chart(&speeds, &wide).unwrap_or_default();
    format!(
        "<div class=\"drift\">{chart}<p class=\"note\">{}. Points measured in the same \
         interleaved rounds are compared round by round, so this drift cancels between them; \
         a comparison of points measured apart says so, and a point whose group saw the speed \
         move more than the effect it reports is marked.</p></div>",
        escape(&crate::text::upper_first(&line))
    )
}

fn contents(
    families: &[(crate::vocab::Family, Vec<view::ScenarioView<'_>>)],
    comparing: bool,
) -> String {
    let mut out = String::from("<nav><strong>Contents</strong> ");
    if comparing {
        out.push_str("<a href=\"#comparison\">comparison</a> · ");
    }
    out.push_str("<a href=\"#answers\">answers</a>");
    for (family, scenarios) in families {
        let _ = write!(
            out,
            " · <a href=\"#{}\">{}</a>",
            view::anchor(&["family", family.name()]),
            escape(family.name())
        );
        for s in scenarios {
            let _ = write!(
                out,
                " <a class=\"minor\" href=\"#{}\">{}</a>",
                view::anchor(&["scenario", s.id]),
                escape(s.id)
            );
        }
    }
    out.push_str(" · <a href=\"#problems\">problems</a></nav>");
    out
}

/// The questions concbench exists for, answered first.
/// `memory` says what the findings weigh besides the run's own rounds.
fn answers_section(found: &[answers::Answer], memory: &str) -> String {
    if found.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "<section id=\"answers\"><h2>Answers</h2><p class=\"note\">{}</p><ol class=\"answers\">",
        escape(memory)
    );
    for a in found {
        let class = if a.settled { "supported" } else { "noise" };
        let _ = write!(
            out,
            "<li class=\"{class}\"><b>{}</b> {} <a href=\"#{}\">chart</a></li>",
            escape(a.question),
            escape(&a.text),
            escape(&a.anchor)
        );
    }
    let lead = (100.0 * (answers::CLEAR_LEAD - 1.0)).round();
    let _ = write!(
        out,
        "</ol><p class=\"note\">Each answer ranks the variants measured at the question's parameters; where the first two were measured in the same interleaved rounds, the rounds decide which of them is faster. A winner is named only where the 95% interval of its ratio to the runner-up clears a lead of {lead}%: the interval of the per-round ratio where the two were paired, else one from the two points' own intervals, and then the answer says it is not paired in time. Why {lead}%: reruns on a shared machine move a point by more than one run's interval, and smaller leads changed hands between runs (docs/measurements/2026-12-01-pairing-limits.md). Every other comparison is listed with its scenario below, stated by the same {lead}% rule; greyed lines are within noise, within {lead}%, or decided by where the parties ran.</p></section>"
    );
    out
}

/// A scenario's findings: what differs first, then what is within noise.
fn findings_list(found: &[&findings::Finding]) -> String {
    if found.is_empty() {
        return String::new();
    }
    let mut out = String::from("<ul class=\"findings\">");
    for f in found
        .iter()
        .filter(|f| f.supported)
        .chain(found.iter().filter(|f| !f.supported))
    {
        let class = if f.supported { "supported" } else { "noise" };
        let _ = write!(
            out,
            "<li class=\"{class}\">{} <a href=\"#{}\">chart</a></li>",
            escape(&f.text),
            escape(&f.anchor)
        );
    }
    out.push_str("</ul>");
    out
}

fn problems(results: &RunResults) -> String {
    let failed = view::problems(results);
    let mut out = String::from("<section id=\"problems\"><h2>Problems</h2>");
    if failed.is_empty() {
        out.push_str("<p>Every point measured and verified its work.</p>");
    } else {
        out.push_str(
            "<table class=\"points\"><tr><th>point</th><th>status</th><th>reason</th></tr>",
        );
        for p in failed {
            let status = p.status_text();
            let class = if p.is_failure() { " class=\"bad\"" } else { "" };
            let _ = write!(
                out,
                "<tr{class}><td><code>{}</code></td><td>{status}</td><td>{}</td></tr>",
                escape(&p.id),
                escape(p.error.as_deref().unwrap_or(""))
            );
        }
        out.push_str("</table>");
    }
    out.push_str("</section>");
    out
}

fn comparison(outcome: &GateOutcome, new: &RunResults) -> anyhow::Result<String> {
    let mut out = format!(
        "<section id=\"comparison\"><h2>Comparison</h2><p>Run <code>{}</code> (new) against <code>{}</code> (base), \
         judged as <code>concbench compare</code> judges them. Ratio = new / base of the time per operation (below 1 is faster), \
         with a 95% bootstrap interval; a point is coloured only when the whole interval lies beyond its threshold.</p>",
        escape(&new.run.id),
        escape(&outcome.base_runs.join(", "))
    );
    if let Some(warning) = &outcome.host_warning {
        let _ = write!(out, "<p class=\"warn\">{}</p>", escape(warning));
    }
    out.push_str(&comparison_chart(outcome)?);
    out.push_str(&comparison_table(outcome));
    out.push_str("</section>");
    Ok(out)
}

/// The ratio chart of the points both runs measured.
fn comparison_chart(outcome: &GateOutcome) -> anyhow::Result<String> {
    let bars: Vec<plot::bars::Bar> = outcome
        .points
        .iter()
        .filter_map(|p| {
            Some(plot::bars::Bar {
                label: p.id.clone(),
                value: p.ratio?,
                interval: p.ratio_lo.zip(p.ratio_hi),
                colour: verdict_colour(p.verdict),
                text: format!("{:.3}", p.ratio?),
            })
        })
        .collect();
    if bars.is_empty() {
        return Ok(String::new());
    }
    let options = plot::bars::BarChart {
        title: "new / base, time per operation",
        x_desc: "ratio (below 1 is faster)",
        reference: Some(1.0),
        tick: &|v| format!("{v:.2}"),
    };
    Ok(format!(
        "<figure id=\"comparison-chart\">{}</figure>",
        plot::bars::chart(&options, &bars)?
    ))
}

/// The table of every pair and every point found on one side only.
fn comparison_table(outcome: &GateOutcome) -> String {
    let mut out = String::from(
        "<table class=\"points\"><tr><th>point</th><th>base</th><th>new</th><th>new/base [95%]</th><th>threshold</th><th>verdict</th></tr>",
    );
    for p in &outcome.points {
        let ns = |v: Option<f64>| v.map_or("—".to_string(), format_ns);
        let ratio = match (p.ratio, p.ratio_lo, p.ratio_hi) {
            (Some(r), Some(lo), Some(hi)) => format!("{r:.3} [{lo:.3}, {hi:.3}]"),
            (Some(r), _, _) => format!("{r:.3} [none: &lt; 6 blocks]"),
            _ => "—".into(),
        };
        let _ = write!(
            out,
            "<tr class=\"{}\"><td><code>{}</code></td><td>{}</td><td>{}</td><td>{ratio}</td><td>{:.1}%</td><td>{}</td></tr>",
            verdict_class(p.verdict),
            escape(&p.id),
            ns(p.base_ns_per_op),
            ns(p.new_ns_per_op),
            p.threshold_pct,
            p.verdict.word()
        );
    }
    for (side, ids) in [
        ("base", &outcome.only_in_base),
        ("new", &outcome.only_in_new),
    ] {
        for id in ids.iter() {
            let _ = write!(
                out,
                "<tr class=\"same\"><td><code>{}</code></td><td colspan=\"5\">only in the {side} run</td></tr>",
                escape(id)
            );
        }
    }
    out.push_str("</table>");
    out
}

fn verdict_class(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Improved => "better",
        Verdict::Regressed | Verdict::Broken => "worse",
        _ => "same",
    }
}

fn verdict_colour(verdict: Verdict) -> plotters::style::RGBColor {
    match verdict_class(verdict) {
        "better" => plotters::style::RGBColor(89, 161, 79),
        "worse" => plotters::style::RGBColor(225, 87, 89),
        _ => plotters::style::RGBColor(170, 170, 170),
    }
}

/// The report's style sheet, which the history page shares.
pub const CSS: &str = "\
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d2330;background:#f6f7f9;margin:0}\
main{max-width:1180px;margin:0 auto;padding:24px 28px 60px;background:#fff}\
h1{margin:0 0 2px;font-size:26px}h2{margin-top:38px;border-bottom:2px solid #e3e6ea;padding-bottom:4px}\
h3{margin:28px 0 4px}h4{margin:18px 0 6px;font-size:14px}.sub{margin:0 0 12px;color:#5b6472}\
code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace;background:#f1f3f5;padding:1px 4px;border-radius:3px}\
table{border-collapse:collapse;margin:8px 0}th,td{padding:3px 10px;text-align:left;vertical-align:top}\
table.host th{color:#5b6472;font-weight:500}table.points{font-size:13.5px;width:100%}\
table.points tr:nth-child(even){background:#f7f8fa}table.points th{background:#eef0f3}\
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\
tr.bad td,tr.worse td{background:#fdeaea}tr.better td{background:#e8f5e6}\
nav{position:sticky;top:0;background:#fff;border-bottom:1px solid #e3e6ea;padding:8px 0;z-index:1}\
nav a{color:#2f5d8c;text-decoration:none}nav a.minor{font-size:13px;color:#6c7a8a}\
figure{margin:14px 0;overflow-x:auto}figcaption{font-size:13px;color:#555;margin:2px 0 0 8px}figure svg{display:block;max-width:100%;height:auto}\
ul.findings li{margin:4px 0}ul.findings li.noise{color:#7a828d}ul.findings a{font-size:12px;color:#2f5d8c}\
.note{color:#5b6472;font-size:13px}.warn{background:#fff4d6;border-left:4px solid #e6a700;padding:6px 10px}\
.point{border-top:1px solid #eceef1;padding:6px 0}.point .row{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}\
.point dl{display:grid;grid-template-columns:auto auto;gap:1px 12px;margin:4px 0;font-size:13px}.point dt{color:#5b6472}.point dd{margin:0}table.compact td{white-space:nowrap}table.compact caption{text-align:left;color:#5b6472;font-size:13px}td.cores span{display:inline-block;min-width:2.2em;text-align:center;margin-right:1px;border-radius:2px}";
