//! The cache line's protocol: every variant and model on the pairs this
//! machine has, and that a lost or extra turn fails the point.

use super::super::peer::{Step, step};
use super::*;

fn pairs() -> Vec<(usize, usize)> {
    let cpus = crate::model::placement::allowed_cpus();
    let (first, last) = (cpus[0], cpus[cpus.len() - 1]);
    vec![(first, first), (first, last), (last, first)]
}

fn start(protocol: Protocol, cpus: (usize, usize), process: bool) -> Line {
    Line::start(Setup {
        protocol,
        cpus,
        process,
        cancel: CancelToken::default(),
    })
    .unwrap_or_else(|e| panic!("{protocol:?} {cpus:?} process={process}: {e:#}"))
}

#[test]
fn every_protocol_and_model_counts_every_round_trip_on_every_pair() {
    for protocol in [Protocol::Cas, Protocol::OneWay] {
        for process in [false, true] {
            for cpus in pairs() {
                let what = format!("{protocol:?} {cpus:?} process={process}");
                let mut line = start(protocol, cpus, process);
                let sample = line.run(200).unwrap_or_else(|e| panic!("{what}: {e:#}"));
                assert_eq!(sample.ops, 200, "{what}");
                line.run(50).unwrap_or_else(|e| panic!("{what}: {e:#}"));
                assert_eq!(line.round_trips, 251, "{what}: one untimed at the start");
                line.verify().unwrap_or_else(|e| panic!("{what}: {e:#}"));
            }
        }
    }
}

#[test]
fn a_round_trip_the_peer_never_answered_fails_the_point() {
    for process in [false, true] {
        let mut line = start(Protocol::Cas, pairs()[1], process);
        line.run(10).expect("runs");
        line.round_trips += 1;
        let error = line.verify().unwrap_err().to_string();
        assert!(
            error.contains("answered 11 turns in 12 round trips"),
            "{error}"
        );
    }
}

#[test]
fn a_value_out_of_turn_fails_either_side() {
    let mut line = start(Protocol::OneWay, pairs()[1], false);
    line.run(5).expect("runs");
    // The echo line jumps ahead: this side sees a value it never sent.
    line.counter(ECHO).store(99, Release);
    let error = line.run(1).unwrap_err().to_string();
    assert!(error.contains("held 99"), "{error}");
    let region = SharedRegion::new(0).expect("region");
    let c = region.counters();
    c[LINE].store(7, Release);
    assert_eq!(step(c, Protocol::Cas, 0), Step::OutOfTurn);
    assert_eq!(step(c, Protocol::OneWay, 0), Step::OutOfTurn);
    c[LINE].store(0, Release);
    assert_eq!(step(c, Protocol::Cas, 0), Step::Waiting);
    c[LINE].store(1, Release);
    assert_eq!(step(c, Protocol::Cas, 0), Step::Answered);
    assert_eq!(c[LINE].load(Acquire), 2);
}

#[test]
fn a_peer_that_cannot_be_pinned_is_reported() {
    // The highest CPU id an affinity mask can name, where no such CPU
    // exists: pinning there fails whatever the calling thread's own mask
    // is (other tests pin their threads; the mask of this one is not the
    // machine's).
    let cpu = nix::sched::CpuSet::count() - 1;
    if std::path::Path::new(&format!("/sys/devices/system/cpu/cpu{cpu}")).exists() {
        return;
    }
    for process in [false, true] {
        let first = pairs()[0].0;
        let error = Line::start(Setup {
            protocol: Protocol::Cas,
            cpus: (first, cpu),
            process,
            cancel: CancelToken::default(),
        })
        .err()
        .expect("refused")
        .to_string();
        assert!(
            error.contains("pinn") && error.contains(&cpu.to_string()),
            "{error}"
        );
    }
}

#[test]
fn between_samples_the_peer_sleeps_and_the_next_sample_wakes_it() {
    for process in [false, true] {
        let mut line = start(Protocol::Cas, pairs()[1], process);
        line.run(10).expect("runs");
        let deadline = Instant::now() + Duration::from_secs(5);
        while line.region.words()[PARKED].load(SeqCst) == 0 {
            assert!(Instant::now() < deadline, "the peer never slept");
            std::thread::sleep(Duration::from_millis(1));
        }
        line.run(10).expect("runs after the peer slept");
        line.verify().expect("verifies");
    }
}
