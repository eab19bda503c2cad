//! Short names the history's outputs share: a commit id fit for a column,
//! and a point id's scenario and family.

/// A point id's scenario and family (`lock.contended/...` -> `lock.contended`, `lock`).
pub fn scenario_and_family(point: &str) -> (&str, &str) {
    let scenario = point.split('/').next().unwrap_or(point);
    let family = scenario.split('.').next().unwrap_or(scenario);
    (scenario, family)
}

/// A commit id short enough for a column.
pub fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}
