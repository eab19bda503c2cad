//! Short names the history's outputs share: a commit id fit for a column,
//! a point id's scenario and family, a p-value and a count as people read them.

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

/// A p-value as people read it: `= 0.012`, or `< 0.001`.
pub fn p_text(p: f64) -> String {
    if p < 0.001 {
        "< 0.001".into()
    } else {
        format!("= {p:.3}")
    }
}

/// `1 commit`, `3 commits`.
pub fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}
