//! `concbench history` and the store `run` appends to, as a user meets
//! them: runs kept once, old files added, a gate comparison kept with its
//! commit, the CI check's exit code, and stores that are refused.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::support::{FAST_RUN, Scratch, stderr_of};

/// A tiny real run in `out`; its results.json.
fn tiny_run(scratch: &Scratch, out: &str, extra: &[&str]) -> PathBuf {
    let suite = format!(
        "{FAST_RUN}\n[[scenario]]\nid = \"spawn.start\"\nvariants = [\"std_thread\"]\nparams = {{ workers = 2 }}\n"
    );
    let config = scratch.file("suite.toml", &suite);
    let mut args = vec!["run", "--config", config.to_str().unwrap(), "--out", out];
    args.extend_from_slice(extra);
    scratch.concbench(&args).assert().success();
    scratch
        .run_dirs(out)
        .last()
        .expect("a run folder")
        .join("results.json")
}

fn stdout(scratch: &Scratch, args: &[&str]) -> String {
    let output = scratch.concbench(args).output().expect("concbench runs");
    assert!(output.status.success(), "{args:?}: {}", stderr_of(&output));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn each_run_lands_in_the_store_once_and_history_lists_it() {
    let scratch = Scratch::new();
    let results = tiny_run(&scratch, "out", &[]);
    assert!(scratch.path().join("out/history.sqlite").is_file());
    let listed = stdout(&scratch, &["history", "--store", "out/history.sqlite"]);
    assert!(
        listed.contains("newest runs") && listed.contains("1 points"),
        "{listed}"
    );
    let again = stdout(
        &scratch,
        &[
            "history",
            "--store",
            "out/history.sqlite",
            "add",
            results.to_str().unwrap(),
        ],
    );
    assert!(again.contains("already in the store"), "{again}");

    tiny_run(&scratch, "off", &["--no-store"]);
    assert!(!scratch.path().join("off/history.sqlite").exists());
}

#[test]
fn a_corrupt_store_is_refused_in_one_line_and_left_as_it_is() {
    let scratch = Scratch::new();
    let store = scratch.file("broken.sqlite", &"not a database ".repeat(400));
    let before = std::fs::read(&store).unwrap();
    for args in [
        vec!["history", "--store", "broken.sqlite"],
        vec!["history", "--store", "broken.sqlite", "report"],
        vec!["history", "--store", "broken.sqlite", "check"],
    ] {
        let output = scratch.concbench(&args).output().unwrap();
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains("broken.sqlite") && stderr.contains("not a SQLite database"),
            "{stderr}"
        );
    }
    // A run whose store is refused keeps its results and says where.
    let config = scratch.file(
        "suite.toml",
        &format!("{FAST_RUN}\n[[scenario]]\nid = \"spawn.start\"\nvariants = [\"std_thread\"]\nparams = {{ workers = 2 }}\n"),
    );
    let output = scratch
        .concbench(&[
            "run",
            "--config",
            config.to_str().unwrap(),
            "--out",
            "out",
            "--store",
            "broken.sqlite",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr_of(&output));
    assert!(stderr_of(&output).contains("the run's results are in"));
    assert!(scratch.run_dirs("out")[0].join("results.json").is_file());
    assert_eq!(std::fs::read(&store).unwrap(), before);
}

/// A copy of `results` as a run of `commit`, `minutes` later, its medians
/// scaled by `factor`, each with an interval of ±2% (so the test does not
/// hang on how noisy the real run happened to be). Its drift probes are
/// replaced by 20 whose wide work reads steady, and 8 more 1.5x as slow
/// where `slowed` (the machine busier), and each point's group share of
/// slow probes by 0%, or 40% where `slowed`.
fn as_commit(results: &Path, dir: &Path, commit: &str, minutes: u32, factor: f64) -> PathBuf {
    as_commit_on(results, dir, (commit, minutes), factor, false)
}

fn as_commit_on(
    results: &Path,
    dir: &Path,
    (commit, minutes): (&str, u32),
    factor: f64,
    slowed: bool,
) -> PathBuf {
    let mut run: Value = serde_json::from_str(&std::fs::read_to_string(results).unwrap()).unwrap();
    run["run"]["id"] = format!("run-{minutes}").into();
    run["run"]["started"] =
        format!("2026-01-01T{:02}:{:02}:00Z", minutes / 60, minutes % 60).into();
    run["run"]["git_commit"] = commit.into();
    let probes: Vec<Value> = (0..if slowed { 28 } else { 20 })
        .map(|i| {
            let wide = if i >= 20 { 1.5 } else { 1.0 };
            serde_json::json!({"at_ms": i * 100, "ns_per_step": 1.3, "wide_ns_per_step": wide})
        })
        .collect();
    run["harness"]["drift"] = probes.into();
    for point in run["results"].as_array_mut().unwrap() {
        // The group's own share of slow wide probes, as a run records it.
        point["metrics"]["machine_busy_pct"] = if slowed { 40.0 } else { 0.0 }.into();
        let estimate = &mut point["summary"]["ns_per_op"];
        if let Some(median) = estimate["median"].as_f64() {
            let median = median * factor;
            estimate["median"] = median.into();
            estimate["ci95_lo"] = (median * 0.98).into();
            estimate["ci95_hi"] = (median * 1.02).into();
        }
    }
    let path = dir.join(format!("run-{minutes}.json"));
    std::fs::write(&path, serde_json::to_string(&run).unwrap()).unwrap();
    path
}

#[test]
fn check_fails_when_the_newest_commits_make_a_regression_and_the_page_shows_it() {
    let scratch = Scratch::new();
    let results = tiny_run(&scratch, "out", &["--no-store"]);
    // Twelve quiet commits (within ±1%), then one 50% slower.
    let quiet = [
        1.0, 1.01, 0.99, 1.005, 0.995, 1.0, 1.01, 0.99, 1.0, 1.005, 0.995, 1.0,
    ];
    let mut files: Vec<PathBuf> = quiet
        .iter()
        .enumerate()
        .map(|(i, f)| as_commit(&results, scratch.path(), &format!("c{i:02}"), i as u32, *f))
        .collect();
    let store = ["history", "--store", "h.sqlite"];
    let add = |files: &[PathBuf]| {
        let mut args = store.to_vec();
        args.push("add");
        args.extend(files.iter().map(|f| f.to_str().unwrap()));
        stdout(&scratch, &args);
    };
    add(&files);
    scratch
        .concbench(&[&store[..], &["check"]].concat())
        .assert()
        .code(0);

    // One commit 50% slower: a regression at once with --confirm 1; by
    // default a change must hold two commits (one run can draw a slow
    // placement), so the next commit reports it, and only that one.
    files.push(as_commit(&results, scratch.path(), "slow01", 12, 1.5));
    // The same step on a busier machine: the check says so beside it.
    let busy = as_commit_on(&results, scratch.path(), ("busy01", 14), 1.5, true);
    let mut other_store = store;
    other_store[2] = "busy.sqlite";
    let mut args = other_store.to_vec();
    args.push("add");
    args.extend(
        files[..12]
            .iter()
            .chain([&busy])
            .map(|f| f.to_str().unwrap()),
    );
    stdout(&scratch, &args);
    let output = scratch
        .concbench(&[&other_store[..], &["check", "--confirm", "1"]].concat())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("the machine was busier: the wide probe read slow in 40% of its group's probes while it was measured in the runs after the step, against 0% before"),
        "{text}"
    );
    let listed = stdout(&scratch, &other_store);
    assert!(
        listed.contains(" 29% ") && listed.contains("  0% "),
        "{listed}"
    );
    add(&files[12..]);
    let check = |extra: &[&str]| {
        let output = scratch
            .concbench(&[&store[..], &["check"], extra].concat())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout).to_string();
        (output.status.code(), text)
    };
    let (code, text) = check(&["--confirm", "1"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("REGRESSED 1.50x") && text.contains("spawn.start/std_thread"),
        "{text}"
    );
    assert!(!text.contains("busier"), "the machine was as quiet: {text}");
    assert_eq!(check(&[]).0, Some(0));
    files.push(as_commit(&results, scratch.path(), "slow02", 13, 1.5));
    add(&files[13..]);
    let (code, text) = check(&[]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("REGRESSED 1.50x"), "{text}");
    assert_eq!(check(&["--confirm", "1"]).0, Some(0), "reported once");

    let written = stdout(
        &scratch,
        &[&store[..], &["report", "-o", "page/history.html"]].concat(),
    );
    assert!(written.contains("trend page"), "{written}");
    let page = std::fs::read_to_string(scratch.path().join("page/history.html")).unwrap();
    assert!(page.contains("<svg") && page.contains("slow01") && page.contains("1.50x"));
    let summary = std::fs::read_to_string(scratch.path().join("page/history.md")).unwrap();
    assert!(summary.contains("| `slow01` |"), "{summary}");
}

