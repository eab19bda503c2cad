//! A paired group measured in several fresh processes (the `processes`
//! setting): what one process draws once, where its memory lands and where
//! the scheduler puts its threads, is then averaged, and the process is the
//! unit of every interval. Each process is a `concbench worker draw` child
//! that plans the same suite, measures the one group with its share of the
//! rounds (its own set-up and warm-up) and prints the group's results as
//! JSON lines; this side merges them, tagging each sample with its process.

use std::io::{BufRead, Write};
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};

use crate::plan::{self, Overrides, Point};
use crate::results::PointResult;

/// What a `worker draw` child is asked to measure.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DrawRequest {
    pub config: Option<std::path::PathBuf>,
    pub filter: Option<String>,
    pub overrides: Overrides,
    /// The group's index among `plan::groups::paired_groups` of the plan.
    pub group: usize,
    /// How many processes share the group's rounds.
    pub processes: u64,
}

/// In the child: read one request from `input`, measure its group with a
/// share of the rounds, and print each point's result as a JSON line.
/// Returns the exit code (2: a request it cannot serve, with the reason
/// on stderr).
pub fn serve_draw(mut input: impl BufRead, mut output: impl Write) -> i32 {
    let mut line = String::new();
    let request: DrawRequest = match input
        .read_line(&mut line)
        .map_err(|e| e.to_string())
        .and_then(|_| serde_json::from_str(&line).map_err(|e| e.to_string()))
    {
        Ok(request) => request,
        Err(why) => {
            eprintln!("worker draw: not a draw request: {why}");
            return 2;
        }
    };
    let points = match group_points(&request) {
        Ok(points) => points,
        Err(why) => {
            eprintln!("worker draw: {why}");
            return 2;
        }
    };
    let label = plan::groups::group_key(&points[0]).unwrap_or_default();
    // Probe the machine between this process's rounds, as the run does
    // between its own: the run reads them back from the last line.
    crate::harness::drift::start();
    let results = super::measure::measure_group(&points, &label);
    let (probes, cost) = crate::harness::drift::take();
    let drift = DriftLine {
        drift: probes,
        drift_cost_ns: cost.as_nanos().min(u128::from(u64::MAX)) as u64,
    };
    let lines = results
        .iter()
        .map(serde_json::to_string)
        .chain(std::iter::once(serde_json::to_string(&drift)));
    for line in lines {
        let written = line
            .map_err(std::io::Error::other)
            .and_then(|json| writeln!(output, "{json}"));
        if written.is_err() {
            return 1;
        }
    }
    0
}

/// A child's last line: the drift probes it took between its rounds, each
/// `at_ms` from when it began watching, and what they cost.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DriftLine {
    pub drift: Vec<crate::results::DriftProbe>,
    pub drift_cost_ns: u64,
}

/// What one child measured: its group's results, and its drift probes
/// when it sent them.
pub type Drawn = (Vec<PointResult>, Option<DriftLine>);

/// The request's group, its points' settings cut to one process's share:
/// a share of the measuring time and of the samples (at least one each).
fn group_points(request: &DrawRequest) -> Result<Vec<Point>, String> {
    let suite = crate::config::Suite::load(request.config.as_deref()).map_err(|e| e.to_string())?;
    let plan = plan::build(&suite, &request.overrides, request.filter.as_deref())
        .map_err(|e| e.to_string())?;
    let groups = plan::groups::paired_groups(&plan.points);
    let members = groups
        .get(request.group)
        .ok_or_else(|| format!("the plan has no group {}", request.group))?;
    let share = request.processes.max(1);
    Ok(members
        .iter()
        .map(|&i| {
            let mut point = plan.points[i].clone();
            let s = &mut point.settings;
            s.measure_time /= share as u32;
            s.min_samples = s.min_samples.div_ceil(share).max(1);
            point
        })
        .collect())
}

