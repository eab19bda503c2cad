//! How workers run outside the calling thread: forked children and the own
//! binary re-executed through the hidden `worker` subcommand, what two sides
//! share (futex words, shared memory, CPU placement), and the latency
//! recorder workers carry. Below the scenarios, above the vocabulary.

pub mod clock;
pub mod fork;
pub mod futex;
pub mod group;
pub mod latency;
pub mod limits;
pub mod memory;
pub mod placement;
pub mod process;
pub mod runtime;
pub mod scratch;
pub mod shared_memory;
pub mod worker;
