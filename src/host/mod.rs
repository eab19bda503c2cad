//! The machine a result was measured on: recorded with every run, because a
//! concurrency figure means nothing without its cores, CPU and kernel.

mod environment;
pub mod topology;

pub use environment::Environment;
pub use topology::{PairClass, Topology};

use serde::{Deserialize, Serialize};
use sysinfo::{CpuRefreshKind, MemoryRefreshKind, RefreshKind, System};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HostInfo {
    pub hostname: String,
    pub os: String,
    pub kernel: String,
    pub cpu_model: String,
    pub logical_cores: usize,
    pub physical_cores: Option<usize>,
    pub memory_bytes: u64,
    pub rustc: String,
}

impl HostInfo {
    /// Read the host's facts; what cannot be read is left empty, not guessed.
    pub fn detect() -> HostInfo {
        let refresh = RefreshKind::nothing()
            .with_cpu(CpuRefreshKind::nothing())
            .with_memory(MemoryRefreshKind::nothing().with_ram());
        let system = System::new_with_specifics(refresh).ok();
        let cpu_model = system
            .as_ref()
            .and_then(|s| s.cpus().first().map(|c| c.brand().trim().to_string()))
            .unwrap_or_default();
        HostInfo {
            hostname: System::host_name().unwrap_or_default(),
            os: System::long_os_version().unwrap_or_default(),
            kernel: System::kernel_version().unwrap_or_default(),
            cpu_model,
            logical_cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            physical_cores: System::physical_core_count().ok(),
            memory_bytes: system.as_ref().map_or(0, |s| s.total_memory()),
            rustc: env!("CONCBENCH_RUSTC_VERSION").to_string(),
        }
    }
}

/// The git commit concbench was built from, when it was built from a checkout.
pub fn git_commit() -> Option<String> {
    Some(env!("CONCBENCH_GIT_COMMIT"))
        .filter(|c| !c.is_empty())
        .map(String::from)
}

/// The cores this process may run on: what `cores` means in configs and
/// what parallel scenarios size their pools by.
pub fn logical_cores() -> u64 {
    std::thread::available_parallelism().map_or(1, |n| n.get() as u64)
}
