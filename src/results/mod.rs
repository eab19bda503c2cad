//! The results schema (v1), what a run writes and every report reads
//! (`schema`), and how results files are read, written and streamed
//! (`files`).

mod files;
mod schema;

pub use files::ResultsStream;
pub use schema::*;
