//! What one file worker does per file: write a patterned file, fsync it,
//! read it back and compare every byte. The same system calls (through nix,
//! allocation-free, so a forked child may run them) serve threads and
//! processes; tokio workers go through tokio::fs. A `Span` runs a worker's
//! files for a run of rounds, numbering each file's content uniquely.

use std::ffi::{CStr, CString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use nix::errno::Errno;
use nix::fcntl::{OFlag, open};
use nix::sys::stat::Mode;
use nix::unistd::{fsync, read, write};

use crate::scenario::CancelToken;

/// Bytes between serial stamps: every sector of a file carries its own.
const SECTOR: usize = 512;

/// What went wrong with a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// A system call failed.
    Io(Errno),
    /// The file read back differs from what was written (or has another length).
    Differs,
}

/// One worker's files and buffers, allocated before any timing (and before
/// any fork: a forked child may not allocate).
pub struct Job {
    pub worker: u64,
    pub paths: Vec<PathBuf>,
    /// The same paths as C strings, made before any fork.
    pub c_paths: Vec<CString>,
    pub write: Vec<u8>,
    pub read: Vec<u8>,
}

impl Job {
    pub fn new(dir: &Path, worker: u64, files: u64, file_bytes: usize) -> anyhow::Result<Job> {
        let paths: Vec<PathBuf> = (0..files)
            .map(|f| dir.join(format!("w{worker}-f{f}")))
            .collect();
        let c_paths = paths
            .iter()
            .map(|p| CString::new(p.as_os_str().as_bytes()))
            .collect::<Result<_, _>>()?;
        let write = (0..file_bytes)
            .map(|i| (i as u64).wrapping_mul(29).wrapping_add(worker) as u8)
            .collect();
        Ok(Job {
            worker,
            paths,
            c_paths,
            write,
            read: vec![0; file_bytes],
        })
    }
}

/// Stamp `serial` (with the sector's index) over the start of every sector,
/// so no stale file or misplaced sector reads back equal.
pub fn stamp(content: &mut [u8], serial: u64) {
    for (index, sector) in content.chunks_mut(SECTOR).enumerate() {
        let mark = ((serial << 24) | index as u64).to_le_bytes();
        let n = sector.len().min(mark.len());
        sector[..n].copy_from_slice(&mark[..n]);
    }
}

/// Write `content` to `path` (created or truncated), fsync, close, read it
/// back into `back` and compare. Only system calls and no allocation:
/// async-signal-safe, usable in a forked child.
pub fn round_trip_signal_safe(path: &CStr, content: &[u8], back: &mut [u8]) -> Result<(), Failure> {
    let flags = OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_TRUNC | OFlag::O_CLOEXEC;
    let file = open(path, flags, Mode::S_IRUSR | Mode::S_IWUSR).map_err(Failure::Io)?;
    let mut written = 0;
    while written < content.len() {
        match write(&file, &content[written..]) {
            Ok(0) => return Err(Failure::Io(Errno::EIO)),
            Ok(n) => written += n,
            Err(Errno::EINTR) => {}
            Err(e) => return Err(Failure::Io(e)),
        }
    }
    fsync(&file).map_err(Failure::Io)?;
    drop(file);
    let file =
        open(path, OFlag::O_RDONLY | OFlag::O_CLOEXEC, Mode::empty()).map_err(Failure::Io)?;
    let mut filled = 0;
    while filled < back.len() {
        match read(&file, &mut back[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(Errno::EINTR) => {}
            Err(e) => return Err(Failure::Io(e)),
        }
    }
    if filled != content.len() || back != content {
        return Err(Failure::Differs);
    }
    // One byte more must not exist: the file is not longer either.
    let mut extra = [0u8; 1];
    match read(&file, &mut extra) {
        Ok(0) => Ok(()),
        Ok(_) => Err(Failure::Differs),
        Err(e) => Err(Failure::Io(e)),
    }
}

/// The tokio::fs version of `round_trip_signal_safe`.
pub async fn round_trip_tokio(path: &Path, content: &[u8], back: &mut [u8]) -> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut file = tokio::fs::File::create(path).await?;
    file.write_all(content).await?;
    file.sync_all().await?;
    drop(file);
    let mut file = tokio::fs::File::open(path).await?;
    file.read_exact(back).await?;
    let mut extra = [0u8; 1];
    anyhow::ensure!(
        back == content && file.read(&mut extra).await? == 0,
        "{} read back differs from what was written",
        path.display()
    );
    Ok(())
}

