//! Both builds' binaries, copied afresh into one private folder at the
//! gate's start, so that the two workers start alike but for their bytes.
//!
//! Why: workers started from the builds' own files differ in more than
//! their bytes. Builds whose file names differed in length were flagged
//! apart on unpinned queue points when nothing measured differed, so both
//! copies get one name (see [`make`]). Fresh copies of one build on a
//! disk's file system drew apart (one of four ran a tokio ping-pong 7-50%
//! slower in every run, twice), while copies in memory (tmpfs, small pages
//! only) stayed within 3%: so the copies go to `/dev/shm` where it is
//! tmpfs, executable and roomy enough, and to the system's temporary folder
//! otherwise (docs/measurements/2026-12-06-builds-apart.md, sections 8 and
//! 10). A gate killed before it could remove its folder leaves it to the
//! next gate, which removes it (see [`remove_abandoned`]).

use std::path::{Path, PathBuf};

/// The file name of every copy.
const COPY_NAME: &str = "concbench";

/// How many copies of each build unless `compare --copies` says otherwise:
/// the blocks take them in turn (`Sides::renew`). A copy draws a speed of its own that it keeps (32
/// fresh copies of one build in tmpfs ran the unpinned tokio ping-pong at
/// 64.0-68.8 ns, each copy within about 1% over three rounds), so with one
/// copy a side about 6% of pairs differ by more than 5%, enough for the gate
/// to flag; over four a side, the mean draws so differ in none of 20,000
/// (docs/measurements/2026-12-06-confirmation-both-ways.md, section 6).
/// The price of more: a copy's draw no longer biases every block alike but
/// spreads the blocks, so a point needs more of them to be decided.
pub const PER_SIDE: usize = 4;

/// At most this many copies of each build, so that every copy's path has
/// one length (one digit in its folder's name).
pub const MOST_PER_SIDE: usize = 10;

/// The private folders' name starts with this.
const FOLDER_PREFIX: &str = "concbench-gate-";

/// In each private folder: a file its gate holds locked while it runs, so
/// that a later gate can tell a folder whose gate was killed.
const LOCK_NAME: &str = "running.lock";

/// The private copies; the folder and its files go when this is dropped.
pub struct Copies {
    /// Held locked for as long as the copies are in use.
    _lock: std::fs::File,
    _folder: tempfile::TempDir,
    /// base's copies, then new's, as many each, all paths of one length.
    pub paths: [Vec<PathBuf>; 2],
}

/// Copy `binaries` (base's, new's) `per_side` times each into a fresh
/// private folder, in memory where it can be ([`memory_folder`]), written
/// through now so that no write-back falls into the measurements. Every
/// copy is named [`COPY_NAME`], in folders `a0/`, `b0/`, `a1/`, ... (made
/// in that order), whatever the builds were called:
/// a worker's path and task name come from its file's name, and two builds
/// named `concbench` and `concbench-noop-b` were flagged apart on unpinned
/// queue points in 7 of 7 comparisons while the same two binaries under
/// names of one length were not. The error is one line.
pub fn make(binaries: [&Path; 2], per_side: usize) -> Result<Copies, String> {
    let needed = binaries
        .iter()
        .map(|b| std::fs::metadata(b).map_or(0, |m| m.len()))
        .sum::<u64>()
        * per_side as u64;
    let parent = memory_folder(Path::new("/dev/shm"), needed).unwrap_or_else(std::env::temp_dir);
    make_in(&parent, binaries, per_side)
}

/// `candidate` if it is a tmpfs that lets programs run, is writable, and has
/// room for `needed` bytes and as much again to spare.
fn memory_folder(candidate: &Path, needed: u64) -> Option<PathBuf> {
    use nix::sys::statfs::{TMPFS_MAGIC, statfs};
    use nix::sys::statvfs::{FsFlags, statvfs};
    let kind = statfs(candidate).ok()?;
    let room = statvfs(candidate).ok()?;
    let usable = kind.filesystem_type() == TMPFS_MAGIC
        && !room
            .flags()
            .intersects(FsFlags::ST_NOEXEC | FsFlags::ST_RDONLY)
        && (room.blocks_available() as u64).saturating_mul(room.fragment_size() as u64)
            >= needed.saturating_mul(2);
    usable.then(|| candidate.to_path_buf())
}

