//! The sync family: what it costs to hand control from one thread to another
//! through the synchronisation primitives the tutorials teach (Condition,
//! Semaphore / BoundedSemaphore, Event, Barrier, park/unpark, once-only
//! initialisation). Every scenario proves each hand-off happened.

mod barrier;
mod baton;
mod crew;
mod handoff;
mod once;
pub mod primitives;
mod relay;
mod semaphore;
mod support;
mod tasks;
#[cfg(test)]
mod test_support;

use super::Scenario;

/// The family's scenarios, in listing order.
pub fn scenarios() -> Vec<&'static dyn Scenario> {
    vec![
        &handoff::HANDOFF,
        &semaphore::SEMAPHORE,
        &barrier::BARRIER,
        &once::ONCE,
    ]
}
