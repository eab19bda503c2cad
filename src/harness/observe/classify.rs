//! A sample's placement class from its parties' readings at its start and
//! end: which parties ran, where, and whether any moved.

use super::tasks::TaskState;
use crate::results::{PlacementClass, SamplePlacement};

/// A party ran during a sample when it used at least this share of the
/// sample's wall time: an idle pool thread or a parked helper does not
/// decide where the work happened.
const ACTIVE_SHARE: f64 = 0.01;

/// The placement of one sample of `wall_ns`, from each party's state at its
/// start and end (a party that came or went during the sample is left out).
pub fn classify(pairs: &[(TaskState, TaskState)], wall_ns: u64) -> SamplePlacement {
    let threshold = (wall_ns as f64 * ACTIVE_SHARE) as u64;
    let mut placement = SamplePlacement::new(PlacementClass::Single);
    let mut moved = false;
    for (start, end) in pairs {
        let ran = end.cpu_ns.saturating_sub(start.cpu_ns);
        let migrations = end.migrations.saturating_sub(start.migrations);
        placement.migrations += migrations;
        placement.voluntary += end.voluntary.saturating_sub(start.voluntary);
        placement.involuntary += end.involuntary.saturating_sub(start.involuntary);
        placement.cpu_ns += ran;
        if ran >= threshold.max(1) {
            placement.active += 1;
            placement.cpus_start.push(start.cpu);
            placement.cpus_end.push(end.cpu);
            moved |= migrations > 0 || start.cpu != end.cpu;
        }
    }
    placement.class = class_of(placement.active, moved, &placement.cpus_end);
    placement
}

fn class_of(active: u32, moved: bool, cpus: &[u32]) -> PlacementClass {
    if active < 2 {
        PlacementClass::Single
    } else if moved {
        PlacementClass::Moved
    } else if cpus.iter().all(|&c| c == cpus[0]) {
        PlacementClass::SameCpu
    } else {
        PlacementClass::Spread
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(cpu: u32, cpu_ns: u64, migrations: u64) -> TaskState {
        TaskState {
            cpu,
            cpu_ns,
            migrations,
            voluntary: 0,
            involuntary: 0,
        }
    }

    #[test]
    fn parties_that_ran_decide_the_class() {
        let ms = 1_000_000;
        // Two parties that ran on CPU 0 throughout, and an idle one on 1.
        let same = [
            (state(0, 0, 0), state(0, 5 * ms, 0)),
            (state(0, 0, 0), state(0, 4 * ms, 0)),
            (state(1, 0, 0), state(1, 0, 0)),
        ];
        let p = classify(&same, 10 * ms);
        assert_eq!((p.class, p.active), (PlacementClass::SameCpu, 2));
        assert_eq!(p.cpu_ns, 9 * ms);
        // On two CPUs, staying put.
        let spread = [
            (state(0, 0, 0), state(0, 9 * ms, 0)),
            (state(1, 0, 0), state(1, 9 * ms, 0)),
        ];
        assert_eq!(classify(&spread, 10 * ms).class, PlacementClass::Spread);
        // One migrated (counted, or seen on another CPU at the end).
        let moved = [
            (state(0, 0, 0), state(0, 9 * ms, 1)),
            (state(1, 0, 0), state(1, 9 * ms, 0)),
        ];
        assert_eq!(classify(&moved, 10 * ms).class, PlacementClass::Moved);
        let hopped = [
            (state(0, 0, 0), state(1, 9 * ms, 0)),
            (state(1, 0, 0), state(1, 9 * ms, 0)),
        ];
        assert_eq!(classify(&hopped, 10 * ms).class, PlacementClass::Moved);
        // Only one ran: nothing shared.
        let single = [
            (state(0, 0, 0), state(0, 9 * ms, 3)),
            (state(1, 0, 0), state(1, 0, 0)),
        ];
        let p = classify(&single, 10 * ms);
        assert_eq!((p.class, p.migrations), (PlacementClass::Single, 3));
    }
}
