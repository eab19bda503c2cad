//! Ctrl-C / SIGTERM and abandoned points: the run stops promptly, keeps what
//! it measured, and leaves no child processes or scratch files behind.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::support::{FAST_RUN, Scratch};

/// (pid, start time) of every process whose parent is `parent`.
fn children_of(parent: u32) -> Vec<(u32, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // Fields after the parenthesised command name: state ppid ... starttime (22nd).
        let Some(rest) = stat.rsplit_once(") ").map(|(_, r)| r) else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if fields.get(1) == Some(&parent.to_string().as_str()) {
            found.push((pid, fields.get(19).unwrap_or(&"").to_string()));
        }
    }
    found
}

/// Whether the process `pid` that started at `start` still exists.
fn still_there(pid: u32, start: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let rest = stat.rsplit_once(") ")?.1.to_string();
            Some(rest.split_whitespace().nth(19)? == start)
        })
        .unwrap_or(false)
}

fn wait_for(what: &str, limit: Duration, mut ready: impl FnMut() -> bool) {
    let started = Instant::now();
    while !ready() {
        assert!(started.elapsed() < limit, "waited {limit:?} for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// `concbench run` of `suite` in the background, inside `scratch`, with
/// `TMPDIR` set to `tmp` when given.
fn start_run(scratch: &Scratch, suite: &str, tmp: Option<&Path>) -> std::process::Child {
    let config = scratch.file("suite.toml", suite);
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_concbench"));
    command
        .current_dir(scratch.path())
        .args(["run", "--config", config.to_str().unwrap(), "--out", "out"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if let Some(tmp) = tmp {
        command.env("TMPDIR", tmp);
    }
    command.spawn().expect("concbench starts")
}

#[test]
fn sigterm_stops_the_run_keeps_results_and_leaves_nothing_behind() {
    let scratch = Scratch::new();
    let tmp = scratch.path().join("tmp");
    std::fs::create_dir(&tmp).expect("tmp dir");
    let suite = format!(
        "{FAST_RUN}\n[[scenario]]\nid = \"spawn.start\"\nvariants = [\"std_thread\"]\nparams = {{ workers = 5 }}\n\n\
         [[scenario]]\nid = \"spawn.sleepers\"\nvariants = [\"fork\"]\nparams = {{ workers = 20, sleep_ms = 60000 }}\n\n\
         [[scenario]]\nid = \"spawn.start\"\nvariants = [\"scoped_thread\"]\nparams = {{ workers = 6 }}\n"
    );
    // workers = 6 keeps the third point out of the first one's paired
    // group: measured after the sleepers, it is the one left unrun.
    let mut child = start_run(&scratch, &suite, Some(&tmp));
    let pid = child.id();
    // The sleepers point is running once 20 forked sleepers exist.
    wait_for("the forked sleepers", Duration::from_secs(30), || {
        children_of(pid).len() >= 20
    });
    let before = children_of(pid);
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .expect("signal sent");
    // The sleepers sleep 60 s: a run that abandons the point stops long
    // before that, one that waited for them would not. (How quickly it
    // stops is a speed, not behaviour: no tighter bound here.)
    wait_for("concbench to exit", Duration::from_secs(30), || {
        matches!(child.try_wait(), Ok(Some(_)))
    });
    let status = child.wait().expect("concbench exits");
    assert_eq!(status.code(), Some(128 + 15), "exit code after SIGTERM");
    let left: Vec<_> = before.iter().filter(|(p, s)| still_there(*p, s)).collect();
    assert!(left.is_empty(), "children left behind: {left:?}");
    assert!(
        entries(&tmp).is_empty(),
        "scratch files left: {:?}",
        entries(&tmp)
    );
    let prefix = format!("concbench-{pid}-");
    for dir in ["/dev/shm", "/dev/mqueue"] {
        let left: Vec<String> = entries(Path::new(dir))
            .into_iter()
            .filter(|name| name.starts_with(&prefix))
            .collect();
        assert!(left.is_empty(), "{dir} still holds {left:?}");
    }

    let dirs = scratch.run_dirs("out");
    let results: Value = serde_json::from_str(
        &std::fs::read_to_string(dirs[0].join("results.json")).expect("results.json written"),
    )
    .expect("JSON");
    let points = results["results"].as_array().expect("points");
    let statuses: Vec<&str> = points
        .iter()
        .map(|p| p["status"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(statuses, ["ok", "failed", "skipped"], "{points:#?}");
    assert!(
        points[1]["error"]
            .as_str()
            .unwrap_or("")
            .contains("SIGTERM")
    );
    assert!(dirs[0].join("report.html").exists(), "the report is drawn");
}

#[test]
fn a_timed_out_point_has_its_children_killed_and_the_run_goes_on() {
    let scratch = Scratch::new();
    let suite = format!(
        "{FAST_RUN}\n[[scenario]]\nid = \"spawn.sleepers\"\nvariants = [\"fork\"]\nparams = {{ workers = 10, sleep_ms = 60000 }}\nrun = {{ timeout = \"500ms\" }}\n\n\
         [[scenario]]\nid = \"spawn.sleepers\"\nvariants = [\"fork\"]\nparams = {{ workers = 3, sleep_ms = 300 }}\n"
    );
    let mut child = start_run(&scratch, &suite, None);
    let pid = child.id();
    wait_for("the forked sleepers", Duration::from_secs(30), || {
        children_of(pid).len() >= 10
    });
    let stuck = children_of(pid);
    let status = child.wait().expect("concbench exits");
    assert_eq!(status.code(), Some(3), "a timed-out point fails the run");
    let left: Vec<_> = stuck.iter().filter(|(p, s)| still_there(*p, s)).collect();
    assert!(
        left.is_empty(),
        "children of the timed-out point left: {left:?}"
    );
    let dirs = scratch.run_dirs("out");
    let results: Value = serde_json::from_str(
        &std::fs::read_to_string(dirs[0].join("results.json")).expect("results.json written"),
    )
    .expect("JSON");
    let statuses: Vec<&str> = results["results"]
        .as_array()
        .expect("points")
        .iter()
        .map(|p| p["status"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(statuses, ["timed_out", "ok"]);
}

#[test]
fn after_kill_9_the_streamed_results_still_make_a_report() {
    let scratch = Scratch::new();
    let suite = format!(
        "{FAST_RUN}\n[[scenario]]\nid = \"spawn.start\"\nvariants = [\"std_thread\", \"rayon\"]\nparams = {{ workers = 5 }}\n\n\
         [[scenario]]\nid = \"spawn.sleepers\"\nvariants = [\"tokio\"]\nparams = {{ workers = 5, sleep_ms = 60000 }}\n"
    );
    let mut child = start_run(&scratch, &suite, None);
    // Header plus the two spawn.start points: the sleepers point is running.
    let jsonl = || {
        scratch
            .run_dirs("out")
            .first()
            .map(|d| d.join("results.jsonl"))
    };
    wait_for("two finished points", Duration::from_secs(30), || {
        jsonl()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .is_some_and(|text| text.lines().count() >= 3)
    });
    child.kill().expect("SIGKILL sent");
    child.wait().expect("reaped");
    let jsonl = jsonl().expect("results.jsonl");
    let output = scratch
        .concbench(&["report", jsonl.to_str().unwrap(), "-o", "after-kill.html"])
        .output()
        .expect("report runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let html = std::fs::read_to_string(scratch.path().join("after-kill.html")).expect("report");
    assert!(html.contains("spawn.start/std_thread/thread/workers=5"));
    assert!(html.contains("spawn.start/rayon/pool/workers=5"));
    assert!(
        !html.contains("spawn.sleepers/tokio/async"),
        "no point is invented"
    );
}

#[test]
fn after_kill_9_no_forked_child_is_left_behind() {
    let scratch = Scratch::new();
    let suite = format!(
        "{FAST_RUN}\n[[scenario]]\nid = \"spawn.sleepers\"\nvariants = [\"fork\"]\nparams = {{ workers = 5, sleep_ms = 60000 }}\n"
    );
    let mut child = start_run(&scratch, &suite, None);
    let pid = child.id();
    wait_for("the forked sleepers", Duration::from_secs(30), || {
        children_of(pid).len() >= 5
    });
    let sleepers = children_of(pid);
    child.kill().expect("SIGKILL sent");
    child.wait().expect("reaped");
    wait_for(
        "the sleepers to die with their parent",
        Duration::from_secs(10),
        || sleepers.iter().all(|(p, s)| !still_there(*p, s)),
    );
}

/// `compare --base-bin B --new-bin B` of `suite` in the background, its
/// stderr piped (the progress lines say which point it is on).
fn start_compare(scratch: &Scratch, suite: &str) -> std::process::Child {
    let config = scratch.file("suite.toml", suite);
    let binary = env!("CARGO_BIN_EXE_concbench");
    std::process::Command::new(binary)
        .current_dir(scratch.path())
        .args(["compare", "--base-bin", binary, "--new-bin", binary])
        .args(["--config", config.to_str().unwrap()])
        .args(["--threshold", "50", "--budget", "2m", "--seed", "7"])
        .args(["--out", "out"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("concbench starts")
}

#[test]
fn ctrl_c_during_compare_keeps_the_verdicts_reached_and_the_rest_is_interrupted() {
    use std::io::BufRead;
    let scratch = Scratch::new();
    // A point decided quickly, one that hangs until its 60 s timeout, and
    // one never reached.
    let suite = "[[scenario]]\nid = \"cpu.split\"\nvariants = [\"serial\"]\n\
                 params = { k = 1, chunks = 2, points = 2000 }\n\n\
                 [[scenario]]\nid = \"selftest.fault\"\nvariants = [\"hang\"]\nrun = { timeout = \"60s\" }\n\n\
                 [[scenario]]\nid = \"selftest.fault\"\nvariants = [\"ok\"]\n";
    let mut child = start_compare(&scratch, suite);
    let pid = child.id();
    let stderr = child.stderr.take().expect("stderr piped");
    let mut lines = std::io::BufReader::new(stderr).lines();
    // The first point is settled; the second one's block has begun.
    let first = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|line| line.starts_with("[screening 1: 1/3]"))
        .expect("the first point's progress line");
    assert!(first.contains("unchanged"), "{first}");
    wait_for(
        "the hanging point's workers",
        Duration::from_secs(30),
        || children_of(pid).len() >= 2,
    );
    std::thread::sleep(Duration::from_millis(300));
    let workers = children_of(pid);
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .expect("signal sent");
    // The hanging point would hold it 60 s.
    wait_for("concbench to exit", Duration::from_secs(30), || {
        matches!(child.try_wait(), Ok(Some(_)))
    });
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.wait().expect("concbench exits");
    assert_eq!(
        status.code(),
        Some(128 + 2),
        "exit code after SIGINT: {rest:?}"
    );
    assert!(
        rest.iter().any(|l| l.contains("interrupted by SIGINT")),
        "says so: {rest:?}"
    );
    let left: Vec<_> = workers.iter().filter(|(p, s)| still_there(*p, s)).collect();
    assert!(left.is_empty(), "workers left behind: {left:?}");

    let dir = &scratch.run_dirs("out")[0];
    let read = |name: &str| -> Value {
        let text = std::fs::read_to_string(dir.join(name))
            .unwrap_or_else(|e| panic!("{name} written: {e}"));
        serde_json::from_str(&text).expect("JSON")
    };
    let gate = read("gate.json");
    let points = gate["points"].as_array().expect("points");
    assert_eq!(points.len(), 3, "{gate:#}");
    assert_eq!(
        points[0]["verdict"], "unchanged",
        "decided before: {gate:#}"
    );
    for point in &points[1..] {
        assert_eq!(point["verdict"], "not_comparable", "{point:#}");
        let note = point["note"].as_str().unwrap_or("");
        assert!(note.contains("interrupted by SIGINT"), "{note}");
    }
    for side in ["base.json", "new.json"] {
        let results = read(side);
        let statuses: Vec<&str> = results["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|p| p["status"].as_str().unwrap_or("?"))
            .collect();
        assert_eq!(statuses, ["ok", "skipped", "skipped"], "{side}");
    }
    assert!(dir.join("gate.md").exists());
}
