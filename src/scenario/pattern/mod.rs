//! The pattern family: classic concurrency patterns, each a scenario in its
//! own module (dining philosophers so far).

mod philosophers;

use super::Scenario;

/// The family's scenarios, in listing order.
pub fn scenarios() -> Vec<&'static dyn Scenario> {
    vec![&philosophers::PHILOSOPHERS]
}
