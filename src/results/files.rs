//! Results on disk: reading results.json or a (possibly torn) results.jsonl
//! with its schema checked, writing results.json atomically, and streaming
//! results.jsonl as a run measures.

use std::io::{BufRead, Write};
use std::path::Path;

use serde::Serialize;

use super::schema::{Header, PointResult, RunResults, SCHEMA, SCHEMA_V1, Summary};
use crate::error::{BadInput, WriteFailed};

impl RunResults {
    /// Read a results.json, or a results.jsonl (a header line then one line
    /// per point, as a run streams it; a torn last line is ignored).
    pub fn read(path: &Path) -> Result<RunResults, BadInput> {
        let bad = |message: String| BadInput::Results {
            path: path.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| bad(format!("cannot read: {e}")))?;
        let is_lines = path.extension().is_some_and(|e| e == "jsonl");
        RunResults::parse(&text, is_lines, path)
    }

    /// Parse the text of a results file (`is_lines`: the .jsonl stream form);
    /// `path` only names the file in errors.
    pub fn parse(text: &str, is_lines: bool, path: &Path) -> Result<RunResults, BadInput> {
        let bad = |message: String| BadInput::Results {
            path: path.to_path_buf(),
            message,
        };
        if is_lines {
            read_lines(text, bad)
        } else {
            read_whole(text, bad)
        }
    }

    /// Write results.json atomically: a temporary file, then a rename.
    pub fn write_atomic(&self, path: &Path) -> Result<(), WriteFailed> {
        let temporary = path.with_extension("json.tmp");
        let written = std::fs::File::create(&temporary).and_then(|mut file| {
            serde_json::to_writer_pretty(&mut file, self)?;
            file.write_all(b"\n")?;
            file.sync_all()
        });
        written
            .and_then(|()| std::fs::rename(&temporary, path))
            .map_err(|e| WriteFailed::new(path, e))
    }
}

/// Which schema a file is in: Ok(true) for the previous one (v1), whose
/// summaries are recomputed on reading (`upgrade_v1`).
fn check_schema(
    value: &serde_json::Value,
    bad: &impl Fn(String) -> BadInput,
) -> Result<bool, BadInput> {
    match value.get("schema").and_then(|s| s.as_str()) {
        Some(SCHEMA) => Ok(false),
        Some(SCHEMA_V1) => Ok(true),
        Some(other) => Err(bad(format!(
            "schema `{other}` is not supported (this concbench reads `{SCHEMA}` and `{SCHEMA_V1}`)"
        ))),
        None => Err(bad(format!(
            "not a concbench results file (no `schema` field; expected `{SCHEMA}`)"
        ))),
    }
}

fn read_whole(text: &str, bad: impl Fn(String) -> BadInput) -> Result<RunResults, BadInput> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| bad(format!("not valid JSON: {e}")))?;
    let v1 = check_schema(&value, &bad)?;
    let mut results: RunResults = serde_json::from_value(value)
        .map_err(|e| bad(format!("does not match schema {SCHEMA}: {e}")))?;
    if v1 {
        upgrade_v1(&mut results.results);
    }
    Ok(results)
}

/// A v1 file's points as v2 has them: each summary recomputed from the
/// point's samples, so that its interval is the order-statistic one (v1's
/// bootstrap called [min, max] of 2-5 samples a 95% interval), and the
/// speed-up intervals of points with fewer than 6 samples dropped, for the
/// same reason.
fn upgrade_v1(points: &mut [PointResult]) {
    for point in points {
        if point.summary.is_some() && !point.samples.is_empty() {
            point.summary = Some(Summary::of(&point.samples));
        }
        if point.samples.len() < crate::stats::MIN_FOR_INTERVAL {
            for name in [
                "speedup_lo",
                "speedup_hi",
                "parallel_efficiency_lo",
                "parallel_efficiency_hi",
            ] {
                point.metrics.remove(name);
            }
        }
    }
}

