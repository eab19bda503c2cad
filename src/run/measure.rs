//! One paired group measured in this process: together in interleaved
//! rounds, alone when it is one point, or skipped once the run was
//! interrupted. The run and each of its draw processes measure through it.

use crate::plan::Point;
use crate::results::PointResult;

/// One group's results: measured together, alone when it is one point, or
/// skipped when the run was interrupted.
pub fn measure_group(points: &[Point], label: &str) -> Vec<PointResult> {
    if let Some(signal) = crate::interrupt::received() {
        let why = format!(
            "not run: the run was interrupted by {}",
            crate::interrupt::name(signal)
        );
        return points
            .iter()
            .map(|point| crate::harness::skipped(point, why.clone()))
            .collect();
    }
    match points {
        [one] => vec![crate::harness::run_point(one)],
        _ => crate::harness::group::run_group(points, label),
    }
}
