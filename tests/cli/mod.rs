//! Tests that run the built `concbench` binary as a user would.

mod bad_input;
mod list_and_help;
mod run_command;
mod support;
