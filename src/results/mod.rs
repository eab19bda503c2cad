//! The results schema (v2), what a run writes and every report reads
//! (`schema`), a point's samples summarised as the schema keeps them
//! (`estimate`), what the drift probes say (`drift`), and how results
//! files are read, written and streamed (`files`).

mod class_figures;
mod drift;
mod estimate;
mod files;
mod placement;
mod schema;

pub use class_figures::{ClassFigure, describe_classes};
pub use drift::{BUSY_SHARE, WIDE_SLOW, slow_wide};
pub use files::ResultsStream;
pub use placement::{
    EarlierClass, EarlierPlacements, Observation, PlacementClass, SamplePlacement,
};
pub use schema::*;

#[cfg(test)]
impl RunResults {
    /// A run with no points and a default header, started at `started`:
    /// what tests build their runs on.
    pub fn empty(id: &str, started: &str) -> RunResults {
        serde_json::from_value(serde_json::json!({
            "schema": SCHEMA,
            "run": { "id": id, "started": started, "finished": null, "tool_version": "0",
                     "git_commit": null, "config": "c", "argv": [] },
            "host": crate::host::HostInfo::default(),
            "harness": { "sampler_interval_ms": 0, "sampler_cpu_ns": 0, "warmup_ms": 0,
                         "measure_time_ms": 0, "min_samples": 0, "timeout_ms": 0 },
            "results": []
        }))
        .expect("a run")
    }
}
