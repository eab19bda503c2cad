//! Every queue variant moves tiny rounds and proves them; a queue that loses
//! or repeats a message fails verification.

use std::collections::BTreeMap;

use super::crew::Side;
use super::launch::Queue;
use super::message::{Message, Shape};
use super::trial::start_threads;
use super::variants::{Closed, Sender, crossbeam_bounded};
use super::*;
use crate::model::placement::{Placement, allowed_cpus};
use crate::scenario::{CancelToken, Progress, VariantInfo};

/// A trial context; `pinned_cores` is 0 unless `params` says otherwise.
fn context(variant: &'static str, model: Model, params: &[(&str, u64)]) -> TrialContext {
    let mut params: BTreeMap<String, u64> =
        params.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    params.entry("pinned_cores".into()).or_insert(0);
    TrialContext {
        variant,
        model,
        params: Params(params),
        cancel: CancelToken::default(),
        progress: Progress::default(),
        worker_binary: "concbench".into(),
        runtime: None,
    }
}

fn params_for(
    scenario: &QueueScenario,
    topology: (u64, u64),
    payload: u64,
) -> Vec<(&'static str, u64)> {
    let mut params = vec![
        ("producers", topology.0),
        ("consumers", topology.1),
        ("payload_bytes", payload),
        ("messages", 130),
    ];
    if scenario.kind == Kind::Bounded {
        params.push(("capacity", 4));
    }
    params
}

/// Build, run three rounds, verify, and check the counts and latencies.
fn moves_and_proves(
    scenario: &QueueScenario,
    variant: &VariantInfo,
    topology: (u64, u64),
    payload: u64,
) {
    let params = params_for(scenario, topology, payload);
    let context = context(variant.name, variant.models[0], &params);
    let name = format!(
        "{}/{}/{topology:?}/{payload}",
        scenario.info.id, variant.name
    );
    let mut trial = scenario
        .build(&context)
        .unwrap_or_else(|e| panic!("{name}: {e:#}"));
    trial.run(1).unwrap_or_else(|e| panic!("{name}: {e:#}"));
    trial.begin_measurement();
    let sample = trial.run(2).unwrap_or_else(|e| panic!("{name}: {e:#}"));
    assert_eq!(sample.ops, 2 * topology.0 * 130, "{name}");
    trial.verify().unwrap_or_else(|e| panic!("{name}: {e:#}"));
    let latency = trial
        .latency()
        .unwrap_or_else(|| panic!("{name}: no latency"));
    // Sequences 0, 64 and 128 of each producer, in each of the 2 rounds.
    assert_eq!(latency.count, 2 * 3 * topology.0, "{name}");
}

fn every_variant_of(scenario: &QueueScenario) {
    for variant in scenario.info.variants {
        for topology in [(1, 1), (3, 1), (1, 3), (2, 2)] {
            moves_and_proves(scenario, variant, topology, 8);
        }
        moves_and_proves(scenario, variant, (2, 2), 1024);
    }
}

#[test]
fn every_bounded_variant_moves_and_proves_each_topology() {
    every_variant_of(&BOUNDED);
}

#[test]
fn every_unbounded_variant_moves_and_proves_each_topology() {
    every_variant_of(&UNBOUNDED);
}

#[test]
fn every_rendezvous_variant_moves_and_proves_each_topology() {
    every_variant_of(&RENDEZVOUS);
}

#[test]
fn a_capacity_of_one_still_moves_every_message() {
    for variant in BOUNDED.info.variants {
        let mut params = params_for(&BOUNDED, (2, 2), 8);
        params.retain(|(name, _)| *name != "capacity");
        params.push(("capacity", 1));
        let mut trial = BOUNDED
            .build(&context(variant.name, variant.models[0], &params))
            .expect("builds");
        trial.run(2).expect("two rounds");
        trial.verify().expect("every message once");
    }
}

