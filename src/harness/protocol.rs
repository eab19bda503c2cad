//! The measuring worker's line protocol (version 1): how a controller asks a
//! long-lived `concbench worker serve` process, of this build or another, to
//! build one point's trial, warm it up and time samples of it. The
//! interleaved gate drives two such workers, one per build, in alternation.
//!
//! Every message is one line of UTF-8. The worker speaks first:
//!
//! ```text
//! worker:     concbench-worker 1
//! controller: host                      -> host {HostInfo as JSON}
//! controller: build SCENARIO VARIANT MODEL PARAMS SLOWDOWN_PCT
//!                                       -> built | skipped REASON | error REASON
//! controller: warm WARMUP_MS TARGET_NS  -> warmed ROUNDS NS_PER_OP | error REASON
//! controller: sample ROUNDS             -> sample OPS NS [PLACEMENT] | error REASON
//! controller: verify                    -> verified {"resources":..,"metrics":..,"latency":..}
//!                                          | error REASON
//! controller: drop                      -> dropped
//! controller: quit                      (the worker exits 0)
//! ```
//!
//! PARAMS is `name=value,name=value` (as in point ids) or `-` for none.
//! PLACEMENT, where the worker observed it, is the sample's placement class
//! (`single`, `same_cpu`, `spread`, `moved`: where the point's parties ran);
//! a build that does not observe placement leaves it out, and the
//! controller then pairs its samples unstratified.
//! A worker that reads a line it does not understand answers `error ...`
//! and keeps serving.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::results::{Latency, Resources};
use crate::vocab::{Model, Params};

/// The protocol version this build speaks.
pub const VERSION: u32 = 1;
/// The first word of the worker's first line.
pub const GREETING: &str = "concbench-worker";

/// What a controller asks.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Host,
    Build(BuildSpec),
    Warm { warmup_ms: u64, target_ns: u64 },
    Sample { rounds: u64 },
    Verify,
    Drop,
    Quit,
}

/// One point, as a worker builds it.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildSpec {
    pub scenario: String,
    pub variant: String,
    pub model: Model,
    pub params: Params,
    /// Calibration: busy-wait this percentage of each timed sample's own
    /// time, inside it (the gate's `--new-slowdown-pct`).
    pub slowdown_pct: u64,
}

/// What a worker answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Hello {
        version: u32,
    },
    Host(Box<crate::host::HostInfo>),
    Built,
    Skipped(String),
    Warmed {
        rounds: u64,
        ns_per_op: f64,
    },
    Sample {
        ops: u64,
        ns: u64,
        placement: Option<crate::results::PlacementClass>,
    },
    Verified(Box<Verified>),
    Dropped,
    Error(String),
}

/// What a verified point reports besides its samples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verified {
    pub resources: Resources,
    pub metrics: BTreeMap<String, f64>,
    pub latency: Option<Latency>,
}

impl Request {
    pub fn line(&self) -> String {
        match self {
            Request::Host => "host".into(),
            Request::Build(b) => {
                let params = if b.params.0.is_empty() {
                    "-".to_string()
                } else {
                    b.params.label()
                };
                format!(
                    "build {} {} {} {params} {}",
                    b.scenario,
                    b.variant,
                    b.model.name(),
                    b.slowdown_pct
                )
            }
            Request::Warm {
                warmup_ms,
                target_ns,
            } => format!("warm {warmup_ms} {target_ns}"),
            Request::Sample { rounds } => format!("sample {rounds}"),
            Request::Verify => "verify".into(),
            Request::Drop => "drop".into(),
            Request::Quit => "quit".into(),
        }
    }

    /// Read one controller line; `Err` says what is wrong with it.
    pub fn parse(line: &str) -> Result<Request, String> {
        let words: Vec<&str> = line.split_whitespace().collect();
        Ok(match words.as_slice() {
            ["host"] => Request::Host,
            ["build", scenario, variant, model, params, slowdown] => Request::Build(BuildSpec {
                scenario: scenario.to_string(),
                variant: variant.to_string(),
                model: Model::from_name(model).ok_or(format!("unknown model `{model}`"))?,
                params: parse_params(params)?,
                slowdown_pct: number(slowdown, "slowdown")?,
            }),
            ["warm", warmup, target] => Request::Warm {
                warmup_ms: number(warmup, "warm-up")?,
                target_ns: number(target, "target")?,
            },
            ["sample", rounds] => Request::Sample {
                rounds: number(rounds, "rounds")?,
            },
            ["verify"] => Request::Verify,
            ["drop"] => Request::Drop,
            ["quit"] => Request::Quit,
            _ => return Err(format!("not a request: `{}`", clip(line))),
        })
    }
}

impl Reply {
    pub fn line(&self) -> String {
        match self {
            Reply::Hello { version } => format!("{GREETING} {version}"),
            Reply::Host(host) => format!("host {}", json_line(host.as_ref())),
            Reply::Built => "built".into(),
            Reply::Skipped(why) => format!("skipped {}", one_line(why)),
            Reply::Warmed { rounds, ns_per_op } => format!("warmed {rounds} {ns_per_op}"),
            Reply::Sample { ops, ns, placement } => match placement {
                Some(class) => format!("sample {ops} {ns} {}", class.name()),
                None => format!("sample {ops} {ns}"),
            },
            Reply::Verified(v) => format!("verified {}", json_line(v.as_ref())),
            Reply::Dropped => "dropped".into(),
            Reply::Error(why) => format!("error {}", one_line(why)),
        }
    }

