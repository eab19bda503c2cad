//! `concbench run`: plan the suite, measure each point under the harness,
//! stream every result to disk as it finishes, then write results.json and
//! show a table.

pub mod draws;
mod measure;
mod merge;

use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressStyle};

use crate::config::Suite;
use crate::error::WriteFailed;
use crate::host::{HostInfo, git_commit};
use crate::plan::{self, Overrides, Plan, Point};
use crate::results::{
    HarnessInfo, Header, PointResult, ResultsStream, RunInfo, RunResults, SCHEMA,
};
use crate::terminal;
use crate::vocab::Status;

/// What the user asked `run` to do.
#[derive(Debug, Clone, Default)]
pub struct RunRequest {
    pub config: Option<PathBuf>,
    pub filter: Option<String>,
    /// Parent folder of the run's own folder.
    pub out: PathBuf,
    pub overrides: Overrides,
    pub argv: Vec<String>,
    /// The history store whose earlier runs of this machine the findings
    /// weigh (where each point's parties ran before); None: this run only.
    pub history: Option<PathBuf>,
}

/// Where the run went and how it ended.
pub struct RunOutcome {
    pub dir: PathBuf,
    pub results: RunResults,
    /// The stop signal that cut the run short, if one did.
    pub interrupted: Option<i32>,
}

impl RunOutcome {
    /// True when every point measured ok (skipped points are not failures).
    pub fn all_ok(&self) -> bool {
        !self.results.results.iter().any(|r| r.is_failure())
    }
}

/// Check the request completely (bad input fails here, before any output),
/// then measure every point.
pub fn run(request: &RunRequest) -> anyhow::Result<RunOutcome> {
    let suite = Suite::load(request.config.as_deref())?;
    let plan = plan::build(&suite, &request.overrides, request.filter.as_deref())?;
    let started = chrono::Utc::now();
    // The folder is the first thing written: failing it is a write failure.
    let (id, dir) = crate::folders::create_run_dir(&request.out, started)
        .map_err(|e| WriteFailed::folder(&request.out, e.root_cause()))?;
    let header = Header {
        schema: SCHEMA.to_string(),
        run: RunInfo {
            id,
            started: started.to_rfc3339(),
            finished: None,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            git_commit: git_commit(),
            config: plan.config.display().to_string(),
            argv: request.argv.clone(),
        },
        host: HostInfo::detect(),
        environment: Some(crate::host::Environment::at_start()),
        topology: Some(crate::host::Topology::detect()),
        harness: harness_info(&plan),
        scenarios: plan
            .points
            .iter()
            .map(|p| (p.scenario.info().id.to_string(), p.scenario.info().meta()))
            .collect(),
    };
    let mut stream = ResultsStream::create(&dir.join("results.jsonl"), &header)?;
    let draw_base = draws::DrawRequest {
        config: request.config.clone(),
        filter: request.filter.clone(),
        overrides: request.overrides.clone(),
        group: 0,
        processes: 1,
    };
    let measured = measure_all(&plan, &draw_base, &mut stream);
    // Whatever points left behind (an abandoned point's temp dirs, FIFOs,
    // shared-memory names) goes now, before anything can fail.
    remove_leftovers();
    let (drift, drift_cost) = crate::harness::drift::take();
    let results = measured?;

    let mut header = header;
    header.run.finished = Some(chrono::Utc::now().to_rfc3339());
    if let Some(environment) = header.environment.as_mut() {
        environment.finish();
    }
    header.harness.drift = drift;
    header.harness.drift_cost_ns = drift_cost.as_nanos() as u64;
    header.harness.sampler_cpu_ns = results
        .iter()
        .filter_map(|r| r.utilisation.as_ref())
        .map(|u| u.sampler_cpu_ns)
        .sum();
    let mut all = header.with_results(results);
    if let Some(store) = &request.history
        && let Err(e) = crate::history::recall::attach(&mut all, store)
    {
        eprintln!("warning: earlier runs not read, findings weigh this run alone: {e}");
    }
    all.write_atomic(&dir.join("results.json"))?;
    // The results are safe on disk; a report that cannot be drawn is said,
    // not fatal (`concbench report` can draw it again).
    if let Err(e) = crate::report::files::write_run_reports(&all, &dir) {
        eprintln!("warning: the report could not be written: {e:#}");
    }
    Ok(RunOutcome {
        dir,
        results: all,
        interrupted: crate::interrupt::received(),
    })
}

