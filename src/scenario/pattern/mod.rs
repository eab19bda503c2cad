//! The pattern family (being built).

pub mod messaging;

use super::Scenario;

/// The family's scenarios, in listing order.
pub fn scenarios() -> Vec<&'static dyn Scenario> {
    let mut scenarios: Vec<&'static dyn Scenario> = Vec::new();
    scenarios.extend(messaging::scenarios());
    scenarios
}
