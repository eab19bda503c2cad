//! The ipc family (being built).

use super::Scenario;

/// The family's scenarios, in listing order.
pub fn scenarios() -> Vec<&'static dyn Scenario> {
    Vec::new()
}
