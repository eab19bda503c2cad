//! `io.file`: W workers (threads, tokio tasks through tokio::fs, forked
//! processes) each write F files of S KiB, fsync them and read them back,
//! comparing every byte, in a temporary folder (under TMPDIR) that is
//! removed at the end of the point. The read-back comes from the page cache:
//! the fsync is what reaches the disk.

mod work;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::{Context, ensure};
use nix::unistd::Pid;

use crate::model::process::{SharedCounter, fork_child, wait_exit_ok};
use crate::scenario::{CancelToken, Measured, Scenario, ScenarioInfo, Trial, TrialContext};
use crate::vocab::{Family, Model, ParamSpec, Params, Sample};
use work::{Failure, Job, Span};

const WORKERS: ParamSpec = ParamSpec {
    name: "workers",
    default: 2,
    min: 1,
    max: 1024,
    help: "workers writing files at the same time",
};

const FILES: ParamSpec = ParamSpec {
    name: "files",
    default: 4,
    min: 1,
    max: 10_000,
    help: "files each worker writes, fsyncs and reads back per round",
};

const FILE_KIB: ParamSpec = ParamSpec {
    name: "file_kib",
    default: 64,
    min: 1,
    max: 65_536,
    help: "size of each file in KiB",
};

crate::variant_table! {
    /// `io.file`'s variants.
    enum Writer in VARIANTS {
        StdThread = "std_thread", [Thread], "one std::thread per worker, blocking open/write/fsync/read";
        TokioFs = "tokio_fs", [Async], "one tokio task per worker, tokio::fs (blocking pool underneath)";
        Fork = "fork", [Process], "one forked child per worker, the same system calls as the threads";
    }
}

/// `io.file`: write + fsync + read back, checked, from W workers.
pub static FILE: FileScenario = FileScenario {
    info: ScenarioInfo {
        id: "io.file",
        family: Family::Io,
        summary: "W workers each write F files of S KiB, fsync and read them back, checked",
        unit: "file",
        variants: VARIANTS,
        params: &[WORKERS, FILES, FILE_KIB],
        throughput_vs: Some("workers"),
    },
};

pub struct FileScenario {
    info: ScenarioInfo,
}

impl Scenario for FileScenario {
    fn info(&self) -> &ScenarioInfo {
        &self.info
    }

    fn build(&self, context: &TrialContext) -> anyhow::Result<Box<dyn Trial>> {
        Ok(Box::new(FileTrial::new(context)?))
    }

    fn check_limits(&self, model: Model, params: &Params) -> Result<(), String> {
        let get = |name| params.get(name).map_err(|e| e.to_string());
        let (workers, files, kib) = (get("workers")?, get("files")?, get("file_kib")?);
        if matches!(model, Model::Thread | Model::Process) {
            super::machine::check_nproc(&format!("workers={workers}"), workers)?;
        }
        let mib = |bytes: u64| bytes / (1024 * 1024);
        let what = format!("workers={workers},files={files},file_kib={kib}");
        let on_disk = workers * files * kib * 1024;
        let dir = std::env::temp_dir();
        if let Ok(stat) = nix::sys::statvfs::statvfs(&dir) {
            let free = stat.blocks_available().saturating_mul(stat.fragment_size());
            if on_disk > free {
                return Err(format!(
                    "{what} needs {} MiB in {} but {} MiB are free (point TMPDIR elsewhere)",
                    mib(on_disk),
                    dir.display(),
                    mib(free)
                ));
            }
        }
        let buffers = 2 * workers * kib * 1024;
        match super::machine::proc_kib_field("/proc/meminfo", "MemAvailable:") {
            Some(free) if buffers > free => Err(format!(
                "{what} needs {} MiB of buffers but {} MiB of memory are available",
                mib(buffers),
                mib(free)
            )),
            _ => Ok(()),
        }
    }
}

/// How the workers run, with what was set up for that.
enum Way {
    Threads,
    Tokio(tokio::runtime::Runtime),
    /// Children bump this shared counter for each file read back equal.
    Fork(SharedCounter),
}

struct FileTrial {
    way: Way,
    jobs: Vec<Job>,
    files: u64,
    file_bytes: u64,
    /// Files read back equal (threads and tokio).
    files_ok: Arc<AtomicU64>,
    /// Rounds run so far: each file's serial number counts from them.
    rounds: u64,
    on_tmpfs: bool,
    cancel: CancelToken,
    pids: Vec<Pid>,
    /// Removed in `drop`, once the children are gone.
    dir: Option<tempfile::TempDir>,
}

impl FileTrial {
    fn new(context: &TrialContext) -> anyhow::Result<FileTrial> {
        let workers = context.params.get("workers")?;
        let files = context.params.get("files")?;
        let file_bytes = context.params.get("file_kib")? * 1024;
        let way = match Writer::of(context.variant)? {
            Writer::StdThread => Way::Threads,
            Writer::TokioFs => Way::Tokio(
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(super::machine::cores())
                    .build()
                    .context("building the tokio runtime")?,
            ),
            Writer::Fork => Way::Fork(SharedCounter::new()?),
        };
        let dir = crate::model::scratch::temp_dir("io-file")
            .context("creating a temporary folder (see TMPDIR)")?;
        let jobs = (0..workers)
            .map(|w| Job::new(dir.path(), w, files, file_bytes as usize))
            .collect::<anyhow::Result<_>>()?;
        let on_tmpfs = nix::sys::statfs::statfs(dir.path())
            .is_ok_and(|s| s.filesystem_type() == nix::sys::statfs::TMPFS_MAGIC);
        Ok(FileTrial {
            way,
            jobs,
            files,
            file_bytes,
            files_ok: Arc::new(AtomicU64::new(0)),
            rounds: 0,
            on_tmpfs,
            cancel: context.cancel.clone(),
            pids: Vec::new(),
            dir: Some(dir),
        })
    }

