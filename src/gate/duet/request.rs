//! What `compare --base-bin OLD --new-bin NEW` asks of the interleaved gate:
//! the two builds, the points, thresholds, budget and block shape.

use std::path::PathBuf;
use std::time::Duration;

use super::block::Shape;
use crate::gate::thresholds::Thresholds;
use crate::plan::Point;

/// What `compare --base-bin OLD --new-bin NEW` was asked to do.
pub struct DuetRequest {
    pub base_bin: PathBuf,
    pub new_bin: PathBuf,
    pub points: Vec<Point>,
    pub thresholds: Thresholds,
    pub budget: Duration,
    pub new_slowdown_pct: u64,
    pub seed: u64,
    pub shape: Shape,
    /// A confirmation given more time than its reserve goes on to this many
    /// blocks while points are undecided (`confirm::CONFIRMATION_MOST` from
    /// the command line).
    pub most_confirmation_blocks: usize,
    /// Once no point is undecided, what the budget still holds goes on to
    /// the confirmations, past their most blocks (`confirm::extend`).
    pub extend_confirmations: bool,
    /// Print a line per settled point.
    pub progress: bool,
    /// Private copies of each build, taken in turn by the blocks
    /// (`copies::PER_SIDE` from the command line).
    pub copies: usize,
}