    /// Read one worker line; `Err` says what is wrong with it (a worker that
    /// speaks garbage gets a one-line reason, never a panic).
    pub fn parse(line: &str) -> Result<Reply, String> {
        let (head, rest) = line
            .trim_end()
            .split_once(' ')
            .unwrap_or((line.trim_end(), ""));
        let words: Vec<&str> = rest.split_whitespace().collect();
        Ok(match (head, words.as_slice()) {
            (GREETING, [version]) => Reply::Hello {
                version: number(version, "protocol version")? as u32,
            },
            ("host", _) => Reply::Host(Box::new(
                serde_json::from_str(rest).map_err(|e| format!("host: {e}"))?,
            )),
            ("built", []) => Reply::Built,
            ("skipped", _) => Reply::Skipped(rest.to_string()),
            ("warmed", [rounds, ns]) => Reply::Warmed {
                rounds: number(rounds, "rounds")?.max(1),
                ns_per_op: ns
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite() && *v >= 0.0)
                    .ok_or(format!("warmed: `{ns}` is not a time"))?,
            },
            ("sample", [ops, ns]) => Reply::Sample {
                ops: number(ops, "ops")?,
                ns: number(ns, "ns")?,
                placement: None,
            },
            ("sample", [ops, ns, class]) => Reply::Sample {
                ops: number(ops, "ops")?,
                ns: number(ns, "ns")?,
                placement: Some(
                    crate::results::PlacementClass::from_name(class)
                        .ok_or(format!("sample: `{class}` is not a placement"))?,
                ),
            },
            ("verified", _) => Reply::Verified(Box::new(
                serde_json::from_str(rest).map_err(|e| format!("verified: {e}"))?,
            )),
            ("dropped", []) => Reply::Dropped,
            ("error", _) => Reply::Error(rest.to_string()),
            _ => return Err(format!("not a worker reply: `{}`", clip(line))),
        })
    }
}

fn parse_params(text: &str) -> Result<Params, String> {
    if text == "-" {
        return Ok(Params::default());
    }
    let mut params = Params::default();
    for pair in text.split(',') {
        let (name, value) = pair
            .split_once('=')
            .ok_or(format!("parameter `{}` is not name=value", clip(pair)))?;
        params.0.insert(name.to_string(), number(value, name)?);
    }
    Ok(params)
}

fn number(text: &str, what: &str) -> Result<u64, String> {
    text.parse()
        .map_err(|_| format!("{what}: `{}` is not a whole number", clip(text)))
}

fn json_line<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

/// A reason on one line: a newline would end the message.
fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

/// At most 80 characters of untrusted text, for a one-line error message
/// (control characters, a newline among them, shown as `?`).
pub fn clip(text: &str) -> String {
    text.chars()
        .take(80)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_request_reads_back_as_written() {
        let build = BuildSpec {
            scenario: "lock.counter".into(),
            variant: "std_mutex".into(),
            model: Model::Thread,
            params: Params([("threads".to_string(), 2), ("cs_ns".to_string(), 0)].into()),
            slowdown_pct: 10,
        };
        let requests = [
            Request::Host,
            Request::Build(build.clone()),
            Request::Build(BuildSpec {
                params: Params::default(),
                ..build
            }),
            Request::Warm {
                warmup_ms: 20,
                target_ns: 5_000_000,
            },
            Request::Sample { rounds: 7 },
            Request::Verify,
            Request::Drop,
            Request::Quit,
        ];
        for request in requests {
            assert_eq!(Request::parse(&request.line()), Ok(request.clone()));
        }
    }

    #[test]
    fn every_reply_reads_back_as_written() {
        let replies = [
            Reply::Hello { version: VERSION },
            Reply::Built,
            Reply::Skipped("workers=10: RLIMIT_NPROC".into()),
            Reply::Warmed {
                rounds: 12,
                ns_per_op: 41.5,
            },
            Reply::Sample {
                ops: 9,
                ns: 1234,
                placement: None,
            },
            Reply::Sample {
                ops: 9,
                ns: 1234,
                placement: Some(crate::results::PlacementClass::SameCpu),
            },
            Reply::Verified(Box::new(Verified {
                resources: Resources::default(),
                metrics: BTreeMap::from([("x".to_string(), 1.5)]),
                latency: None,
            })),
            Reply::Dropped,
            Reply::Error("a\nb".into()),
        ];
        for reply in replies {
            let line = reply.line();
            assert!(!line.contains('\n'), "{line}");
            let back = Reply::parse(&line).expect("parses");
            match (&reply, &back) {
                (Reply::Error(_), Reply::Error(text)) => assert_eq!(text, "a b"),
                _ => assert_eq!(back, reply),
            }
        }
    }

    #[test]
    fn garbage_gets_a_reason_not_a_panic() {
        for line in [
            "",
            "sample",
            "sample x 3",
            "sample 1 2 3",
            "warmed 3 NaN",
            "warmed 3 -1",
            "verified {not json",
            "concbench-worker two",
            "\u{0}\u{ffff}",
        ] {
            assert!(Reply::parse(line).is_err(), "{line:?}");
        }
        for line in [
            "",
            "build a b c",
            "build a b nope k=1 0",
            "build a b thread k 0",
            "sample -1",
        ] {
            assert!(Request::parse(line).is_err(), "{line:?}");
        }
    }
}