    fn files_ok(&self) -> u64 {
        match &self.way {
            Way::Fork(counter) => counter.get().load(Ordering::SeqCst),
            _ => self.files_ok.load(Ordering::SeqCst),
        }
    }

    /// `rounds` rounds on every worker, the first numbered `first`.
    fn rounds(&mut self, first: u64, rounds: u64) -> anyhow::Result<()> {
        let span = Span {
            first,
            rounds,
            workers: self.jobs.len() as u64,
            files: self.files,
        };
        match &self.way {
            Way::Threads => {
                let (ok, cancel) = (&*self.files_ok, &self.cancel);
                std::thread::scope(|scope| {
                    let running: Vec<_> = self
                        .jobs
                        .iter_mut()
                        .map(|job| scope.spawn(move || span.run_blocking(job, ok, Some(cancel))))
                        .collect();
                    running.into_iter().try_for_each(|thread| {
                        let outcome = thread
                            .join()
                            .map_err(|_| anyhow::anyhow!("a file worker panicked"))?;
                        outcome
                            .map_err(|failure| anyhow::anyhow!("a file worker failed: {failure:?}"))
                    })
                })
            }
            Way::Tokio(runtime) => {
                let jobs = std::mem::take(&mut self.jobs);
                let (jobs, outcome) =
                    runtime.block_on(span.run_tokio(jobs, Arc::clone(&self.files_ok)));
                self.jobs = jobs;
                outcome
            }
            Way::Fork(counter) => {
                let counter = counter.get();
                for job in &mut self.jobs {
                    // Only nix system calls on buffers allocated before the
                    // fork, and an atomic: async-signal-safe.
                    self.pids.push(fork_child(|| {
                        match span.run_blocking(job, counter, None) {
                            Ok(()) => 0,
                            Err(Failure::Io(_)) => 1,
                            Err(Failure::Differs) => 2,
                        }
                    })?);
                }
                for pid in self.pids.drain(..) {
                    wait_exit_ok(pid).context(
                        "a file worker process failed (code 1: a system call failed, 2: a file read back different)",
                    )?;
                }
                Ok(())
            }
        }
    }
}

impl Trial for FileTrial {
    fn run(&mut self, rounds: u64) -> anyhow::Result<Sample> {
        let started = Instant::now();
        let first = self.rounds;
        self.rounds += rounds;
        self.rounds(first, rounds)?;
        Ok(Sample {
            ops: rounds * self.jobs.len() as u64 * self.files,
            ns: started.elapsed().as_nanos() as u64,
        })
    }

    fn verify(&mut self) -> anyhow::Result<()> {
        let (ok, expected) = (
            self.files_ok(),
            self.rounds * self.jobs.len() as u64 * self.files,
        );
        ensure!(
            ok == expected,
            "{ok} of {expected} files were written, fsynced and read back equal"
        );
        Ok(())
    }

    fn metrics(&self, measured: &Measured<'_>) -> BTreeMap<String, f64> {
        let ns = measured.median_ns_per_op.max(f64::MIN_POSITIVE);
        BTreeMap::from([
            ("mb_per_s".to_string(), self.file_bytes as f64 / ns * 1e3),
            (
                "cpu_ns_per_file".to_string(),
                super::machine::cpu_ns(measured.resources) as f64
                    / measured.total_ops().max(1) as f64,
            ),
            ("on_tmpfs".to_string(), f64::from(u8::from(self.on_tmpfs))),
        ])
    }
}

impl Drop for FileTrial {
    /// Kill and reap any child a failed round left; the folder goes after.
    fn drop(&mut self) {
        for pid in self.pids.drain(..) {
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
            let _ = nix::sys::wait::waitpid(pid, None);
        }
        if let Some(dir) = self.dir.take() {
            let _ = dir.close();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trial(variant: &'static str, model: Model) -> FileTrial {
        let params = [("workers", 2), ("files", 3), ("file_kib", 5)];
        let context = TrialContext {
            variant,
            model,
            params: Params(params.iter().map(|(k, v)| (k.to_string(), *v)).collect()),
            cancel: CancelToken::default(),
            progress: Default::default(),
            worker_binary: crate::model::worker::worker_binary(),
            runtime: None,
        };
        FileTrial::new(&context).expect("trial builds")
    }

    #[test]
    fn every_model_writes_and_reads_back_every_file_then_removes_the_folder() {
        for (variant, model) in [
            (Writer::StdThread.name(), Model::Thread),
            (Writer::TokioFs.name(), Model::Async),
            (Writer::Fork.name(), Model::Process),
        ] {
            let mut trial = trial(variant, model);
            let dir = trial.dir.as_ref().expect("a folder").path().to_owned();
            let sample = trial.run(2).expect(variant);
            assert_eq!(sample.ops, 2 * 2 * 3, "{variant}");
            trial.verify().expect(variant);
            let written = std::fs::read(dir.join("w1-f2")).expect("the last file is there");
            assert_eq!(written.len(), 5 * 1024);
            drop(trial);
            assert!(!dir.exists(), "{variant}: the folder is removed");
        }
    }

    #[test]
    fn a_missing_file_fails_verification() {
        let mut trial = trial(Writer::StdThread.name(), Model::Thread);
        trial.run(1).expect("a round");
        trial.files_ok.fetch_sub(1, Ordering::SeqCst);
        let error = trial.verify().expect_err("one file missing");
        assert!(error.to_string().contains("5 of 6 files"), "{error}");
    }
}