#[test]
fn pinned_workers_run_where_placed_and_still_prove_their_messages() {
    let cpus = allowed_cpus();
    let pinned = if cpus.len() >= 2 { 2 } else { 1 };
    let mut params = params_for(&BOUNDED, (1, 1), 8);
    params.push(("pinned_cores", pinned));
    for variant in BOUNDED.info.variants {
        let mut trial = BOUNDED
            .build(&context(variant.name, variant.models[0], &params))
            .unwrap_or_else(|e| panic!("{}: {e:#}", variant.name));
        trial.run(2).expect("two rounds");
        trial.verify().expect("every message once");
    }
    let placement = Placement::new(pinned).expect("checked above");
    let shape = Shape {
        producers: 2,
        consumers: 1,
        messages: 10,
    };
    let trial = launch::start(
        Queue::Bounded(BoundedQueue::CrossbeamBounded),
        4,
        shape,
        8,
        placement,
    )
    .expect("starts pinned");
    let ids = trial.crew.thread_ids();
    assert_eq!(ids.len(), 3, "two producers and a consumer");
    for (side, thread_id) in ids {
        let allowed = nix::sched::sched_getaffinity(*thread_id).expect("the thread's CPUs");
        let want = match side {
            Side::Producer => placement.first,
            Side::Consumer => placement.second,
        }
        .expect("pinned");
        let on: Vec<usize> = (0..nix::sched::CpuSet::count())
            .filter(|&cpu| allowed.is_set(cpu).unwrap_or(false))
            .collect();
        assert_eq!(on, [want], "{side:?} thread {thread_id}");
    }
}

#[test]
fn a_payload_size_without_a_message_type_is_refused() {
    let params = params_for(&UNBOUNDED, (1, 1), 100);
    let error = UNBOUNDED
        .build(&context(
            UnboundedQueue::CrossbeamUnbounded.name(),
            Model::Thread,
            &params,
        ))
        .err()
        .expect("100 bytes is refused");
    assert!(error.to_string().contains("8 or 1024"), "{error}");
}

#[test]
fn variants_of_another_kind_are_refused() {
    let params = params_for(&RENDEZVOUS, (1, 1), 8);
    let error = RENDEZVOUS
        .build(&context(
            BoundedQueue::ArrayQueue.name(),
            Model::Thread,
            &params,
        ))
        .err()
        .expect("no rendezvous array queue");
    let name = BoundedQueue::ArrayQueue.name();
    assert!(error.to_string().contains(name), "{error}");
}

/// A channel that breaks its promise in a chosen way.
struct Faulty {
    inner: crossbeam::channel::Sender<Message<1>>,
    sent: u64,
    drop_at: Option<u64>,
    repeat_at: Option<u64>,
}

impl Sender<Message<1>> for Faulty {
    fn send(&mut self, item: Message<1>) -> Result<(), Closed> {
        self.sent += 1;
        if Some(self.sent) == self.drop_at {
            return Ok(());
        }
        if Some(self.sent) == self.repeat_at {
            self.inner.send(item).map_err(|_| Closed)?;
        }
        self.inner.send(item).map_err(|_| Closed)
    }
}

fn faulty_run(drop_at: Option<u64>, repeat_at: Option<u64>) -> anyhow::Result<()> {
    let shape = Shape {
        producers: 1,
        consumers: 2,
        messages: 50,
    };
    let (senders, receivers) = crossbeam_bounded::<Message<1>>(8, 1, 2);
    let faulty: Vec<Faulty> = senders
        .into_iter()
        .map(|inner| Faulty {
            inner,
            sent: 0,
            drop_at,
            repeat_at,
        })
        .collect();
    let mut trial = start_threads((faulty, receivers), shape, Placement::UNPINNED)?;
    trial.run(3)?;
    trial.verify()
}

#[test]
fn a_lost_message_fails_verification() {
    faulty_run(None, None).expect("an honest channel verifies");
    let error = faulty_run(Some(70), None).expect_err("message 17 of round 2 was lost");
    assert!(error.to_string().contains("never arrived"), "{error:#}");
    assert!(
        error.to_string().contains("message 17 of producer 0"),
        "{error:#}"
    );
}

#[test]
fn a_repeated_message_fails_verification() {
    let error = faulty_run(None, Some(10)).expect_err("message 9 arrived twice");
    let text = error.to_string();
    assert!(
        text.contains("twice") || text.contains("same message"),
        "{text}"
    );
}

#[test]
fn check_limits_refuses_more_memory_than_the_machine_has() {
    let params = Params(
        [
            ("producers", 64),
            ("consumers", 64),
            ("payload_bytes", 1024),
            ("messages", 1_000_000),
            ("pinned_cores", 0),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), *v))
        .collect(),
    );
    // 64 million 1 KiB messages may wait in an unbounded queue: ~130 GB.
    let why = UNBOUNDED
        .check_limits(Model::Thread, &params)
        .expect_err("more memory than any test machine has");
    assert!(why.contains("MiB of memory"), "{why}");
}
