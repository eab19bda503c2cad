//! What the sync family's unit tests share: a trial context, and a check
//! that every variant of a scenario runs and verifies.

use crate::scenario::{CancelToken, Progress, Scenario, Trial, TrialContext};
use crate::vocab::{Model, Params};

/// A context for `variant` under `model` with the given parameters.
pub fn context(variant: &'static str, model: Model, params: &[(&str, u64)]) -> TrialContext {
    TrialContext {
        variant,
        model,
        params: Params(params.iter().map(|(k, v)| (k.to_string(), *v)).collect()),
        cancel: CancelToken::default(),
        progress: Progress::default(),
        worker_binary: crate::model::worker::worker_binary(),
        runtime: None,
    }
}

/// Build every variant of `scenario` with `params`, run it a few times,
/// and check that it verifies and counts `ops_per_round` per round.
pub fn every_variant_verifies(scenario: &dyn Scenario, params: &[(&str, u64)], ops_per_round: u64) {
    for variant in scenario.info().variants {
        for &model in variant.models {
            let context = context(variant.name, model, params);
            let mut trial: Box<dyn Trial> = scenario.build(&context).expect("trial builds");
            for rounds in [1, 3] {
                let sample = trial.run(rounds).expect("rounds run");
                assert_eq!(sample.ops, rounds * ops_per_round, "{}", variant.name);
            }
            trial.verify().expect("every operation verified");
        }
    }
}
