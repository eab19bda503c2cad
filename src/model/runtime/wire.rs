//! The words of `concbench-runtime/1`, the line protocol between the harness
//! and a worker program in another runtime (CPython, or any program that
//! speaks it): parsing each kind of answer, so that garbage, another
//! version or a short count becomes one clear error, never a panic.

use crate::vocab::Sample;

/// The protocol and version this build speaks.
pub const PROTOCOL: &str = "concbench-runtime/1";
/// The longest answer line read; a worker printing more speaks garbage.
pub const MAX_LINE: usize = 64 * 1024;

/// What a worker says of itself when it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hello {
    /// `cpython`, `node`, ...
    pub runtime: String,
    pub version: String,
    /// Whether a global interpreter lock is on (None: the runtime has none).
    pub gil: Option<bool>,
}

/// An answer to `setup`, `verify` or `quit`-less commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// `ready` or `ok`, with whatever followed the word.
    Fine(String),
    /// `skip <reason>`: the runtime cannot do this workload here.
    Skip(String),
    /// `error <reason>`.
    Error(String),
}

/// A line shortened for an error message (workers may print anything).
pub fn shown(line: &str) -> String {
    let clean: String = line
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .take(120)
        .collect();
    if line.chars().count() > 120 {
        format!("{clean}…")
    } else {
        clean
    }
}

/// `hello concbench-runtime/1 runtime=<name> version=<v> gil=<on|off|none>`.
pub fn parse_hello(line: &str) -> Result<Hello, String> {
    let mut words = line.split(' ');
    if words.next() != Some("hello") {
        return Err(format!(
            "expected `hello {PROTOCOL} ...` first, got `{}`",
            shown(line)
        ));
    }
    match words.next() {
        Some(PROTOCOL) => {}
        Some(other) if other.starts_with("concbench-runtime/") => {
            return Err(format!(
                "the worker speaks {}, this concbench speaks {PROTOCOL}",
                shown(other)
            ));
        }
        _ => return Err(format!("not a {PROTOCOL} greeting: `{}`", shown(line))),
    }
    let (mut runtime, mut version, mut gil) = (None, None, None);
    for word in words {
        let (key, value) = word
            .split_once('=')
            .ok_or_else(|| format!("`{}` in the greeting is not key=value", shown(word)))?;
        match key {
            "runtime" => runtime = Some(value.to_string()),
            "version" => version = Some(value.to_string()),
            "gil" => {
                gil = Some(match value {
                    "on" => Some(true),
                    "off" => Some(false),
                    "none" => None,
                    _ => return Err(format!("gil={} is not on, off or none", shown(value))),
                })
            }
            _ => {} // later minor additions are ignored
        }
    }
    Ok(Hello {
        runtime: runtime
            .filter(|r| !r.is_empty())
            .ok_or("the greeting names no runtime=")?,
        version: version.unwrap_or_default(),
        gil: gil.unwrap_or(None),
    })
}

/// `ready`/`ok` [...], `skip <reason>` or `error <reason>`; `fine` is the
/// word this command answers with when it went well.
pub fn parse_reply(line: &str, fine: &str) -> Result<Reply, String> {
    let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
    match word {
        w if w == fine => Ok(Reply::Fine(rest.to_string())),
        "skip" => Ok(Reply::Skip(shown(rest))),
        "error" => Ok(Reply::Error(shown(rest))),
        _ => Err(format!(
            "expected `{fine}`, `skip` or `error`, got `{}`",
            shown(line)
        )),
    }
}

/// A finished run: its sample, and the CPU time the worker and its
/// children used for it, when the worker reports it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Done {
    pub sample: Sample,
    pub cpu_ns: Option<u64>,
}

/// `done ops=<u64> ns=<u64> [cpu_ns=<u64>]` (ops and ns above zero), or
/// the worker's error.
pub fn parse_done(line: &str) -> Result<Done, String> {
    match parse_reply(line, "done")? {
        Reply::Fine(rest) => {
            let (mut ops, mut ns, mut cpu_ns) = (None, None, None);
            for word in rest.split(' ').filter(|w| !w.is_empty()) {
                let number = |v: &str| {
                    v.parse::<u64>()
                        .map_err(|_| format!("`{}` in `done` is not a count", shown(word)))
                };
                match word.split_once('=') {
                    Some(("ops", v)) => ops = Some(number(v)?),
                    Some(("ns", v)) => ns = Some(number(v)?),
                    Some(("cpu_ns", v)) => cpu_ns = Some(number(v)?),
                    _ => {}
                }
            }
            match (ops, ns) {
                (Some(ops), Some(ns)) if ops > 0 && ns > 0 => Ok(Done {
                    sample: Sample { ops, ns },
                    cpu_ns,
                }),
                (Some(_), Some(_)) => Err(format!("`{}`: ops and ns must be above 0", shown(line))),
                _ => Err(format!("`{}` lacks ops= or ns=", shown(line))),
            }
        }
        Reply::Skip(why) => Err(format!("the worker skipped a run it had set up: {why}")),
        Reply::Error(why) => Err(format!("the worker failed: {why}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_greeting_gives_runtime_version_and_gil() {
        let hello = parse_hello("hello concbench-runtime/1 runtime=cpython version=3.13.1 gil=off")
            .unwrap();
        assert_eq!(hello.runtime, "cpython");
        assert_eq!(hello.version, "3.13.1");
        assert_eq!(hello.gil, Some(false));
        let none =
            parse_hello("hello concbench-runtime/1 runtime=node version=22 gil=none").unwrap();
        assert_eq!(none.gil, None);
    }

    #[test]
    fn another_version_or_garbage_is_named() {
        let other = parse_hello("hello concbench-runtime/2 runtime=cpython").unwrap_err();
        assert!(other.contains("speaks concbench-runtime/2"), "{other}");
        assert!(parse_hello("Traceback (most recent call last):").is_err());
        assert!(parse_hello("hello concbench-runtime/1 version=1").is_err());
        assert!(parse_hello("hello concbench-runtime/1 runtime=x gil=maybe").is_err());
    }

    #[test]
    fn done_needs_both_counts_above_zero() {
        assert_eq!(
            parse_done("done ops=64 ns=1200").unwrap(),
            Done {
                sample: Sample { ops: 64, ns: 1200 },
                cpu_ns: None
            }
        );
        assert_eq!(
            parse_done("done ops=1 ns=9 cpu_ns=18").unwrap().cpu_ns,
            Some(18)
        );
        for bad in [
            "done ops=0 ns=5",
            "done ops=5",
            "done ops=x ns=1",
            "done",
            "ok",
            "garbage",
        ] {
            assert!(parse_done(bad).is_err(), "{bad}");
        }
        let failed = parse_done("error ValueError: boom").unwrap_err();
        assert!(failed.contains("ValueError: boom"), "{failed}");
    }

    #[test]
    fn replies_keep_their_reason() {
        assert_eq!(
            parse_reply("ready", "ready").unwrap(),
            Reply::Fine(String::new())
        );
        assert_eq!(
            parse_reply("skip no fork here", "ready").unwrap(),
            Reply::Skip("no fork here".into())
        );
        assert!(parse_reply("readyy", "ready").is_err());
        assert_eq!(shown("a\u{7}b"), "a?b");
    }
}
