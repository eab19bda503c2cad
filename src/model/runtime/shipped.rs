//! The CPython worker's files, built into the binary and written out into a
//! worker's scratch folder.

/// The CPython worker shipped in the binary: the files runtimes/python/FILES
/// lists (the one list; build.rs reads it), each as (path under
/// runtimes/python/, text), the script first; written out for each worker.
pub const CPYTHON_WORKER: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/cpython_files.rs"));

/// Write the shipped CPython worker into `dir`; the script to run.
pub fn write_cpython_worker(dir: &std::path::Path) -> std::io::Result<std::path::PathBuf> {
    for (path, text) in CPYTHON_WORKER {
        let file = dir.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(file, text)?;
    }
    Ok(dir.join(CPYTHON_WORKER[0].0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module added to the worker but not to FILES would be missing from
    /// the binary: every file of the package must be listed.
    #[test]
    fn every_file_of_the_worker_package_is_shipped() {
        let package = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("runtimes/python/concbench_runtime");
        let shipped: Vec<&str> = CPYTHON_WORKER.iter().map(|(path, _)| *path).collect();
        assert_eq!(shipped[0], "concbench_worker.py", "the script comes first");
        for entry in std::fs::read_dir(package).expect("the package") {
            let name = entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned();
            if name.ends_with(".py") || name.ends_with(".json") {
                let path = format!("concbench_runtime/{name}");
                assert!(
                    shipped.contains(&path.as_str()),
                    "{path} is not in runtimes/python/FILES"
                );
            }
        }
    }
}