#[test]
fn a_gate_comparison_is_kept_with_the_commit_it_names() {
    let scratch = Scratch::new();
    let results = tiny_run(&scratch, "out", &["--no-store"]);
    let folder = scratch.path().join("gate");
    std::fs::create_dir(&folder).unwrap();
    std::fs::copy(&results, folder.join("new.json")).unwrap();
    let gate = folder.join("gate.json");
    let (r, g) = (results.to_str().unwrap(), gate.to_str().unwrap());
    scratch
        .concbench(&["compare", r, r, "--json", g])
        .assert()
        .success();

    let output = scratch
        .concbench(&["history", "--store", "h.sqlite", "add", g])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr_of(&output).contains("pass --commit"),
        "{}",
        stderr_of(&output)
    );
    let added = stdout(
        &scratch,
        &[
            "history", "--store", "h.sqlite", "add", "--commit", "abc123", g,
        ],
    );
    assert!(added.contains("added") && added.contains("gate"), "{added}");
}

/// How many earlier runs the store gave a point's placement and its
/// medians from, per results.
fn earlier_runs(results: &Path) -> Option<(u64, usize)> {
    let json: Value = serde_json::from_str(&std::fs::read_to_string(results).unwrap()).unwrap();
    let point = &json["results"][0];
    let medians = point["earlier_medians"].as_array().map_or(0, Vec::len);
    Some((point["placement"]["earlier"]["runs"].as_u64()?, medians))
}