fn read_lines(text: &str, bad: impl Fn(String) -> BadInput) -> Result<RunResults, BadInput> {
    let mut lines = text
        .as_bytes()
        .lines()
        .map_while(Result::ok)
        .filter(|l| !l.trim().is_empty());
    let first = lines
        .next()
        .ok_or_else(|| bad("empty results file".into()))?;
    let value: serde_json::Value =
        serde_json::from_str(&first).map_err(|e| bad(format!("line 1 is not valid JSON: {e}")))?;
    let v1 = check_schema(&value, &bad)?;
    let header: Header = serde_json::from_value(value)
        .map_err(|e| bad(format!("line 1 is not a results header: {e}")))?;
    let rest: Vec<String> = lines.collect();
    let mut results = Vec::with_capacity(rest.len());
    for (index, line) in rest.iter().enumerate() {
        match serde_json::from_str::<PointResult>(line) {
            Ok(point) => results.push(point),
            // A run killed mid-write leaves at most one torn line, the last.
            Err(_) if index + 1 == rest.len() => {}
            Err(e) => return Err(bad(format!("line {}: {e}", index + 2))),
        }
    }
    if v1 {
        upgrade_v1(&mut results);
    }
    Ok(header.with_results(results))
}

/// results.jsonl as a run writes it: the header first, then one line per
/// point, each flushed as soon as the point finishes.
pub struct ResultsStream {
    file: std::fs::File,
    path: std::path::PathBuf,
}

impl ResultsStream {
    pub fn create(path: &Path, header: &Header) -> Result<ResultsStream, WriteFailed> {
        let mut stream = ResultsStream {
            file: std::fs::File::create(path).map_err(|e| WriteFailed::new(path, e))?,
            path: path.to_path_buf(),
        };
        stream.append(header)?;
        Ok(stream)
    }

    pub fn append(&mut self, record: &impl Serialize) -> Result<(), WriteFailed> {
        let written = serde_json::to_vec(record)
            .map_err(std::io::Error::from)
            .and_then(|mut line| {
                line.push(b'\n');
                self.file.write_all(&line)?;
                self.file.flush()
            });
        written.map_err(|e| WriteFailed::new(&self.path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Sample;

    /// A v1 results file with one point of `samples` whose summary claims
    /// a 95% interval of [1, 9] and a paired speed-up interval.
    fn v1_file(samples: usize) -> String {
        let point = serde_json::json!({
            "id": "x/v/thread", "family": "cpu", "scenario": "x", "variant": "v",
            "model": "thread", "params": {}, "status": "ok", "error": null,
            "unit": "op", "elapsed_ns": 0,
            "samples": (0..samples).map(|i| Sample { ops: 1, ns: 4 + i as u64 }).collect::<Vec<_>>(),
            "summary": {
                "ns_per_op": { "median": 5.0, "ci95_lo": 1.0, "ci95_hi": 9.0,
                               "mean": 5.0, "stddev": 1.0, "min": 4.0, "max": 6.0 },
                "ops_per_s": 2e8,
                "outliers": { "low_severe": 0, "low_mild": 0, "high_mild": 0, "high_severe": 0 }
            },
            "latency_ns": null, "resources": null, "utilisation": null,
            "metrics": { "speedup_vs_serial": 2.0, "speedup_lo": 1.5, "speedup_hi": 2.5 }
        });
        let mut whole = serde_json::to_value(RunResults {
            schema: SCHEMA_V1.into(),
            run: serde_json::from_value(serde_json::json!({
                "id": "r", "started": "", "finished": null, "tool_version": "0",
                "git_commit": null, "config": "c", "argv": []
            }))
            .expect("run info"),
            host: crate::host::HostInfo::default(),
            environment: None,
            topology: None,
            harness: serde_json::from_value(serde_json::json!({
                "sampler_interval_ms": 0, "sampler_cpu_ns": 0, "warmup_ms": 0,
                "measure_time_ms": 0, "min_samples": 0, "timeout_ms": 0
            }))
            .expect("harness info"),
            scenarios: Default::default(),
            results: Vec::new(),
        })
        .expect("serialisable");
        whole["results"] = serde_json::json!([point]);
        whole.to_string()
    }

    #[test]
    fn a_v1_file_is_read_with_its_intervals_recomputed_from_its_samples() {
        let path = Path::new("old.json");
        let three = RunResults::parse(&v1_file(3), false, path).expect("v1 is read");
        let point = &three.results[0];
        let summary = point.summary.as_ref().expect("a summary");
        assert_eq!(summary.ns_per_op.interval(), None, "three samples");
        assert_eq!(summary.ns_per_op.median, 5.0);
        assert!(!point.metrics.contains_key("speedup_lo"));
        assert_eq!(point.metrics["speedup_vs_serial"], 2.0);
        let eight = RunResults::parse(&v1_file(8), false, path).expect("v1 is read");
        let summary = eight.results[0].summary.as_ref().expect("a summary");
        assert_eq!(summary.ns_per_op.interval(), Some((4.0, 11.0)));
    }
}
