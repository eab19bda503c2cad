//! How workers run outside the calling thread: forked children and the own
//! binary re-executed through the hidden `worker` subcommand, and what two
//! sides share (futex words, shared memory, CPU placement).

pub mod futex;
pub mod group;
pub mod limits;
pub mod placement;
pub mod process;
pub mod scratch;
pub mod shared_memory;
pub mod worker;