#[test]
fn a_run_keeps_what_earlier_runs_saw_of_its_placements_and_report_can_recall_it() {
    let scratch = Scratch::new();
    let first = tiny_run(&scratch, "out", &[]);
    assert_eq!(earlier_runs(&first), None, "no run before the first");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let second = tiny_run(&scratch, "out", &[]);
    assert_eq!(
        earlier_runs(&second),
        Some((1, 1)),
        "the first run, not itself"
    );

    // `report --history` draws a run again with the runs before it.
    let (first, second) = (first.to_str().unwrap(), second.to_str().unwrap());
    for (results, out) in [(first, "one.html"), (second, "two.html")] {
        stdout(
            &scratch,
            &[
                "report",
                "--history",
                "out/history.sqlite",
                results,
                "-o",
                out,
            ],
        );
    }
    // A store that is not there is bad input, and nothing is written.
    let output = scratch
        .concbench(&["report", "--history", "none.sqlite", second, "-o", "x.html"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let said = stderr_of(&output);
    assert!(
        said.contains("none.sqlite") && said.contains("no such store"),
        "{said}"
    );
    assert_eq!(said.trim().lines().count(), 1, "{said}");
    assert!(!scratch.path().join("none.sqlite").exists());
    assert!(!scratch.path().join("x.html").exists());
}
