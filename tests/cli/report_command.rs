//! `concbench report` and the reports `run` writes: escaping, partial runs,
//! two runs side by side, and results files it must refuse.

use serde_json::Value;

use super::support::{FAST_RUN, Scratch, stderr_of};

/// A real run of a few cheap points; returns its folder.
pub(super) fn small_run(scratch: &Scratch, out: &str) -> std::path::PathBuf {
    let suite = format!(
        "{FAST_RUN}\n[[scenario]]\nid = \"spawn.start\"\nvariants = [\"scoped_thread\", \"rayon\", \"tokio\"]\nparams = {{ workers = 10 }}\n"
    );
    let config = scratch.file("small.toml", &suite);
    scratch
        // Six samples at least, so every point has a 95% interval to export.
        .concbench(&[
            "run",
            "--config",
            config.to_str().unwrap(),
            "--out",
            out,
            "--min-samples",
            "6",
        ])
        .assert()
        .success();
    scratch.run_dirs(out).pop().expect("a run folder")
}

/// `concbench report INPUTS... -o OUT`, which must succeed; returns the HTML.
pub(super) fn draw_report(scratch: &Scratch, inputs: &[&str], out: &std::path::Path) -> String {
    let mut args = vec!["report"];
    args.extend_from_slice(inputs);
    args.extend_from_slice(&["-o", out.to_str().unwrap()]);
    scratch.concbench(&args).assert().success();
    read(out)
}

pub(super) fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub(super) fn edit_json(path: &std::path::Path, edit: impl FnOnce(&mut Value)) {
    let mut value: Value = serde_json::from_str(&read(path)).expect("JSON");
    edit(&mut value);
    std::fs::write(path, serde_json::to_string(&value).expect("serialises")).expect("writes");
}

#[test]
fn run_writes_a_self_contained_report_and_a_markdown_summary() {
    let scratch = Scratch::new();
    let dir = small_run(&scratch, "out");
    let html = read(&dir.join("report.html"));
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg"), "inline charts");
    assert!(
        html.contains("class=\"findings\""),
        "each scenario lists its findings"
    );
    assert!(
        !html.contains("<script") && !html.contains("src=\"http") && !html.contains("href=\"http"),
        "nothing fetched"
    );
    let markdown = read(&dir.join("summary.md"));
    assert!(
        markdown.contains("| `spawn.start/rayon/pool/workers=10` | ok |"),
        "{markdown}"
    );
}

#[test]
fn a_page_of_hundreds_of_points_draws_their_figures_as_one_table_row_each() {
    let scratch = Scratch::new();
    let dir = small_run(&scratch, "out");
    let few = read(&dir.join("report.html"));
    assert!(
        few.contains("class=\"point\""),
        "a block per point on a small page"
    );
    let results = dir.join("results.json");
    // 3 real points copied 110 times with fresh ids: 330 points, past 300.
    edit_json(&results, |v| {
        let points = v["results"].as_array().expect("results").clone();
        let mut many = Vec::new();
        for copy in 0..110 {
            for p in &points {
                let mut p = p.clone();
                p["id"] = format!("{}-{copy}", p["id"].as_str().unwrap()).into();
                p["params"]["workers"] = (copy + 1).into();
                many.push(p);
            }
        }
        v["results"] = many.into();
    });
    let html = draw_report(
        &scratch,
        &[results.to_str().unwrap()],
        &scratch.path().join("many.html"),
    );
    assert!(!html.contains("class=\"point\""), "no block per point");
    assert!(
        html.contains("class=\"points compact\""),
        "one table instead"
    );
    assert_eq!(
        html.matches("<td class=\"cores\">").count(),
        330,
        "a row per point"
    );
}

