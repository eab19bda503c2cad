//! The family's variant tables (`variant_table!`): each variant's name,
//! models and summary, written once, and the enum the builders match on.

crate::variant_table! {
    /// `spawn.start`'s variants, each a way to start workers.
    pub(super) enum Start in START_VARIANTS {
        StdThread = "std_thread", [Thread], "std::thread::spawn, then join each";
        ScopedThread = "scoped_thread", [Thread], "std::thread::scope, spawn inside, each joined";
        Rayon = "rayon", [Pool], "rayon scope spawn on a pool of one thread per core";
        Tokio = "tokio", [Async], "tokio::spawn on a multi-thread runtime, await each";
        Fork = "fork", [Process], "fork, child bumps a shared counter and _exits, waitpid";
        Command = "command", [Process], "std::process::Command (posix_spawn) of `concbench worker`";
    }
}

crate::variant_table! {
    /// `spawn.sleepers`'s variants.
    pub(super) enum Sleeper in SLEEPER_VARIANTS {
        StdThread = "std_thread", [Thread], "std::thread::spawn of a sleeping thread";
        Tokio = "tokio", [Async], "tokio task awaiting tokio::time::sleep";
        Fork = "fork", [Process], "forked child in clock_nanosleep";
        Command = "command", [Process], "`concbench worker sleep` child process";
    }
}

impl Sleeper {
    /// The way it starts its workers, as `spawn.start` names that way.
    pub(super) fn way(self) -> Start {
        match self {
            Sleeper::StdThread => Start::StdThread,
            Sleeper::Tokio => Start::Tokio,
            Sleeper::Fork => Start::Fork,
            Sleeper::Command => Start::Command,
        }
    }
}
