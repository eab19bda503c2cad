//! Where runs and comparisons put their files: a fresh folder per run,
//! named by its start time. Below every command that writes one.

use std::path::{Path, PathBuf};

use anyhow::Context;

/// `<out>/<UTC time to the millisecond>`, a name that sorts by time; a
/// numeric suffix if two runs start in the same millisecond.
pub fn create_run_dir(
    out: &Path,
    started: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<(String, PathBuf)> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let stamp = started
        .format("%Y%m%dT%H%M%S%.3fZ")
        .to_string()
        .replace('.', "-");
    for attempt in 0..100 {
        let id = if attempt == 0 {
            stamp.clone()
        } else {
            format!("{stamp}-{attempt}")
        };
        let dir = out.join(&id);
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok((id, dir)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e).with_context(|| format!("creating {}", dir.display())),
        }
    }
    anyhow::bail!(
        "could not create a fresh run folder under {}",
        out.display()
    )
}
