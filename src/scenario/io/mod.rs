//! The io family: what waiting costs when work is IO-bound. N concurrent
//! waits (sleep) as threads, processes and tokio tasks; a loopback TCP echo
//! server driven by N connections; and files written, fsynced and read back.
//! Shared by the three: the limit checks and memory readings in `machine`.

mod echo;
mod file;
mod machine;
mod waits;

use super::Scenario;

/// The family's scenarios, in listing order.
pub fn scenarios() -> Vec<&'static dyn Scenario> {
    vec![&waits::WAITS, &echo::ECHO, &file::FILE]
}
