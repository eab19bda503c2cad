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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Params;

    /// A runtime's worker is held to the scenario's count (`external`), so
    /// every scenario with `py_*` variants must define it.
    #[test]
    fn every_scenario_with_external_variants_defines_its_count_per_round() {
        for scenario in all() {
            let info = scenario.info();
            if super::super::py_variants::variants_of(info.id)
                .next()
                .is_none()
            {
                continue;
            }
            let defaults = Params(
                info.params
                    .iter()
                    .map(|p| (p.name.to_string(), p.default))
                    .collect(),
            );
            let count = scenario.ops_per_round(&defaults).expect(info.id);
            assert!(count.is_some_and(|n| n > 0), "{}: {count:?}", info.id);
        }
    }

    #[test]
    fn the_count_follows_the_parameters() {
        let count = |id: &str, params: &[(&str, u64)]| {
            let params = Params(params.iter().map(|(k, v)| (k.to_string(), *v)).collect());
            find(id).expect(id).ops_per_round(&params).expect(id)
        };
        assert_eq!(count("cpu.split", &[("chunks", 2)]), Some(2));
        assert_eq!(count("spawn.start", &[("workers", 7)]), Some(7));
        assert_eq!(count("spawn.sleepers", &[("workers", 7)]), Some(1));
        assert_eq!(count("sync.handoff", &[("round_trips", 5)]), Some(10));
        assert_eq!(
            count("lock.counter", &[("threads", 3), ("ops", 100)]),
            Some(300)
        );
        assert_eq!(count("pattern.actor_ring", &[]), None, "the trial's own");
    }
}
