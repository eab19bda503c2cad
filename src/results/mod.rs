//! The results schema (v2), what a run writes and every report reads
//! (`schema`), a point's samples summarised as the schema keeps them
//! (`estimate`), what the drift probes say (`drift`), and how results
//! files are read, written and streamed (`files`).

mod class_figures;
mod drift;
mod estimate;
mod files;
mod placement;
mod schema;

pub use class_figures::{ClassFigure, describe_classes};
pub use drift::{BUSY_SHARE, WIDE_SLOW, slow_wide};
pub use files::ResultsStream;
pub use placement::{
    EarlierClass, EarlierPlacements, Observation, PlacementClass, SamplePlacement,
};
pub use schema::*;
