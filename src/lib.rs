//! concbench: measures what concurrency costs on the machine it runs on.
//!
//! The data flow is `config` (TOML suite) -> `plan` (points) -> `harness` (one
//! point measured under a watchdog) -> `results` (streamed JSON lines, then one
//! JSON file). `scenario` holds what is measured, `model` how workers run,
//! `vocab` the words every layer shares. Layers import downwards only; the
//! order is in `docs/layout.md` and `tests/layers/` enforces it.

pub mod cli;
pub mod config;
pub mod error;
pub mod folders;
pub mod gate;
pub mod harness;
pub mod history;
pub mod host;
pub mod interrupt;
pub mod model;
pub mod opaque;
pub mod plan;
pub mod report;
pub mod results;
pub mod run;
pub mod scenario;
pub mod stats;
pub mod terminal;
pub mod text;
pub mod vocab;
