//! The one list of every scenario concbench knows. It sits beside the
//! scenario contract rather than in it, so the families import the contract
//! and this list imports the families, and no import runs in a circle.

use super::{
    Scenario, Trial, TrialContext, cpu, io, ipc, lock, pattern, queue, selftest, spawn, switch,
    sync,
};

/// Every scenario concbench knows, in listing order.
pub fn all() -> Vec<&'static dyn Scenario> {
    let mut scenarios: Vec<&'static dyn Scenario> = vec![&spawn::START, &spawn::SLEEPERS];
    scenarios.extend(cpu::scenarios());
    scenarios.extend(io::scenarios());
    scenarios.extend(lock::scenarios());
    scenarios.extend(sync::scenarios());
    scenarios.extend(queue::scenarios());
    scenarios.extend(ipc::scenarios());
    scenarios.extend(switch::scenarios());
    scenarios.extend(pattern::scenarios());
    scenarios.push(&selftest::FAULT);
    scenarios
}

/// The scenario with this id, if any.
pub fn find(id: &str) -> Option<&'static dyn Scenario> {
    all().into_iter().find(|s| s.info().id == id)
}

/// Set up `context`'s trial: in this process for a Rust variant, in a
/// runtime's worker for an external one (`py_*`).
pub fn build_trial(
    scenario: &'static dyn Scenario,
    context: &TrialContext,
) -> anyhow::Result<Box<dyn Trial>> {
    if super::py_variants::is_external(context.variant) {
        super::external::build(scenario, context)
    } else {
        scenario.build(context)
    }
}
