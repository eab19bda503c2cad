//! Results on disk: reading results.json or a (possibly torn) results.jsonl
//! with its schema checked, writing results.json atomically, and streaming
//! results.jsonl as a run measures.

use std::io::{BufRead, Write};
use std::path::Path;

use serde::Serialize;

use super::schema::{Header, PointResult, RunResults, SCHEMA};
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

fn check_schema(
    value: &serde_json::Value,
    bad: &impl Fn(String) -> BadInput,
) -> Result<(), BadInput> {
    match value.get("schema").and_then(|s| s.as_str()) {
        Some(SCHEMA) => Ok(()),
        Some(other) => Err(bad(format!(
            "schema `{other}` is not supported (this concbench reads `{SCHEMA}`)"
        ))),
        None => Err(bad(format!(
            "not a concbench results file (no `schema` field; expected `{SCHEMA}`)"
        ))),
    }
}

fn read_whole(text: &str, bad: impl Fn(String) -> BadInput) -> Result<RunResults, BadInput> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| bad(format!("not valid JSON: {e}")))?;
    check_schema(&value, &bad)?;
    serde_json::from_value(value).map_err(|e| bad(format!("does not match schema {SCHEMA}: {e}")))
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
    check_schema(&value, &bad)?;
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
