//! `concbench history`: list what the store holds and the changes found,
//! add files to it, write the trend page, and the CI check (exit 1 when the
//! newest commit starts a regression beyond the threshold).

use std::fmt::Write;
use std::path::{Path, PathBuf};

use super::changes::Settings;
use super::labels::{scenario_and_family, short};
use super::machine_state;
use super::placement_shift;
use super::record;
use super::series::{self, HostHistory};
use super::store::{Added, Store};
use crate::error::BadInput;
use crate::gate::thresholds::Thresholds;
use crate::text::format_ns;

/// The store `history` reads when none is named.
pub const DEFAULT_STORE: &str = "reports/history.sqlite";

/// Add files to the store; one line per file.
pub fn add(store: &Path, files: &[PathBuf], commit: Option<&str>) -> anyhow::Result<String> {
    let records = files
        .iter()
        .map(|f| record::read(f, commit))
        .collect::<Result<Vec<_>, _>>()?;
    let mut opened = Store::open(store)?;
    let mut out = String::new();
    for (file, record) in files.iter().zip(&records) {
        let what = match opened.add(record)? {
            Added::New => "added",
            Added::AlreadyThere => "already in the store",
        };
        let count = record.figures.len() + record.verdicts.len();
        let _ = writeln!(
            out,
            "{what}: {} ({} {}, commit {}, {count} points)",
            file.display(),
            record.kind.name(),
            record.started,
            record.commit
        );
    }
    Ok(out)
}

/// Add a run just measured (`concbench run` does, unless `--no-store`).
pub fn add_run(
    store: &Path,
    results: &crate::results::RunResults,
    source: &Path,
) -> Result<String, BadInput> {
    let record = record::of_run(results, source, None);
    let added = Store::open(store)?.add(&record)?;
    Ok(match added {
        Added::New => format!(
            "history: added to {} ({} points)",
            store.display(),
            record.figures.len()
        ),
        Added::AlreadyThere => format!("history: already in {}", store.display()),
    })
}

/// The host to show: the one named (a part of its key), else the newest
/// run's host.
pub fn host_history(store: &Store, host: Option<&str>) -> Result<Option<HostHistory>, BadInput> {
    let hosts = store.hosts()?;
    let chosen = match host {
        Some(part) => hosts
            .iter()
            .find(|(key, label, _)| key.contains(part) || label == part),
        None => {
            let newest = store.recent(1)?;
            newest
                .first()
                .and_then(|run| hosts.iter().find(|(key, _, _)| *key == run.host))
        }
    };
    let Some((key, label, runs)) = chosen else {
        if let Some(part) = host {
            let known: Vec<&str> = hosts.iter().map(|(k, _, _)| k.as_str()).collect();
            return Err(BadInput::Flag {
                flag: "--host",
                message: format!(
                    "no host in the store matches `{part}` (hosts: {})",
                    known.join("; ")
                ),
            });
        }
        return Ok(None);
    };
    let rows = store.rows(key)?;
    Ok(Some(HostHistory {
        host: key.clone(),
        label: label.clone(),
        runs: *runs as usize,
        series: series::build(&rows, &Settings::default()),
    }))
}

/// `concbench history`: the newest runs, then the changes found on the
/// newest run's host, newest first.
pub fn list(store_path: &Path, limit: usize) -> anyhow::Result<String> {
    let store = Store::open(store_path)?;
    let runs = store.recent(limit)?;
    let mut out = format!("store: {}\n", store_path.display());
    if runs.is_empty() {
        out.push_str("no runs yet: `concbench run` adds each run, `concbench history add FILE` adds old ones\n");
        return Ok(out);
    }
    let _ = writeln!(
        out,
        "newest runs (the % column: wide drift probes that read slow, how busy the machine was):"
    );
    for run in &runs {
        let busy = run
            .wide_slow_share
            .map_or("-".to_string(), |s| format!("{:.0}%", 100.0 * s));
        let _ = writeln!(
            out,
            "  {:<4} {:<16} {:<12} {:>4} points  {:>4}  {}",
            run.kind.name(),
            run.started
                .get(..16)
                .unwrap_or(&run.started)
                .replace('T', " "),
            short(&run.commit),
            run.points,
            busy,
            run.host
        );
    }
    if let Some(history) = host_history(&store, None)? {
        out.push_str(&changes_text(&history, limit));
    }
    Ok(out)
}

fn changes_text(history: &HostHistory, limit: usize) -> String {
    let found = history.changes_newest_first();
    let mut out = format!(
        "changes on {} ({} runs, {} points): {}\n",
        history.host,
        history.runs,
        history.series.len(),
        found.len()
    );
    for (series, change) in found.iter().take(limit.max(1) * 2) {
        let commit = &series.commits[change.at];
        let _ = writeln!(
            out,
            "  {:<12} {:>6.2}x  {} -> {}  p {}  {}",
            short(&commit.commit),
            change.ratio,
            format_ns(change.before.median),
            format_ns(change.after.median),
            super::labels::p_text(change.p_value),
            series.point
        );
    }
    out
}

