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
    let score = |candidate: &str| {
        std::iter::once(candidate)
            .chain(candidate.split('/'))
            .map(|part| strsim::jaro_winkler(wanted, part))
            .fold(0.0, f64::max)
    };
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
    use super::{closest, matches_filter};

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
