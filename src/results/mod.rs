//! The results schema (v2), what a run writes and every report reads
//! (`schema`), a point's samples summarised as the schema keeps them
//! (`estimate`), and how results files are read, written and streamed
//! (`files`).

mod estimate;
mod files;
mod schema;

pub use files::ResultsStream;
pub use schema::*;
