//! A worker served from a script of request lines: what it answers, and
//! what it measures of its own samples.

use super::*;

fn session(lines: &[&str]) -> Vec<Reply> {
    let input = lines.join("\n");
    let mut output = Vec::new();
    assert_eq!(serve(input.as_bytes(), &mut output), 0);
    String::from_utf8(output)
        .expect("UTF-8")
        .lines()
        .map(|l| Reply::parse(l).expect("the worker speaks the protocol"))
        .collect()
}

/// Request lines, one per read, with a pause before line `pause_at`
/// (the other build's samples, interleaved).
struct Paced {
    lines: std::collections::VecDeque<String>,
    next: usize,
    pause_at: usize,
    pause: Duration,
}

impl std::io::Read for Paced {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let Some(line) = self.lines.pop_front() else {
            return Ok(0);
        };
        if self.next == self.pause_at {
            std::thread::sleep(self.pause);
        }
        self.next += 1;
        let bytes = format!("{line}\n").into_bytes();
        buf[..bytes.len()].copy_from_slice(&bytes);
        Ok(bytes.len())
    }
}

#[test]
fn a_sides_wall_time_is_its_own_samples_not_the_other_sides_in_between() {
    let lines = [
        "build lock.counter std_mutex thread threads=1 0",
        "warm 5 1000000",
        "sample 2",
        "sample 2",
        "verify",
        "quit",
    ];
    let gap = Duration::from_millis(300);
    let input = Paced {
        lines: lines.iter().map(|l| l.to_string()).collect(),
        next: 0,
        pause_at: 3,
        pause: gap,
    };
    let mut output = Vec::new();
    assert_eq!(serve(std::io::BufReader::new(input), &mut output), 0);
    let replies: Vec<Reply> = String::from_utf8(output)
        .expect("UTF-8")
        .lines()
        .map(|l| Reply::parse(l).expect("the worker speaks the protocol"))
        .collect();
    let sampled: u64 = replies[3..5]
        .iter()
        .map(|r| match r {
            Reply::Sample { ns, .. } => *ns,
            other => panic!("{other:?}"),
        })
        .sum();
    let Reply::Verified(verified) = &replies[5] else {
        panic!("{:?}", replies[5]);
    };
    let wall = verified.resources.wall_ns;
    assert!(wall >= sampled, "{wall} ns holds the samples' {sampled} ns");
    assert!(
        wall < gap.as_nanos() as u64,
        "{wall} ns: the {gap:?} between the samples is the other side's"
    );
}

#[test]
fn a_point_is_built_warmed_sampled_verified_and_dropped() {
    let replies = session(&[
        "build lock.counter std_mutex thread threads=1 0",
        "warm 5 1000000",
        "sample 2",
        "sample 2",
        "verify",
        "drop",
        "quit",
    ]);
    assert_eq!(replies[0], Reply::Hello { version: VERSION });
    assert_eq!(replies[1], Reply::Built);
    assert!(matches!(replies[2], Reply::Warmed { rounds, .. } if rounds >= 1));
    for reply in &replies[3..5] {
        // This build observes placement: every sample says where it ran.
        assert!(
            matches!(reply, Reply::Sample { ops, ns, placement: Some(_) } if *ops > 0 && *ns > 0)
        );
    }
    assert!(matches!(&replies[5], Reply::Verified(v) if v.resources.wall_ns > 0));
    assert_eq!(replies[6], Reply::Dropped);
}

#[test]
fn what_this_build_lacks_is_an_error_and_the_worker_goes_on() {
    let replies = session(&[
        "build no.such thread thread - 0",
        "build lock.counter std_mutex thread nope=1 0",
        "build lock.counter std_mutex thread threads=100000 0",
        "sample 3",
        "gibberish",
        "build selftest.fault ok serial - 0",
        "quit",
    ]);
    let errors: Vec<&str> = replies[1..6]
        .iter()
        .map(|r| match r {
            Reply::Error(why) => why.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(errors[0].contains("no scenario `no.such`"), "{}", errors[0]);
    assert!(errors[1].contains("no parameter `nope`"), "{}", errors[1]);
    assert!(errors[2].contains("out of range"), "{}", errors[2]);
    assert!(errors[3].contains("no point is built"), "{}", errors[3]);
    assert!(errors[4].contains("not a request"), "{}", errors[4]);
    assert_eq!(replies[6], Reply::Built, "the worker went on");
}

#[test]
fn a_panicking_or_miscounting_trial_is_an_error_and_the_worker_goes_on() {
    let replies = session(&[
        "build selftest.fault panic serial - 0",
        "warm 1 1000000",
        "sample 1",
        "build selftest.fault miscount serial - 0",
        "warm 1 1000000",
        "sample 1",
        "verify",
        "host",
        "quit",
    ]);
    assert_eq!(replies[1], Reply::Built);
    assert!(
        matches!(&replies[2], Reply::Error(why) if why.contains("panicked")),
        "{:?}",
        replies[2]
    );
    assert!(matches!(&replies[3], Reply::Error(why) if why.contains("no point is built")));
    assert_eq!(replies[4], Reply::Built);
    assert!(
        matches!(&replies[7], Reply::Error(why) if why.contains("verification failed")),
        "{:?}",
        replies[7]
    );
    assert!(matches!(replies[8], Reply::Host(_)));
}