/// Measure the plan group by group (see `plan::groups`), the drift
/// monitor probing the machine's speed before each group, between its
/// rounds, and after the last.
fn measure_all(
    plan: &Plan,
    draw_base: &draws::DrawRequest,
    stream: &mut ResultsStream,
) -> anyhow::Result<Vec<PointResult>> {
    let progress = ProgressBar::new(plan.points.len() as u64);
    progress.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {wide_msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    progress.enable_steady_tick(std::time::Duration::from_millis(200));
    let total = plan.points.len();
    let mut results: Vec<PointResult> = Vec::with_capacity(total);
    crate::harness::drift::start();
    crate::harness::drift::probe_now();
    for (index, members) in plan::groups::paired_groups(&plan.points)
        .into_iter()
        .enumerate()
    {
        let points: Vec<Point> = members.iter().map(|&i| plan.points[i].clone()).collect();
        let label = plan::groups::group_key(&points[0]).unwrap_or_default();
        progress.set_message(if points.len() > 1 {
            format!("{label} ({} points in interleaved rounds)", points.len())
        } else {
            points[0].id()
        });
        let first_probe = crate::harness::drift::count();
        let processes = points
            .iter()
            .map(|p| p.settings.processes)
            .max()
            .unwrap_or(1);
        let group = if processes > 1 && crate::interrupt::received().is_none() {
            draws::measure_in_processes(draw_base, index, &points, processes)
        } else {
            measure::measure_group(&points, &label)
        };
        crate::harness::drift::probe_now();
        let probes = crate::harness::drift::probes_since(first_probe);
        let moved = crate::harness::drift::spread(&probes);
        let wide_moved = crate::harness::drift::wide_spread(&probes);
        let busy =
            crate::harness::drift::busy_pct(&probes, &crate::harness::drift::probes_since(0));
        for (point, mut result) in points.iter().zip(group) {
            if result.status == Status::Ok {
                // With fewer than 3 probes, no figure: too few probes.
                let metrics = &mut result.metrics;
                metrics.insert("machine_drift_probes".into(), probes.len() as f64);
                if let Some(moved) = moved {
                    metrics.insert("machine_drift_pct".into(), moved);
                }
                if let Some(moved) = wide_moved {
                    metrics.insert("machine_wide_drift_pct".into(), moved);
                }
                if let Some(busy) = busy {
                    metrics.insert("machine_busy_pct".into(), busy);
                }
            }
            let throughput_vs = point.scenario.info().throughput_vs;
            crate::harness::relative::add_speedup(&mut result, &results, throughput_vs);
            stream.append(&result)?;
            let done = results.len() + 1;
            let line = format!("[{done}/{total}] {}", terminal::one_line(&result));
            if progress.is_hidden() {
                eprintln!("{line}");
            } else {
                progress.println(line);
            }
            progress.inc(1);
            results.push(result);
        }
    }
    progress.finish_and_clear();
    Ok(results)
}

fn harness_info(plan: &Plan) -> HarnessInfo {
    let s = &plan.settings;
    HarnessInfo {
        sampler_interval_ms: s.sampler_interval.as_millis() as u64,
        sampler_cpu_ns: 0,
        warmup_ms: s.warmup.as_millis() as u64,
        measure_time_ms: s.measure_time.as_millis() as u64,
        min_samples: s.min_samples,
        timeout_ms: s.timeout.as_millis() as u64,
        drift: Vec::new(),
        drift_cost_ns: 0,
    }
}

/// What a run leaves behind that must go however it ends: its scratch files
/// and names, the sampler process.
fn remove_leftovers() {
    crate::model::scratch::remove_all();
    crate::harness::sampler::shutdown();
}

/// Stop at once (a second Ctrl-C, through `interrupt::install`): kill the
/// running point's children, then remove what the run left behind.
pub fn abandon() {
    crate::model::group::kill_current();
    remove_leftovers();
}
