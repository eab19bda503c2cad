//! The family's variant tables (`variant_table!`): each variant's name,
//! models and summary, written once, and the enum the builders match on.

crate::variant_table! {
    /// `cpu.split`'s variants, each a way to compute a round's chunks.
    pub(super) enum Split in VARIANTS {
        Serial = "serial", [Serial], "every chunk on the calling thread: the reference";
        StdThread = "std_thread", [Thread], "k scoped std::threads per round, one contiguous share each";
        Rayon = "rayon", [Pool], "par_iter over the chunks on a rayon pool of k threads";
        Process = "process", [Process], "k `concbench worker cpu` children per round, tallies back on pipes";
        ProcessPool = "process_pool", [ProcessPool], "k long-lived children fed batches of chunks over pipes";
        Tokio = "tokio", [Async], "one task per share on a multi-thread runtime with k workers";
        TokioBlocking = "tokio_blocking", [Async], "one spawn_blocking per share, max_blocking_threads = k";
        TokioCurrentThread = "tokio_current_thread", [Async], "the classic mistake: k CPU tasks on a current-thread runtime share one core (efficiency ~1/k)";
    }
}
