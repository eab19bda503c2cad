//! Which points are measured together, in interleaved rounds: the points a
//! report compares with each other. That is every point of a scenario whose
//! parameters match apart from its worker count (`throughput_vs`): the
//! variants at the same parameters, a parallel point and its serial
//! reference, a scaling series. Measured in the same seconds, their ratios
//! are round by round and the machine's drift cancels. Known by rule, not
//! by scenario name.

use std::collections::BTreeMap;

use super::Point;
use crate::vocab::{Family, Params};

/// The points of `points` in groups, by index: each group's points in plan
/// order, the groups in the order of their first point. A point with no
/// partner, one meant to fail (`expect`), or a self-test (they exist to
/// misbehave) is a group of its own.
pub fn paired_groups(points: &[Point]) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut by_key: BTreeMap<String, usize> = BTreeMap::new();
    for (index, point) in points.iter().enumerate() {
        let Some(key) = group_key(point) else {
            groups.push(vec![index]);
            continue;
        };
        match by_key.get(&key) {
            Some(&group) => groups[group].push(index),
            None => {
                by_key.insert(key, groups.len());
                groups.push(vec![index]);
            }
        }
    }
    groups
}

/// The name of the group `point` belongs in (its scenario and parameters,
/// less the worker count, and the number of fresh processes it is measured
/// in when several: points measured in different numbers of processes are
/// not measured in the same rounds), or None when it is measured alone.
pub fn group_key(point: &Point) -> Option<String> {
    let info = point.scenario.info();
    if point.expect.is_some() || info.family == Family::Selftest {
        return None;
    }
    let shared = Params(
        point
            .params
            .0
            .iter()
            .filter(|(name, _)| Some(name.as_str()) != info.throughput_vs)
            .map(|(name, value)| (name.clone(), *value))
            .collect(),
    );
    let mut key = if shared.0.is_empty() {
        info.id.to_string()
    } else {
        format!("{} {}", info.id, shared.label())
    };
    if point.settings.processes > 1 {
        key.push_str(&format!(" in {} processes", point.settings.processes));
    }
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Settings;
    use crate::vocab::{Model, Status};

    fn point(scenario: &str, variant: &'static str, model: Model, params: &[(&str, u64)]) -> Point {
        Point {
            scenario: crate::scenario::registry::find(scenario).expect("registered"),
            variant,
            model,
            params: Params(params.iter().map(|(n, v)| (n.to_string(), *v)).collect()),
            settings: Settings::default(),
            expect: None,
            runtime: None,
        }
    }

    #[test]
    fn a_serial_reference_and_its_parallel_points_share_a_group_across_k() {
        let work = |k| [("chunks", 64), ("points", 1000), ("k", k)];
        let points = vec![
            point("cpu.split", "serial", Model::Serial, &work(1)),
            point("cpu.split", "thread", Model::Thread, &work(1)),
            point("cpu.split", "thread", Model::Thread, &work(2)),
            point(
                "cpu.split",
                "thread",
                Model::Thread,
                &[("chunks", 32), ("points", 1000), ("k", 2)],
            ),
        ];
        assert_eq!(paired_groups(&points), vec![vec![0, 1, 2], vec![3]]);
    }

    #[test]
    fn points_measured_in_different_numbers_of_processes_are_not_grouped() {
        let work = [("chunks", 64), ("points", 1000), ("k", 1)];
        let mut drawn = point("cpu.split", "serial", Model::Serial, &work);
        drawn.settings.processes = 6;
        let mut also_drawn = point("cpu.split", "thread", Model::Thread, &work);
        also_drawn.settings.processes = 6;
        let points = vec![
            drawn,
            point("cpu.split", "rayon", Model::Pool, &work),
            also_drawn,
        ];
        assert_eq!(paired_groups(&points), vec![vec![0, 2], vec![1]]);
        assert!(
            group_key(&points[0])
                .expect("grouped")
                .ends_with(" in 6 processes")
        );
    }

    #[test]
    fn points_meant_to_fail_and_self_tests_are_measured_alone() {
        let mut deadlock = point("cpu.split", "thread", Model::Thread, &[("k", 2)]);
        deadlock.expect = Some(Status::Deadlocked);
        let points = vec![
            point("cpu.split", "serial", Model::Serial, &[("k", 1)]),
            deadlock,
            point("selftest.fault", "ok", Model::Thread, &[]),
            point("selftest.fault", "ok", Model::Thread, &[]),
        ];
        assert_eq!(
            paired_groups(&points),
            vec![vec![0], vec![1], vec![2], vec![3]]
        );
    }
}
