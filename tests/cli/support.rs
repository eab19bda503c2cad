//! Shared helpers: a scratch folder, the binary, and small suite files.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// A scratch folder that is also the working directory of the command, so
/// no test reads the repository's configs/ or writes into its reports/.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().expect("a temporary folder"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Write `text` as `name` in the scratch folder and return its path.
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path().join(name);
        std::fs::write(&path, text).expect("writing a fixture");
        path
    }

    /// `concbench ARGS` run inside the scratch folder.
    pub fn concbench(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_concbench"));
        command.current_dir(self.path()).args(args);
        command
    }

    /// The run folders created under `out` (not the history store beside them).
    pub fn run_dirs(&self, out: &str) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(self.path().join(out)) else {
            return Vec::new();
        };
        let mut dirs: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        dirs
    }
}

/// Settings that keep a test run short but still give each point a few
/// samples and sampler ticks.
pub const FAST_RUN: &str = "[run]\nwarmup = \"0s\"\nmeasure_time = \"50ms\"\nmin_samples = 2\ntimeout = \"60s\"\nsampler_interval = \"10ms\"\n";

/// The whole spawn family with N = 10.
pub fn tiny_spawn_suite() -> String {
    format!(
        "{FAST_RUN}\n[[scenario]]\nid = \"spawn.start\"\nparams = {{ workers = 10 }}\n\n\
         [[scenario]]\nid = \"spawn.sleepers\"\nparams = {{ workers = 10, sleep_ms = 20 }}\n"
    )
}

/// stderr of a finished command, as text.
pub fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A suite of one scenario entry with `params`, under the FAST_RUN settings.
pub fn one_scenario(id: &str, params: &str) -> String {
    format!("{FAST_RUN}\n[[scenario]]\nid = \"{id}\"\nparams = {{ {params} }}\n")
}

/// `concbench run` on `suite` must be refused as bad input: exit 2, one
/// line on stderr holding every needle, no panic, no run folder.
pub fn refused(suite: &str, needles: &[&str]) {
    refused_with_args(suite, &[], needles);
}

/// `refused`, with `extra` arguments after `run --config F --out out`.
pub fn refused_with_args(suite: &str, extra: &[&str], needles: &[&str]) {
    let scratch = Scratch::new();
    let config = scratch.file("suite.toml", suite);
    let mut args = vec!["run", "--config", config.to_str().unwrap(), "--out", "out"];
    args.extend_from_slice(extra);
    let output = scratch.concbench(&args).output().expect("concbench runs");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "`{needle}` in: {stderr}");
    }
    assert!(
        scratch.run_dirs("out").is_empty(),
        "no partial output for bad input"
    );
}

/// How many points the planner makes of `suite` on this machine: what a
/// test of "every variant" expects, without a count kept by hand.
pub fn planned(suite: &str) -> usize {
    let path = Path::new("planned.toml");
    let file = concbench::config::parse(path, suite).expect("the suite parses");
    let suite = concbench::config::Suite {
        path: path.to_path_buf(),
        text: suite.to_string(),
        file,
    };
    concbench::plan::build(&suite, &concbench::plan::Overrides::default(), None)
        .expect("the suite plans")
        .points
        .len()
}
