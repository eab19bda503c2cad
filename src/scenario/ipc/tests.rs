//! The ipc trials at tiny sizes: every transport under both models verifies,
//! a peer that receives wrong bytes says so (and the driving side is not
//! left waiting), and the FIFOs' directory goes with the trial.

use super::link::{self, Setup, TRANSPORTS, Transport};
use super::pattern::{Checker, Pattern};
use super::peer::{Peer, Task};
use super::{PINGPONG, STREAM};
use crate::scenario::{CancelToken, Progress, Scenario, TrialContext};
use crate::vocab::{Model, Params};

fn context(variant: &'static str, model: Model, params: &[(&str, u64)]) -> TrialContext {
    TrialContext {
        variant,
        model,
        params: Params(params.iter().map(|(k, v)| (k.to_string(), *v)).collect()),
        cancel: CancelToken::default(),
        progress: Progress::default(),
        worker_binary: "concbench".into(),
        runtime: None,
    }
}

#[test]
fn every_transport_ping_pongs_and_verifies_under_both_models() {
    for variant in TRANSPORTS.iter().map(|v| v.name) {
        for model in [Model::Process, Model::Thread] {
            let context = context(variant, model, &[("pinned_cores", 0)]);
            let mut trial = PINGPONG.build(&context).expect("builds");
            // 300 round trips: the byte sequence wraps past 255.
            let sample = trial.run(300).expect("round trips");
            assert_eq!(sample.ops, 300, "{variant}/{model:?}");
            trial
                .verify()
                .unwrap_or_else(|e| panic!("{variant}/{model:?}: {e:#}"));
        }
    }
}

#[test]
fn every_transport_streams_checked_bytes_at_awkward_sizes() {
    // 1 B; a size that is not a power of two; one that mqueue and datagrams
    // must cut into pieces.
    for (message_bytes, round_bytes) in [(1u64, 500u64), (3001, 150_000), (70_000, 150_000)] {
        for variant in TRANSPORTS.iter().map(|v| v.name) {
            let model = if message_bytes == 3001 {
                Model::Thread
            } else {
                Model::Process
            };
            let params = [
                ("message_bytes", message_bytes),
                ("round_bytes", round_bytes),
            ];
            let mut trial = STREAM
                .build(&context(variant, model, &params))
                .expect("builds");
            let sample = trial.run(2).expect("two rounds");
            assert_eq!(sample.ops, 2 * round_bytes.div_ceil(message_bytes));
            trial
                .verify()
                .unwrap_or_else(|e| panic!("{variant}/{message_bytes}: {e:#}"));
        }
    }
}

#[test]
fn a_peer_that_gets_a_wrong_byte_stops_and_says_so() {
    for variant in TRANSPORTS.iter().map(|v| v.name) {
        let transport = Transport::of(variant).expect("a transport");
        for process in [true, false] {
            let setup = Setup {
                largest_message: 1,
                across_processes: process,
                ring_bytes: 4096,
            };
            let (mut ours, theirs) = link::connect(transport, setup).expect("link");
            let mut peer =
                Peer::start(process, theirs, Task::Echo { first: 1 }, None).expect("peer");
            ours.send(&[9]).expect("send");
            // The peer closes its end instead of answering.
            assert!(
                matches!(ours.recv(&mut [0u8; 1]), Ok(0) | Err(_)),
                "{variant}"
            );
            let error = peer.stop(|| Ok(())).expect_err("the peer failed");
            assert!(
                error.to_string().contains("wrong data"),
                "{variant}: {error:#}"
            );
        }
    }
}

#[test]
fn a_stream_peer_rejects_a_corrupted_message() {
    let transports = [
        Transport::Pipe,
        Transport::Mqueue,
        Transport::ShmRing,
        Transport::UnixDatagram,
    ];
    for transport in transports {
        let variant = transport.name();
        let setup = Setup {
            largest_message: 100,
            across_processes: true,
            ring_bytes: 4096,
        };
        let (mut ours, theirs) = link::connect(transport, setup).expect("link");
        let pattern = Pattern::new(100);
        let task = Task::Sink {
            checker: Checker::new(pattern.clone()),
            round_bytes: 1000,
            buffer: vec![0; 100],
        };
        let mut peer = Peer::start(true, theirs, task, None).expect("peer");
        let mut message = pattern.buffer();
        pattern.stamp(&mut message, 0);
        ours.send(&message).expect("a good message");
        message[50] ^= 1;
        pattern.stamp(&mut message, 1);
        ours.send(&message).expect("a corrupted message");
        let mut ack = [0u8; 100];
        assert!(matches!(ours.recv(&mut ack), Ok(0) | Err(_)), "{variant}");
        let error = peer.stop(|| Ok(())).expect_err("the peer failed");
        assert!(
            error.to_string().contains("wrong data at 100"),
            "{variant}: {error:#}"
        );
    }
}

#[test]
fn the_fifo_directory_exists_while_the_trial_runs_and_goes_with_it() {
    // A scratch root of this test's own: sibling tests make FIFOs too.
    let own = tempfile::tempdir().expect("a root for this test");
    crate::model::scratch::use_own_root_on_this_thread(own.path().to_path_buf());
    let fifo_dirs = || -> Vec<std::path::PathBuf> {
        std::fs::read_dir(own.path())
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.to_string_lossy().contains("ipc-fifo-"))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert!(fifo_dirs().is_empty());
    let mut trial = PINGPONG
        .build(&context(
            Transport::Fifo.name(),
            Model::Process,
            &[("pinned_cores", 0)],
        ))
        .expect("builds");
    let during = fifo_dirs();
    assert_eq!(during.len(), 1, "one FIFO directory: {during:?}");
    let fifos = std::fs::read_dir(&during[0])
        .expect("the directory")
        .count();
    assert_eq!(fifos, 2, "two FIFOs in it");
    trial.run(10).expect("round trips");
    trial.verify().expect("verifies");
    drop(trial);
    assert!(!during[0].exists(), "{} was removed", during[0].display());
}

#[test]
fn mqueue_points_are_checked_and_pinning_beyond_the_cpus_is_refused() {
    let params = Params([("message_bytes".to_string(), 4096)].into());
    // This kernel has message queues; where it has not, the reason is named.
    if let Err(why) = STREAM.check_variant_limits(Transport::Mqueue.name(), Model::Process, &params)
    {
        assert!(why.contains("POSIX message queues"), "{why}");
    }
    let cpus = crate::model::placement::allowed_cpus().len() as u64;
    let too_many = Params([("pinned_cores".to_string(), cpus + 1)].into());
    if cpus < 2 {
        let why = PINGPONG
            .check_variant_limits(Transport::Pipe.name(), Model::Process, &too_many)
            .expect_err("not enough CPUs");
        assert!(why.contains("pinned_cores"), "{why}");
    }
}

#[test]
fn a_cancelled_point_stops_instead_of_finishing_its_rounds() {
    for scenario in [&PINGPONG, &STREAM] {
        let params = [
            ("pinned_cores", 0),
            ("message_bytes", 64),
            ("round_bytes", 64 << 20),
        ];
        let context = context(Transport::Pipe.name(), Model::Thread, &params);
        let mut trial = scenario.build(&context).expect("builds");
        context.cancel.cancel();
        let error = trial.run(1 << 30).expect_err("the watchdog said stop");
        assert!(error.to_string().contains("cancelled"), "{error:#}");
    }
}
