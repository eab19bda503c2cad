//! Tests that run the built `concbench` binary as a user would.

mod bad_input;
mod browser;
mod compare_command;
mod compare_outcomes;
mod cpu_family;
mod docs_links;
mod history;
mod interleaved_gate;
mod interrupt;
mod io_family;
mod ipc_family;
mod limits;
mod list_and_help;
mod lock_family;
mod messaging_patterns;
mod pattern_family;
mod queue_family;
mod report_command;
mod report_outputs;
mod run_command;
mod runtimes;
mod sampler;
mod support;
mod switch_family;
mod sync_family;