/// A regression that the newest commit starts: the point and its change.
pub struct Regression {
    pub point: String,
    pub ratio: f64,
    pub threshold_pct: f64,
    pub before: f64,
    pub after: f64,
    pub p_value: f64,
    /// Where the point's parties mostly ran before the step and after it,
    /// when that changed (`placement_shift`).
    pub placement: Option<String>,
    /// How much busier the machine was in the runs after the step, when
    /// it was (`machine_state::busier`).
    pub machine: Option<String>,
}

/// `history check`: the changes the newest commit starts that are slower
/// than the point's threshold allows.
pub fn check(
    store_path: &Path,
    host: Option<&str>,
    thresholds: &Thresholds,
    confirm: usize,
) -> anyhow::Result<(String, Vec<Regression>)> {
    let store = Store::open(store_path)?;
    let Some(history) = host_history(&store, host)? else {
        return Ok((
            format!(
                "store {}: no runs yet, nothing to check\n",
                store_path.display()
            ),
            Vec::new(),
        ));
    };
    let newest = history
        .series
        .iter()
        .filter_map(|s| s.commits.last())
        .max_by(|a, b| a.started.cmp(&b.started))
        .map(|c| c.commit.clone())
        .unwrap_or_default();
    let run_shares = store.run_busy_shares(&history.host)?;
    let mut regressions: Vec<Regression> = Vec::new();
    for s in history
        .series
        .iter()
        .filter(|s| s.commits.last().is_some_and(|c| c.commit == newest))
    {
        let Some(change) = s.newest_change(&Settings::default(), confirm) else {
            continue;
        };
        let (scenario, family) = scenario_and_family(&s.point);
        let threshold = thresholds.for_point(family, scenario, &s.point);
        if change.ratio <= 1.0 + threshold {
            continue;
        }
        let commits: Vec<&str> = s.commits.iter().map(|c| c.commit.as_str()).collect();
        let (before, after) = commits.split_at(change.at);
        let samples = store.placement_samples(&history.host, &s.point)?;
        regressions.push(Regression {
            point: s.point.clone(),
            ratio: change.ratio,
            threshold_pct: threshold * 100.0,
            before: change.before.median,
            after: change.after.median,
            p_value: change.p_value,
            placement: placement_shift::shift(&samples, before, after),
            machine: machine_state::busier(
                &run_shares,
                &store.point_busy_shares(&history.host, &s.point)?,
                before,
                after,
            ),
        });
    }
    let commit = newest.as_str();
    let mut out = format!(
        "history check on {} ({} runs): the newest commit {} completes {} regression(s) beyond the threshold, held by {} commit(s)\n",
        history.host,
        history.runs,
        short(commit),
        regressions.len(),
        confirm.max(1)
    );
    for r in &regressions {
        let _ = writeln!(
            out,
            "  REGRESSED {:.2}x (threshold {:.1}%)  {} -> {}  p {}  {}",
            r.ratio,
            r.threshold_pct,
            format_ns(r.before),
            format_ns(r.after),
            super::labels::p_text(r.p_value),
            r.point
        );
        if let Some(placement) = &r.placement {
            let _ = writeln!(
                out,
                "    its parties ran {placement}: the step may be where the scheduler put them, not the code"
            );
        }
        if let Some(machine) = &r.machine {
            let _ = writeln!(
                out,
                "    the machine was busier: {machine}: the step may be a neighbour on the host, not the code"
            );
        }
    }
    Ok((out, regressions))
}

/// Where `history report` writes.
pub struct ReportPaths {
    pub html: PathBuf,
    pub markdown: PathBuf,
}

/// `history report`: the trend page and its Markdown beside it (or where
/// asked).
pub fn report(
    store_path: &Path,
    host: Option<&str>,
    paths: &ReportPaths,
) -> anyhow::Result<String> {
    let store = Store::open(store_path)?;
    let Some(history) = host_history(&store, host)? else {
        return Err(BadInput::Store {
            path: store_path.to_path_buf(),
            message: "holds no runs yet: nothing to draw".into(),
        }
        .into());
    };
    let other_hosts = store.hosts()?;
    let verdicts = store.latest_verdicts(&history.host)?;
    let input = super::page::PageInput {
        history: &history,
        other_hosts: &other_hosts,
        verdicts: &verdicts,
        store: &store_path.display().to_string(),
    };
    let write = |path: &Path, text: String| {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| crate::error::WriteFailed::folder(parent, e))?;
        }
        std::fs::write(path, text).map_err(|e| crate::error::WriteFailed::new(path, e))
    };
    write(&paths.html, super::page::html(&input))?;
    write(&paths.markdown, super::page::markdown(&history))?;
    let changes = history
        .series
        .iter()
        .map(|s| s.changes.len())
        .sum::<usize>();
    Ok(format!(
        "trend page: {}\nsummary: {}\n{} on {} ({} runs, {} points)\n",
        paths.html.display(),
        paths.markdown.display(),
        if changes == 1 {
            "1 change".to_string()
        } else {
            format!("{changes} changes")
        },
        history.host,
        history.runs,
        history.series.len()
    ))
}
