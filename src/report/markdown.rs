//! summary.md: a compact Markdown summary that fits a CI job summary or a
//! pull-request comment: findings, a table per family, problems, and for
//! two runs the ratio table.

use std::fmt::Write;

use super::{Format, ReportInput, answers, findings, speedup, view};
use crate::results::RunResults;
use crate::text::format_ns;

pub struct Markdown;

impl Format for Markdown {
    fn render(&self, input: &ReportInput<'_>) -> anyhow::Result<Vec<u8>> {
        let results = input.new;
        let mut out = String::new();
        let host = &results.host;
        let _ = writeln!(out, "# concbench run {}\n", cell(&results.run.id));
        let _ = writeln!(
            out,
            "{} · {} logical cores · kernel {} · concbench {}\n",
            cell(&host.cpu_model),
            host.logical_cores,
            cell(&host.kernel),
            cell(&results.run.tool_version)
        );
        if let Some(environment) = &results.environment {
            let _ = writeln!(out, "Environment: {}\n", cell(&environment.summary()));
            for warning in environment.warnings(host.logical_cores) {
                let _ = writeln!(out, "> **Warning:** {}\n", cell(&warning));
            }
        }
        if let Some(line) = crate::terminal::drift_line(&results.harness) {
            let _ = writeln!(out, "{}.\n", cell(&crate::text::upper_first(&line)));
        }
        if let Some(outcome) = input.comparison {
            out.push_str(&crate::gate::output::markdown(outcome));
            out.push('\n');
        }
        let answered = answers::answers(results);
        if !answered.is_empty() {
            let _ = writeln!(out, "## Answers\n");
            let _ = writeln!(out, "{}\n", cell(&super::replication::memory_line(results)));
            for (i, a) in answered.iter().enumerate() {
                let _ = writeln!(out, "{}. **{}** {}", i + 1, cell(a.question), cell(&a.text));
            }
            out.push('\n');
        }
        let found = findings::findings(results);
        if !found.is_empty() {
            let _ = writeln!(out, "## Findings\n");
            for finding in found
                .iter()
                .filter(|f| f.supported)
                .chain(found.iter().filter(|f| !f.supported))
            {
                let _ = writeln!(out, "- {}", cell(&finding.text));
            }
            out.push('\n');
        }
        family_tables(&mut out, results);
        let problems = view::problems(results);
        if !problems.is_empty() {
            let _ = writeln!(out, "## Problems\n");
            for point in problems {
                let _ = writeln!(
                    out,
                    "- `{}`: {} — {}",
                    code(&point.id),
                    status_word(point),
                    cell(point.error.as_deref().unwrap_or(""))
                );
            }
        }
        Ok(out.into_bytes())
    }
}

/// One table per family: every point with its median, interval and rate.
fn family_tables(out: &mut String, results: &RunResults) {
    for (family, scenarios) in view::families(results) {
        let _ = writeln!(out, "## {}\n", family.name());
        let _ = writeln!(
            out,
            "| point | status | median | 95% interval | per second |\n|---|---|---:|---:|---:|"
        );
        for point in scenarios.iter().flat_map(|s| s.points.iter()) {
            family_row(out, point);
        }
        out.push('\n');
        for scenario in &scenarios {
            speedup_table(out, scenario);
        }
    }
}

/// Speedup over serial by variant and worker count, for parallel scenarios.
fn speedup_table(out: &mut String, scenario: &view::ScenarioView<'_>) {
    let Some(matrix) = speedup::matrix(scenario) else {
        return;
    };
    let _ = writeln!(
        out,
        "{}: speed-up over serial (95% interval over the paired rounds), parallel efficiency, by {}\n",
        cell(scenario.id),
        cell(&matrix.param)
    );
    let heads: Vec<String> = matrix
        .columns
        .iter()
        .map(|k| format!("{}={k}", matrix.param))
        .collect();
    let _ = writeln!(out, "| variant/model | {} |", heads.join(" | "));
    let _ = writeln!(out, "|---|{}", "---:|".repeat(heads.len()));
    for row in &matrix.rows {
        let cells: Vec<String> = row.cells.iter().map(|c| speedup::cell_text(*c)).collect();
        let _ = writeln!(out, "| `{}` | {} |", code(&row.label), cells.join(" | "));
    }
    out.push('\n');
    if let Some(note) = speedup::busy_note(&matrix) {
        let _ = writeln!(out, "⚠ {}\n", crate::text::upper_first(&note));
    }
}

/// One point as a row of its family's table.
fn family_row(out: &mut String, point: &crate::results::PointResult) {
    let (median, interval, rate) = match &point.summary {
        Some(s) => (
            format!("{}/{}", format_ns(s.ns_per_op.median), point.unit),
            match s.ns_per_op.interval() {
                Some((lo, hi)) => format!("{} – {}", format_ns(lo), format_ns(hi)),
                None => "— (under 6 samples)".to_string(),
            },
            format!("{:.0}", s.ops_per_s),
        ),
        None => Default::default(),
    };
    let _ = writeln!(
        out,
        "| `{}` | {} | {median} | {interval} | {rate} |",
        code(&point.id),
        status_word(point)
    );
}

/// Failures in bold, so they stand out in a job summary.
fn status_word(point: &crate::results::PointResult) -> String {
    if point.is_failure() {
        format!("**{}**", point.status_text())
    } else {
        point.status_text()
    }
}

/// Plain text for Markdown, shown as written (`the machine's speed`, never
/// an HTML entity), with nothing a renderer would take for markup: `<`,
/// `>`, a backslash and an `&` that would start an entity get a backslash,
/// `|` too so a table cell holds; backticks become `'` and newlines spaces.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        match c {
            '<' | '>' | '|' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '&' if starts_an_entity(&text[i + 1..]) => out.push_str("\\&"),
            '`' => out.push('\''),
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Text inside a code span (`` `...` ``), where Markdown shows everything
/// as written but a `|` still ends a table cell and a backtick the span.
fn code(text: &str) -> String {
    text.replace('|', "\\|")
        .replace('`', "'")
        .replace('\n', " ")
}

/// Whether the text after an `&` would make it an entity (`amp;`, `#39;`).
fn starts_an_entity(after: &str) -> bool {
    let name: String = after
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '#')
        .collect();
    !name.is_empty() && after[name.len()..].starts_with(';')
}

#[cfg(test)]
mod tests {
    use super::{cell, code};

    #[test]
    fn text_stays_plain_and_markup_is_escaped_not_entity_encoded() {
        assert_eq!(cell("the machine's \"speed\""), "the machine's \"speed\"");
        assert_eq!(cell("a & b"), "a & b");
        assert_eq!(cell("&amp; <b>|</b>"), "\\&amp; \\<b\\>\\|\\</b\\>");
        assert_eq!(cell("a\\b `c`\nd"), "a\\\\b 'c' d");
        assert_eq!(code("x|y <z>"), "x\\|y <z>");
    }
}
