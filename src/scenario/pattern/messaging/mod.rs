//! The message-passing patterns of the pattern family: an actor ring, pub/sub
//! fan-out, futures collected as they complete or in order, and a worker pool
//! built on a queue. Each scenario is described here; its trials live in one
//! file each.

mod condvar_pool;
mod fanout;
mod futures;
mod pool;
mod pubsub;
mod ring;
mod work;

use crate::scenario::{Scenario, ScenarioInfo, Trial, TrialContext};
use crate::vocab::{Family, Model, ParamSpec, Params};
use fanout::PUBSUB_VARIANTS;
use futures::FUTURES_VARIANTS;
use pool::WORKER_POOL_VARIANTS;
use ring::ACTOR_RING_VARIANTS;

/// The message-passing scenarios, in listing order.
pub fn scenarios() -> Vec<&'static dyn Scenario> {
    vec![&ACTOR_RING, &PUBSUB, &FUTURES, &WORKER_POOL]
}

/// A scenario whose trial and limit checks are plain functions.
pub struct MessagingScenario {
    info: ScenarioInfo,
    build: fn(&TrialContext) -> anyhow::Result<Box<dyn Trial>>,
    /// Threads the point starts (for RLIMIT_NPROC and memory), if any.
    threads: fn(Model, &Params) -> anyhow::Result<u64>,
    /// Operations per round where the parameters alone say
    /// (`Scenario::ops_per_round`).
    ops_per_round: Option<fn(&Params) -> anyhow::Result<u64>>,
}

impl Scenario for MessagingScenario {
    fn info(&self) -> &ScenarioInfo {
        &self.info
    }

    fn build(&self, context: &TrialContext) -> anyhow::Result<Box<dyn Trial>> {
        (self.build)(context)
    }

    fn ops_per_round(&self, params: &Params) -> anyhow::Result<Option<u64>> {
        self.ops_per_round.map(|count| count(params)).transpose()
    }

    fn check_limits(&self, model: Model, params: &Params) -> Result<(), String> {
        let threads = (self.threads)(model, params).map_err(|e| e.to_string())?;
        if threads == 0 {
            return Ok(());
        }
        let what = format!("{} with {}", self.info.id, params.label());
        crate::model::limits::check_memory(threads * work::THREAD_STACK as u64, &what)?;
        crate::model::limits::check_tasks(threads, &what)
    }
}

/// `pattern.actor_ring`: a token passed M times around K mailboxes.
pub static ACTOR_RING: MessagingScenario = MessagingScenario {
    info: ScenarioInfo {
        id: "pattern.actor_ring",
        family: Family::Pattern,
        summary: "K actors, each with a mailbox, pass one token M laps around a ring: ns per hop",
        unit: "hop",
        variants: ACTOR_RING_VARIANTS,
        params: &[
            ParamSpec {
                name: "actors",
                default: 8,
                min: 2,
                max: 10_000,
                help: "actors in the ring (a ring needs at least 2)",
            },
            ParamSpec {
                name: "laps",
                default: 100,
                min: 1,
                max: 1_000_000,
                help: "times the token goes around the ring per round",
            },
        ],
        throughput_vs: None,
    },
    build: ring::build,
    ops_per_round: None,
    threads: |model, params| match model {
        Model::Thread => params.get("actors"),
        _ => Ok(0),
    },
};

/// `pattern.pubsub`: one publisher fanning messages out to K subscribers.
pub static PUBSUB: MessagingScenario = MessagingScenario {
    info: ScenarioInfo {
        id: "pattern.pubsub",
        family: Family::Pattern,
        summary: "one publisher, K subscribers that each receive every message in order",
        unit: "delivered message",
        variants: PUBSUB_VARIANTS,
        params: &[
            ParamSpec {
                name: "subscribers",
                default: 4,
                min: 1,
                max: 4096,
                help: "subscribers that each receive every message",
            },
            ParamSpec {
                name: "messages",
                default: 1000,
                min: 1,
                max: 100_000,
                help: "messages published per round",
            },
        ],
        throughput_vs: None,
    },
    build: pubsub::build,
    ops_per_round: None,
    threads: |model, params| match model {
        Model::Thread => params.get("subscribers"),
        _ => Ok(0),
    },
};

/// `pattern.futures`: K uneven tasks, results collected two ways.
pub static FUTURES: MessagingScenario = MessagingScenario {
    info: ScenarioInfo {
        id: "pattern.futures",
        family: Family::Pattern,
        summary: "K tasks of uneven length (task 0 the longest): results as they complete vs in submission order",
        unit: "task",
        variants: FUTURES_VARIANTS,
        params: &[
            ParamSpec {
                name: "tasks",
                default: 16,
                min: 1,
                max: 100_000,
                help: "tasks submitted per round",
            },
            ParamSpec {
                name: "unit_us",
                default: 20,
                min: 1,
                max: 100_000,
                help: "CPU time of one length unit, in microseconds",
            },
            ParamSpec {
                name: "spread",
                default: 8,
                min: 1,
                max: 1000,
                help: "task lengths run from 1 to this many units (task 0 the longest)",
            },
        ],
        throughput_vs: None,
    },
    build: futures::build,
    ops_per_round: Some(futures::round_ops),
    threads: |_, _| Ok(0),
};

/// `pattern.worker_pool`: a hand-written queue pool against rayon.
pub static WORKER_POOL: MessagingScenario = MessagingScenario {
    info: ScenarioInfo {
        id: "pattern.worker_pool",
        family: Family::Pattern,
        summary: "N tasks submitted one by one to a pool of W long-lived workers; results collected",
        unit: "task",
        variants: WORKER_POOL_VARIANTS,
        params: &[
            ParamSpec {
                name: "workers",
                default: 4,
                min: 1,
                max: 1024,
                help: "worker threads in the pool",
            },
            ParamSpec {
                name: "tasks",
                default: 1000,
                min: 1,
                max: 1_000_000,
                help: "tasks submitted per round",
            },
            ParamSpec {
                name: "task_us",
                default: 10,
                min: 0,
                max: 100_000,
                help: "CPU time of one task, in microseconds (0: dispatch cost only)",
            },
        ],
        throughput_vs: Some("workers"),
    },
    build: pool::build,
    ops_per_round: None,
    threads: |_, params| params.get("workers"),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenario_belongs_to_the_pattern_family_and_has_variants() {
        for scenario in scenarios() {
            let info = scenario.info();
            assert!(info.id.starts_with("pattern."), "{}", info.id);
            assert_eq!(info.family, Family::Pattern);
            assert!(!info.variants.is_empty());
            for spec in info.params {
                assert!(spec.min <= spec.default && spec.default <= spec.max);
            }
        }
    }

    #[test]
    fn a_ring_needs_two_actors() {
        let actors = ACTOR_RING.info.param("actors").expect("declared");
        assert_eq!(actors.min, 2);
    }
}