/// [`make`] under `parent`, `per_side` copies each (1 to [`MOST_PER_SIDE`]), after
/// removing what killed gates left there.
fn make_in(parent: &Path, binaries: [&Path; 2], per_side: usize) -> Result<Copies, String> {
    remove_abandoned(parent);
    let folder = tempfile::Builder::new()
        .prefix(FOLDER_PREFIX)
        .tempdir_in(parent)
        .map_err(|e| format!("cannot make a private folder for the builds: {e}"))?;
    let lock = hold_lock(folder.path())
        .map_err(|e| format!("cannot lock {}: {e}", folder.path().display()))?;
    let mut paths = [Vec::new(), Vec::new()];
    for k in 0..per_side.clamp(1, MOST_PER_SIDE) {
        for ((pool, binary), side) in paths.iter_mut().zip(binaries).zip(["a", "b"]) {
            let copy = copy_into(binary, &folder.path().join(format!("{side}{k}")))?;
            pool.push(copy);
        }
    }
    Ok(Copies {
        _lock: lock,
        _folder: folder,
        paths,
    })
}

/// `binary` copied as `dir/`[`COPY_NAME`] (`dir` is made), on disk before
/// this returns; the error is one line.
fn copy_into(binary: &Path, dir: &Path) -> Result<PathBuf, String> {
    let copy = dir.join(COPY_NAME);
    std::fs::create_dir(dir)
        .and_then(|()| std::fs::copy(binary, &copy))
        .and_then(|_| std::fs::File::open(&copy)?.sync_all())
        .map_err(|e| {
            format!(
                "cannot copy {} to {}: {e}",
                binary.display(),
                copy.display()
            )
        })?;
    Ok(copy)
}

/// Lock a new file in `folder` and keep it locked (the lock goes with the
/// process, however it ends). It is locked under another name and then
/// renamed, so that no other gate ever sees the lock file unlocked.
fn hold_lock(folder: &Path) -> std::io::Result<std::fs::File> {
    let making = folder.join(format!("{LOCK_NAME}.new"));
    let file = std::fs::File::create(&making)?;
    file.lock()?;
    std::fs::rename(&making, folder.join(LOCK_NAME))?;
    Ok(file)
}

