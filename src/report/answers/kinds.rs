//! Questions whose variants do not all measure the same operation: each
//! kind is ranked apart, in a clause of its own that says what it measures.
//! spawn.start times a thread or process started and finished per worker,
//! but rayon's and tokio's workers are tasks on threads the pool or runtime
//! started before the timing: ranked together, a task "beat" a thread start.
//! A leaf: the answers module ranks, this one says what to rank apart.

use crate::vocab::Model;

/// One kind of operation among a question's variants.
pub struct Kind {
    /// What its points measure, as the answer states it.
    pub what: &'static str,
    pub models: &'static [Model],
}

/// The scenarios whose Rust variants are ranked by kind, and their kinds in
/// the order answered.
const KINDS: &[(&str, &[Kind])] = &[(
    "spawn.start",
    &[
        Kind {
            what: "A thread or process per worker (each started and awaited inside the timing)",
            models: &[Model::Thread, Model::Process],
        },
        Kind {
            what: "A task per worker on a pool or runtime already running (its threads \
                   started before the timing: the cost of a task, not of a thread)",
            models: &[Model::Pool, Model::Async],
        },
    ],
)];

/// The kinds a question on `scenario`'s Rust variants ranks apart (none:
/// all of them together).
pub fn of(scenario: &str) -> &'static [Kind] {
    KINDS
        .iter()
        .find(|(id, _)| *id == scenario)
        .map_or(&[], |(_, kinds)| kinds)
}

/// One clause per kind, each led by what the kind measures: `rank` gives a
/// kind's ranking and whether it names a winner, `alone` the figure of a
/// kind of one point. Settled when some kind names a winner; None when no
/// kind has a point.
pub fn clauses(
    kinds: &[Kind],
    mut rank: impl FnMut(&[Model]) -> Option<(String, bool)>,
    mut alone: impl FnMut(&[Model]) -> Option<String>,
) -> Option<(String, bool)> {
    let mut texts = Vec::new();
    let mut settled = false;
    for kind in kinds {
        if let Some((text, named)) = rank(kind.models) {
            settled |= named;
            texts.push(format!("{}: {text}", kind.what));
        } else if let Some(text) = alone(kind.models) {
            texts.push(format!("{}: {text}", kind.what));
        }
    }
    (!texts.is_empty()).then(|| (texts.join(" "), settled))
}