/// Which rounds a call covers, for numbering each file's content uniquely.
#[derive(Clone, Copy)]
pub struct Span {
    pub first: u64,
    pub rounds: u64,
    pub workers: u64,
    pub files: u64,
}

impl Span {
    fn serial(&self, round: u64, worker: u64, file: u64) -> u64 {
        (round * self.workers + worker) * self.files + file + 1
    }

    /// The job's files for every round, blocking; counts each file read
    /// back equal. Allocation-free, so a forked child may run it.
    pub fn run_blocking(
        &self,
        job: &mut Job,
        ok: &AtomicU64,
        cancel: Option<&CancelToken>,
    ) -> Result<(), Failure> {
        for round in self.first..self.first + self.rounds {
            if cancel.is_some_and(CancelToken::is_cancelled) {
                return Err(Failure::Io(nix::errno::Errno::ECANCELED));
            }
            for file in 0..self.files {
                stamp(&mut job.write, self.serial(round, job.worker, file));
                let path = &job.c_paths[file as usize];
                round_trip_signal_safe(path, &job.write, &mut job.read)?;
                ok.fetch_add(1, Ordering::SeqCst);
            }
        }
        Ok(())
    }

    /// Every job as a tokio task through tokio::fs; hands the jobs back.
    pub async fn run_tokio(
        self,
        jobs: Vec<Job>,
        ok: Arc<AtomicU64>,
    ) -> (Vec<Job>, anyhow::Result<()>) {
        let tasks: Vec<_> = jobs
            .into_iter()
            .map(|mut job| {
                let ok = Arc::clone(&ok);
                tokio::spawn(async move {
                    let outcome = self.tokio_job(&mut job, &ok).await;
                    (job, outcome)
                })
            })
            .collect();
        let (mut jobs, mut outcome) = (Vec::new(), Ok(()));
        for task in tasks {
            match task.await {
                Ok((job, done)) => {
                    jobs.push(job);
                    outcome = outcome.and(done);
                }
                Err(error) => outcome = outcome.and(Err(error.into())),
            }
        }
        (jobs, outcome)
    }

    async fn tokio_job(&self, job: &mut Job, ok: &AtomicU64) -> anyhow::Result<()> {
        for round in self.first..self.first + self.rounds {
            for file in 0..self.files {
                stamp(&mut job.write, self.serial(round, job.worker, file));
                let path = &job.paths[file as usize];
                round_trip_tokio(path, &job.write, &mut job.read).await?;
                ok.fetch_add(1, Ordering::SeqCst);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_round_trip_checks_what_it_reads_back() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let mut job = Job::new(dir.path(), 0, 1, 3000).expect("a job");
        stamp(&mut job.write, 7);
        let path = job.c_paths[0].clone();
        round_trip_signal_safe(&path, &job.write, &mut job.read).expect("a clean round trip");
        assert_eq!(job.read, job.write);
        let shorter = job.write[..2999].to_vec();
        let mut back = vec![0u8; 3000];
        assert_eq!(
            round_trip_signal_safe(&path, &shorter, &mut back),
            Err(Failure::Differs),
            "a file of another length does not pass"
        );
    }

    #[test]
    fn stamps_differ_by_serial_and_sector() {
        let mut a = vec![0u8; 2 * SECTOR];
        let mut b = a.clone();
        stamp(&mut a, 1);
        stamp(&mut b, 2);
        assert_ne!(a, b);
        assert_ne!(a[..8], a[SECTOR..SECTOR + 8]);
    }
}