/// Remove the private folders under `parent` whose gate no longer runs (a
/// SIGKILL or a CI timeout gave it no chance to clean up; in `/dev/shm`
/// its two copies would hold about 110 MB of memory until the machine
/// restarts). A folder whose lock file is locked, missing or unreadable
/// stays: its gate runs, is starting, or is not ours to judge.
fn remove_abandoned(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().starts_with(FOLDER_PREFIX) {
            continue;
        }
        let Ok(lock) = std::fs::File::open(entry.path().join(LOCK_NAME)) else {
            continue;
        };
        if lock.try_lock().is_ok() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn one_binary_given_twice_becomes_per_side_files_each_with_its_bytes_and_mode() {
        let dir = tempfile::tempdir().unwrap();
        let binary = dir.path().join("build");
        std::fs::write(&binary, b"#!/bin/sh\necho hi\n").unwrap();
        std::fs::set_permissions(&binary, std::fs::Permissions::from_mode(0o755)).unwrap();
        let copies = make([&binary, &binary], PER_SIDE).unwrap();
        let all: Vec<&PathBuf> = copies.paths.iter().flatten().collect();
        assert!(copies.paths.iter().all(|pool| pool.len() == PER_SIDE));
        let distinct: std::collections::BTreeSet<_> = all.iter().collect();
        assert_eq!(distinct.len(), 2 * PER_SIDE);
        for copy in &all {
            assert_eq!(copy.as_os_str().len(), all[0].as_os_str().len());
            assert_eq!(
                std::fs::read(copy).unwrap(),
                std::fs::read(&binary).unwrap()
            );
            let mode = std::fs::metadata(copy).unwrap().permissions().mode();
            assert_eq!(mode & 0o111, 0o111, "{} is executable", copy.display());
        }
        let folder = all[0].parent().unwrap().parent().unwrap().to_path_buf();
        drop(copies);
        assert!(!folder.exists(), "the private folder goes with the copies");
    }

    #[test]
    fn builds_of_other_names_get_copies_of_one_length() {
        let dir = tempfile::tempdir().unwrap();
        let short = dir.path().join("concbench");
        let long = dir.path().join("concbench-with-a-much-longer-name");
        std::fs::write(&short, b"short").unwrap();
        std::fs::write(&long, b"long").unwrap();
        let copies = make_in(dir.path(), [&short, &long], 10).unwrap();
        let [a, b] = &copies.paths;
        assert_eq!((a.len(), b.len()), (10, 10));
        for (x, y) in a.iter().zip(b) {
            assert_eq!(x.as_os_str().len(), a[0].as_os_str().len());
            assert_eq!(x.as_os_str().len(), y.as_os_str().len());
            assert_eq!(std::fs::read(x).unwrap(), b"short");
            assert_eq!(std::fs::read(y).unwrap(), b"long");
        }
    }

    /// A private folder holding a one-byte "build" and an empty `parent/`.
    fn a_build_and_a_parent() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let binary = dir.path().join("build");
        std::fs::write(&binary, b"x").unwrap();
        let parent = dir.path().join("parent");
        std::fs::create_dir(&parent).unwrap();
        (dir, binary, parent)
    }

    #[test]
    fn copies_go_under_the_folder_given() {
        let (_dir, binary, parent) = a_build_and_a_parent();
        let copies = make_in(&parent, [&binary, &binary], 2).unwrap();
        assert!(
            copies
                .paths
                .iter()
                .flatten()
                .all(|p| p.starts_with(&parent))
        );
    }

    #[test]
    fn only_a_tmpfs_with_room_is_a_memory_folder() {
        assert_eq!(memory_folder(Path::new("/no/such/folder"), 1), None);
        // procfs is in memory but is no tmpfs.
        assert_eq!(memory_folder(Path::new("/proc"), 1), None);
        if memory_folder(Path::new("/dev/shm"), 1).is_some() {
            assert_eq!(memory_folder(Path::new("/dev/shm"), u64::MAX / 2), None);
        }
    }

    #[test]
    fn a_killed_gates_folder_goes_and_a_running_ones_stays() {
        let (_dir, binary, parent) = a_build_and_a_parent();
        let running = make_in(&parent, [&binary, &binary], 1).unwrap();
        let running_folder = running.paths[0][0].parent().unwrap().parent().unwrap();
        // A killed gate's folder: its lock file is there, locked by no one.
        let killed = parent.join(format!("{FOLDER_PREFIX}killed"));
        std::fs::create_dir_all(killed.join("a")).unwrap();
        std::fs::write(killed.join(LOCK_NAME), b"").unwrap();
        std::fs::write(killed.join("a").join(COPY_NAME), b"x").unwrap();
        // One with no lock file (starting, or an older gate's): left alone.
        let unknown = parent.join(format!("{FOLDER_PREFIX}unknown"));
        std::fs::create_dir(&unknown).unwrap();
        let other = parent.join("someone-elses");
        std::fs::create_dir(&other).unwrap();
        let next = make_in(&parent, [&binary, &binary], 1).unwrap();
        assert!(!killed.exists(), "the killed gate's folder is removed");
        assert!(running_folder.exists(), "the running gate's folder stays");
        assert!(unknown.exists() && other.exists());
        drop((running, next));
    }

    #[test]
    fn a_missing_binary_is_one_line_naming_it() {
        let err = make(
            [Path::new("/no/such/build"), Path::new("/no/such/build")],
            PER_SIDE,
        )
        .err()
        .unwrap();
        assert!(
            err.contains("/no/such/build") && !err.contains('\n'),
            "{err}"
        );
    }
}
