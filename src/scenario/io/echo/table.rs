//! The family's variant tables (`variant_table!`): each variant's name,
//! models and summary, written once, and the enum the builders match on.

crate::variant_table! {
    /// `io.echo`'s variants, each a kind of server.
    pub(super) enum Server in VARIANTS {
        ThreadPerConnection = "thread_per_connection", [Thread], "one std::thread per connection, blocking read and write";
        Tokio = "tokio", [Async], "one tokio task per connection on a multi-thread runtime";
        Prefork = "prefork", [Process], "one pre-forked process per connection, all accepting on the shared listener";
    }
}
