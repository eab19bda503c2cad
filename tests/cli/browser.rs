//! The report of a small real run, opened in headless Chromium (Debian's
//! `chromium`, driven by playwright-core from tests/browser): no console or
//! page errors, nothing fetched, every chart drawn with a size. .ci/run
//! installs both; elsewhere the test says it is skipped, unless CI is set.

use serde_json::Value;

use super::support::{FAST_RUN, Scratch};

fn browser_tools() -> Result<(), String> {
    let root = env!("CARGO_MANIFEST_DIR");
    if !std::path::Path::new(root)
        .join("tests/browser/node_modules/playwright-core")
        .exists()
    {
        return Err("tests/browser/node_modules is missing (npm ci --prefix tests/browser)".into());
    }
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !std::path::Path::new(&chromium).exists() {
        return Err(format!("{chromium} is missing (apt-get install chromium)"));
    }
    Ok(())
}

#[test]
fn the_report_opens_in_chromium_without_errors_and_draws_every_chart() {
    if let Err(missing) = browser_tools() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the browser test: {missing}"
        );
        eprintln!("SKIPPED the browser test: {missing}");
        return;
    }
    let scratch = Scratch::new();
    let suite = format!(
        "{FAST_RUN}\n[[scenario]]\nid = \"spawn.start\"\nparams = {{ workers = [5, 10] }}\n\n\
         [[scenario]]\nid = \"selftest.fault\"\nvariants = [\"ok\", \"miscount\"]\n"
    );
    let config = scratch.file("browser.toml", &suite);
    scratch
        .concbench(&["run", "--config", config.to_str().unwrap(), "--out", "out"])
        .assert()
        .code(3);
    let report = scratch
        .run_dirs("out")
        .pop()
        .expect("a run folder")
        .join("report.html");
    let found = open_in_chromium(&report, &scratch.path().join("report.png"));
    let svgs = found["svgs"].as_array().expect("a list of charts");
    let ids: Vec<&str> = svgs.iter().filter_map(|s| s["id"].as_str()).collect();
    for chart in [
        "bars-spawn-start",
        "scaling-spawn-start-workers",
        "bars-selftest-fault",
    ] {
        assert!(ids.contains(&chart), "{chart} in {ids:?}");
    }
    for svg in svgs {
        assert!(
            svg["width"].as_f64().unwrap_or(0.0) > 50.0
                && svg["height"].as_f64().unwrap_or(0.0) > 50.0,
            "{svg}"
        );
    }
    assert!(
        std::fs::metadata(scratch.path().join("report.png"))
            .map(|m| m.len())
            .unwrap_or(0)
            > 10_000,
        "a screenshot was taken"
    );

    // The history page of the same run: opens cleanly, fetches nothing.
    scratch
        .concbench(&[
            "history",
            "--store",
            "out/history.sqlite",
            "report",
            "-o",
            "history.html",
        ])
        .assert()
        .success();
    let found = open_in_chromium(
        &scratch.path().join("history.html"),
        &scratch.path().join("history.png"),
    );
    assert_eq!(
        found["title"],
        "concbench history — ".to_string() + &hostname(),
        "{found}"
    );
}

fn hostname() -> String {
    sysinfo::System::host_name().unwrap_or_default()
}

/// What tests/browser/check-report.mjs saw of `page`: no console or page
/// errors and no request beyond the file are asserted here.
fn open_in_chromium(page: &std::path::Path, screenshot: &std::path::Path) -> Value {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/browser/check-report.mjs"
    );
    let output = std::process::Command::new("node")
        .arg(script)
        .arg(page)
        .arg(screenshot)
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let found: Value = serde_json::from_slice(&output.stdout).expect("the checker prints JSON");
    assert_eq!(found["consoleErrors"], Value::Array(vec![]), "{found}");
    assert_eq!(found["pageErrors"], Value::Array(vec![]), "{found}");
    assert_eq!(
        found["requests"],
        Value::Array(vec![]),
        "the page fetches nothing: {found}"
    );
    found
}