/// In the run: measure `points` (group `group` of the plan the run made
/// from `base`) in `processes` fresh processes, one after another, and
/// merge what they measured.
pub fn measure_in_processes(
    base: &DrawRequest,
    group: usize,
    points: &[Point],
    processes: u64,
) -> Vec<PointResult> {
    let request = DrawRequest {
        group,
        processes,
        ..base.clone()
    };
    let draws: Vec<Result<Vec<PointResult>, String>> = (0..processes)
        .map(|_| {
            let began = std::time::Instant::now();
            let drawn = one_process(&request).map(|(results, drift)| {
                if let Some(line) = drift {
                    let cost = std::time::Duration::from_nanos(line.drift_cost_ns);
                    crate::harness::drift::absorb(&line.drift, began, cost);
                }
                results
            });
            crate::harness::drift::probe_now();
            drawn
        })
        .collect();
    super::merge::merge(points, draws)
}

/// One `worker draw` child: its results, or why there are none.
fn one_process(request: &DrawRequest) -> Result<Drawn, String> {
    let mut child = Command::new(crate::model::worker::worker_binary())
        .args(crate::model::worker::WorkerTask::Draw.args())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start a draw process: {e}"))?;
    let line = serde_json::to_string(request).map_err(|e| e.to_string())?;
    if let Some(mut stdin) = child.stdin.take() {
        writeln!(stdin, "{line}").map_err(|e| format!("the draw process would not read: {e}"))?;
    }
    let output = child
        .wait_with_output()
        .map_err(|e| format!("the draw process was lost: {e}"))?;
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stderr);
        return Err(format!(
            "the draw process exited with {}: {}",
            output.status,
            said.trim().lines().last().unwrap_or("")
        ));
    }
    read_child_output(&String::from_utf8_lossy(&output.stdout))
}

/// A child's output: a result per line, then its drift line (children
/// of builds before it send none).
pub fn read_child_output(text: &str) -> Result<Drawn, String> {
    let mut lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let drift = match lines.last().map(|l| serde_json::from_str::<DriftLine>(l)) {
        Some(Ok(line)) => {
            lines.pop();
            Some(line)
        }
        _ => None,
    };
    let results = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l)
                .map_err(|e| format!("the draw process's line {} is not a result: {e}", i + 1))
        })
        .collect::<Result<Vec<PointResult>, String>>()?;
    Ok((results, drift))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_the_child_cannot_read_or_serve_exits_2() {
        let mut out = Vec::new();
        assert_eq!(serve_draw(&b"{not json\n"[..], &mut out), 2);
        let request = DrawRequest {
            config: Some("/nonexistent/suite.toml".into()),
            filter: None,
            overrides: Overrides::default(),
            group: 0,
            processes: 2,
        };
        let line = format!("{}\n", serde_json::to_string(&request).expect("json"));
        assert_eq!(serve_draw(line.as_bytes(), &mut out), 2);
        assert!(out.is_empty(), "nothing printed for a request not served");
    }

    #[test]
    fn a_child_s_drift_line_is_read_apart_from_its_results_and_garbage_is_refused() {
        let drift = r#"{"drift":[{"at_ms":3,"ns_per_step":1.3,"wide_ns_per_step":1.0}],"drift_cost_ns":400}"#;
        let (results, line) =
            read_child_output(&format!("\n{drift}\n")).expect("a drift line alone");
        assert!(results.is_empty());
        let line = line.expect("drift read");
        assert_eq!((line.drift.len(), line.drift_cost_ns), (1, 400));
        assert_eq!(line.drift[0].wide_ns_per_step, Some(1.0));
        // No drift line (an older child): no probes, not an error.
        assert!(matches!(read_child_output(""), Ok((r, None)) if r.is_empty()));
        // A drift line anywhere but last, or garbage, is not a result.
        let early = read_child_output(&format!("{drift}\n{drift}\n")).expect_err("two drift lines");
        assert!(early.contains("line 1 is not a result"), "{early}");
        let garbage = read_child_output("hello\n").expect_err("garbage");
        assert!(garbage.contains("line 1 is not a result"), "{garbage}");
        let extra = r#"{"drift":[],"drift_cost_ns":1,"more":2}"#;
        assert!(
            read_child_output(extra).is_err(),
            "unknown fields are refused"
        );
    }
}
