//! Choosing among ids: `--filter` patterns, the closest known names to
//! suggest when something matches nothing, and one point per id.

use std::collections::BTreeSet;

/// A filter matches an id it is a substring of; `*` matches any run of characters.
pub fn matches_filter(pattern: &str, id: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return true;
    };
    let Some(mut rest) = id.find(first).map(|at| &id[at + first.len()..]) else {
        return false;
    };
    for part in parts {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// The `n` candidates closest to `wanted`, comparing it with each whole
/// candidate and with each of its `/`-separated parts.
pub fn closest(wanted: &str, candidates: &[impl AsRef<str>], n: usize) -> Vec<String> {
    let score = |candidate: &str| best_part_score(wanted, candidate);
    let mut scored: Vec<(f64, &str)> = candidates
        .iter()
        .map(|c| (score(c.as_ref()), c.as_ref()))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored
        .into_iter()
        .take(n)
        .map(|(_, c)| c.to_string())
        .collect()
}

/// How close (Jaro-Winkler, 0 to 1) an id or one of its parts must be to
/// a pattern to be offered as what the user meant.
const SIMILAR: f64 = 0.85;

/// What to tell a user whose `--filter` matched nothing: ids that look
/// like the pattern; else, a scenario it names that the suite lacks; else
/// the suite's scenarios.
pub fn suggestion(
    pattern: &str,
    ids: &[String],
    registered: &[&str],
    suite: &std::path::Path,
) -> String {
    let similar: Vec<String> = closest(pattern, ids, 3)
        .into_iter()
        .filter(|id| best_part_score(pattern, id) >= SIMILAR)
        .collect();
    if !similar.is_empty() {
        return format!("closest ids: {}", similar.join(", "));
    }
    let elsewhere: Vec<&str> = registered
        .iter()
        .copied()
        .filter(|s| {
            matches_filter(pattern, s) && !ids.iter().any(|id| id.starts_with(&format!("{s}/")))
        })
        .collect();
    if !elsewhere.is_empty() {
        return format!(
            "{} not in {} (`concbench list` shows every scenario; name a suite that has it with --config)",
            elsewhere.join(", "),
            suite.display()
        );
    }
    let mut seen = BTreeSet::new();
    let scenarios: Vec<&str> = ids
        .iter()
        .filter_map(|id| id.split('/').next())
        .filter(|s| seen.insert(*s))
        .collect();
    format!("the suite's scenarios: {}", scenarios.join(", "))
}

fn best_part_score(wanted: &str, candidate: &str) -> f64 {
    std::iter::once(candidate)
        .chain(candidate.split('/'))
        .map(|part| strsim::jaro_winkler(wanted, part))
        .fold(0.0, f64::max)
}

/// ` (did you mean `x`? known: a, b, c)` for an unknown name.
pub(super) fn hint(wanted: &str, known: &[&str]) -> String {
    match closest(wanted, known, 1).first() {
        Some(best) => format!(" (did you mean `{best}`? known: {})", known.join(", ")),
        None => String::new(),
    }
}

/// Keep the first item of each id: two entries of a suite can name the same
/// point (`k = 1` in one, `k = "cores"` in the next, on a one-core machine),
/// and a run measures each point once, with the first entry's settings.
pub fn first_of_each_id<T>(items: &mut Vec<T>, id: impl Fn(&T) -> String) {
    let mut seen = BTreeSet::new();
    items.retain(|item| seen.insert(id(item)));
}

#[cfg(test)]
mod tests {
    use super::{closest, matches_filter, suggestion};

    #[test]
    fn a_filter_like_nothing_lists_scenarios_not_unrelated_ids() {
        let ids: Vec<String> = [
            "queue.bounded/flume/thread/n=1",
            "sync.barrier/std_barrier/thread/n=2",
        ]
        .map(String::from)
        .to_vec();
        let path = std::path::Path::new("configs/quick.toml");
        let told = suggestion("selftest", &ids, &["selftest.fault", "queue.bounded"], path);
        assert!(
            told.starts_with("selftest.fault not in configs/quick.toml"),
            "{told}"
        );
        let told = suggestion("zzz", &ids, &["queue.bounded"], path);
        assert_eq!(told, "the suite's scenarios: queue.bounded, sync.barrier");
        let told = suggestion("flum", &ids, &[], path);
        assert_eq!(told, "closest ids: queue.bounded/flume/thread/n=1");
    }

    #[test]
    fn filters_are_substrings_with_wildcards() {
        let id = "spawn.start/std_thread/thread/workers=1000";
        assert!(matches_filter("std_thread", id));
        assert!(matches_filter("spawn.*thread*1000", id));
        assert!(matches_filter("*", id));
        assert!(!matches_filter("fork", id));
        assert!(!matches_filter("thread*spawn", id));
    }

    #[test]
    fn closest_prefers_the_matching_part() {
        let ids = [
            "spawn.start/fork/process/workers=10",
            "spawn.start/std_thread/thread/workers=10",
        ];
        assert_eq!(closest("std_thred", &ids, 1), vec![ids[1].to_string()]);
    }
}
