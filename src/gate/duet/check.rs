//! What the controller checks of a block's `sample` replies before it
//! compares them: both builds report the same operations for the same
//! rounds (`same_count`: a build whose counting changed has a different time
//! per operation for the same work), and each build's times fit the
//! controller's own clock of its requests (`SideCheck`, `model::clock`: a
//! build that times only part of a sample looks faster than it is). A reply
//! that fails either makes the point not comparable, saying why.

use std::time::Duration;

use crate::model::clock::RequestClock;
use crate::vocab::Sample;

/// One side's replies in a block, against the controller's clock.
#[derive(Debug)]
pub struct SideCheck {
    /// `base` or `new`.
    name: &'static str,
    clock: RequestClock,
}

impl SideCheck {
    pub fn new(name: &'static str) -> SideCheck {
        SideCheck {
            name,
            clock: RequestClock::default(),
        }
    }

    /// A trivial request's round trip (see `RequestClock::probe`).
    pub fn probe(&mut self, took: Duration) {
        self.clock.probe(took);
    }

    /// A sample of `rounds` whose request took `asked`: Err when the
    /// reported time is longer than the request.
    pub fn sample(&mut self, rounds: u64, sample: Sample, asked: Duration) -> Result<(), String> {
        let asked_ns = asked.as_nanos() as u64;
        self.clock.record(asked_ns, sample.ns);
        if sample.ns > asked_ns {
            return Err(format!(
                "the {} build says a sample of {rounds} rounds took {} ns, longer than the \
                 {asked_ns} ns its request took by the controller's clock",
                self.name, sample.ns
            ));
        }
        Ok(())
    }

    /// At the block's end: the side's samples against its requests.
    pub fn finish(&self) -> Result<(), String> {
        self.clock
            .check()
            .map_err(|why| format!("the {} build {why}", self.name))
    }
}

/// One pair of samples of `rounds` each: Err unless both builds did the
/// same operations.
pub fn same_count(rounds: u64, base: Sample, new: Sample) -> Result<(), String> {
    if base.ops == new.ops {
        return Ok(());
    }
    Err(format!(
        "the builds' counting changed: in {rounds} rounds the base build did {} operations, \
         the new build {}, so their times per operation do not compare",
        base.ops, new.ops
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    fn sample(ops: u64, ns: u64) -> Sample {
        Sample { ops, ns }
    }

    #[test]
    fn a_pair_must_count_the_same_operations() {
        assert_eq!(same_count(10, sample(20, 5), sample(20, 9)), Ok(()));
        let why = same_count(10, sample(20, 5), sample(40, 5)).expect_err("2x the ops");
        assert!(why.contains("counting changed"), "{why}");
        assert!(why.contains("base build did 20"), "{why}");
        assert!(why.contains("new build 40"), "{why}");
    }

    #[test]
    fn a_sample_longer_than_its_request_or_a_fifth_of_it_is_refused() {
        let longer = SideCheck::new("new")
            .sample(3, sample(3, 5 * MS), Duration::from_millis(4))
            .expect_err("longer than asked");
        assert!(longer.contains("the new build says"), "{longer}");
        let (mut base, mut new) = (SideCheck::new("base"), SideCheck::new("new"));
        for side in [&mut base, &mut new] {
            side.probe(Duration::from_micros(60));
        }
        for _ in 0..8 {
            let asked = Duration::from_micros(4100);
            base.sample(9, sample(9, 4 * MS), asked).expect("fits");
            new.sample(9, sample(9, 4 * MS / 5), asked)
                .expect("fits below its request");
        }
        assert_eq!(base.finish(), Ok(()));
        let why = new.finish().expect_err("a fifth of the time");
        assert!(why.starts_with("the new build reported times"), "{why}");
        assert!(why.contains("controller's clock"), "{why}");
    }
}
