//! The pattern family: classic concurrency patterns, each a scenario in its
//! own module (dining philosophers, and the message-passing patterns in `messaging`).

mod philosophers;

pub mod messaging;

use super::Scenario;

/// The family's scenarios, in listing order.
pub fn scenarios() -> Vec<&'static dyn Scenario> {
    let mut scenarios: Vec<&'static dyn Scenario> = vec![&philosophers::PHILOSOPHERS];
    scenarios.extend(messaging::scenarios());
    scenarios
}