#[test]
fn text_from_results_is_escaped_in_html_and_markdown() {
    let scratch = Scratch::new();
    let dir = small_run(&scratch, "out");
    let results = dir.join("results.json");
    edit_json(&results, |v| {
        v["run"]["config"] = "<script>alert('config')</script>".into();
        v["results"][0]["status"] = "failed".into();
        v["results"][0]["error"] = "<img src=x onerror=alert(1)>".into();
        v["results"][1]["variant"] = "<b>bold</b>".into();
    });
    let out = scratch.path().join("escaped.html");
    let html = draw_report(&scratch, &[results.to_str().unwrap()], &out);
    assert!(
        !html.contains("<script>alert")
            && !html.contains("<img src=x")
            && !html.contains("<b>bold"),
        "raw markup leaked"
    );
    assert!(html.contains("&lt;script&gt;alert(&#39;config&#39;)&lt;/script&gt;"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    let markdown = read(&out.with_extension("md"));
    assert!(!has_raw_markup(&markdown), "{markdown}");
    assert!(
        markdown.contains(r"\<img src=x onerror=alert(1)\>"),
        "{markdown}"
    );
}

/// Whether Markdown text holds a `<` that a renderer would read as the start
/// of HTML: outside a code span and not escaped with a backslash.
fn has_raw_markup(markdown: &str) -> bool {
    markdown.lines().any(|line| {
        let mut in_code = false;
        let mut previous = ' ';
        line.chars().any(|c| {
            let raw = c == '<' && !in_code && previous != '\\';
            if c == '`' {
                in_code = !in_code;
            }
            previous = c;
            raw
        })
    })
}

#[test]
fn a_run_stopped_half_way_still_gets_a_report_of_what_finished() {
    let scratch = Scratch::new();
    let dir = small_run(&scratch, "out");
    let lines = read(&dir.join("results.jsonl"));
    let lines: Vec<&str> = lines.lines().collect();
    assert_eq!(lines.len(), 4, "header and three points");
    // Header, two whole points, and half of the third: as a kill -9 leaves it.
    let torn = &lines[3][..lines[3].len() / 2];
    let partial = format!("{}\n{}\n{}\n{torn}", lines[0], lines[1], lines[2]);
    let jsonl = scratch.file("partial.jsonl", &partial);
    let out = scratch.path().join("partial.html");
    let html = draw_report(&scratch, &[jsonl.to_str().unwrap()], &out);
    assert!(
        html.contains("spawn.start/scoped_thread/thread/workers=10")
            && html.contains("spawn.start/rayon/pool/workers=10")
    );
    assert!(
        !html.contains("spawn.start/tokio/async/workers=10"),
        "the torn point is not invented"
    );
    assert!(html.contains("unfinished (partial results)"));
}

#[test]
fn two_runs_side_by_side_show_ratios_verdicts_and_unpaired_points() {
    let scratch = Scratch::new();
    let dir = small_run(&scratch, "out");
    let base = dir.join("results.json");
    // Fixed samples for rayon on both sides, so the verdict cannot depend
    // on how noisy this machine was: about 100 ns against about 300 ns.
    let pin = |v: &mut Value, median: f64| {
        // Ten samples of 1000 operations within ±1% of `median` ns per op.
        let samples: Vec<Value> = (0..10)
            .map(|i| serde_json::json!({ "ops": 1000, "ns": (median * 1000.0 * (0.99 + 0.002 * i as f64)) as u64 }))
            .collect();
        v["results"][1]["samples"] = Value::Array(samples);
    };
    edit_json(&base, |v| pin(v, 100.0));
    let new = scratch.path().join("new.json");
    std::fs::copy(&base, &new).expect("copy");
    edit_json(&new, |v| {
        // rayon three times slower, tokio missing, a point only in new.
        pin(v, 300.0);
        let mut extra = v["results"][2].clone();
        extra["id"] = "spawn.start/tokio/async/workers=20".into();
        let points = v["results"].as_array_mut().unwrap();
        points.remove(2);
        points.push(extra);
    });
    let out = scratch.path().join("compare.html");
    let html = draw_report(
        &scratch,
        &[base.to_str().unwrap(), new.to_str().unwrap()],
        &out,
    );
    assert!(html.contains("id=\"comparison-chart\""));
    assert!(
        html.contains("<tr class=\"worse\"><td><code>spawn.start/rayon/pool/workers=10</code>"),
        "rayon is worse"
    );
    assert!(
        html.contains(
            "<tr class=\"same\"><td><code>spawn.start/scoped_thread/thread/workers=10</code>"
        ),
        "an unchanged point"
    );
    assert!(html.contains(
        "spawn.start/tokio/async/workers=10</code></td><td colspan=\"5\">only in the base run"
    ));
    assert!(html.contains(
        "spawn.start/tokio/async/workers=20</code></td><td colspan=\"5\">only in the new run"
    ));
    let markdown = read(&out.with_extension("md"));
    assert!(
        markdown.contains("| 3.000 [") && markdown.contains("| REGRESSED |"),
        "{markdown}"
    );
}

#[test]
fn refuses_results_files_that_are_not_json_truncated_or_foreign() {
    let scratch = Scratch::new();
    let dir = small_run(&scratch, "out");
    let whole = read(&dir.join("results.json"));
    let cases = [
        (
            "not-json.json",
            "this is not json".to_string(),
            "not valid JSON",
        ),
        (
            "truncated.json",
            whole[..whole.len() / 2].to_string(),
            "not valid JSON",
        ),
        (
            "future.json",
            whole.replace("concbench.results/2", "concbench.results/9"),
            "schema `concbench.results/9` is not supported",
        ),
        (
            "foreign.json",
            "{\"benchmarks\": []}".to_string(),
            "not a concbench results file",
        ),
    ];
    for (name, text, needle) in cases {
        let path = scratch.file(name, &text);
        let output = scratch
            .concbench(&["report", path.to_str().unwrap()])
            .output()
            .expect("runs");
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
        assert!(
            stderr.contains(name) && stderr.contains(needle),
            "{name}: {stderr}"
        );
        assert_eq!(stderr.trim_end().lines().count(), 1, "{name}: {stderr}");
        assert!(
            !scratch.path().join("report.html").exists(),
            "{name}: no report from a bad file"
        );
    }
}

#[test]
fn summary_md_is_plain_text_with_no_html_entities_and_no_raw_html() {
    let scratch = Scratch::new();
    let dir = small_run(&scratch, "out");
    let results = dir.join("results.json");
    edit_json(&results, |v| {
        v["results"][0]["status"] = "failed".into();
        v["results"][0]["error"] = "the machine's speed & \"quotes\" <b>moved</b> a|b".into();
    });
    let out = scratch.path().join("plain.html");
    draw_report(&scratch, &[results.to_str().unwrap()], &out);
    let markdown = read(&out.with_extension("md"));
    let line = markdown
        .lines()
        .find(|l| l.contains("the machine's speed"))
        .unwrap_or_else(|| panic!("the error is listed: {markdown}"));
    assert!(
        line.contains("the machine's speed & \"quotes\" "),
        "written as plain text: {line}"
    );
    for entity in ["&#39;", "&amp;", "&quot;", "&lt;", "&gt;"] {
        assert!(!markdown.contains(entity), "{entity} in: {markdown}");
    }
    // Markup is shown, not rendered: escaped with a backslash, never raw.
    assert!(line.contains(r"\<b\>moved\</b\>"), "{line}");
    assert!(!has_raw_markup(&markdown), "{markdown}");
    assert!(line.contains(r"a\|b"), "the table cell holds: {line}");
}
