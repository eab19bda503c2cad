//! The words a gate verdict gives for a suspect: why it is not called
//! regressed or improved, why it is unchanged after all, or why it is
//! judged the other way from its screening.

use super::record::PointRecord;
use crate::gate::paired;

impl PointRecord {
    /// Why a suspect is not called regressed or improved.
    pub(super) fn unconfirmed_note(&self, slower: bool) -> String {
        let (direction, other) = if slower {
            ("slower", "faster")
        } else {
            ("faster", "slower")
        };
        let Some(p) = self.confirmation_p() else {
            return format!(
                "screening suspected it {direction}; the budget ran out before it could be confirmed (the ratio shown is the screening's)"
            );
        };
        format!(
            "screening suspected it {direction}; {} fresh blocks did not show it {direction} (nor {other}) beyond the {:.1}% threshold at the suite's 5% false-discovery rate (ratio {:.3}, p = {p:.3})",
            self.confirmation.len(),
            100.0 * self.threshold,
            paired::analyse(&self.confirmation).ratio,
        )
    }

    /// Why a suspect is called unchanged after all.
    pub(super) fn settled_note(&self, suspected_slower: bool) -> String {
        let direction = if suspected_slower { "slower" } else { "faster" };
        format!(
            "screening suspected it {direction}; the {} fresh blocks that judge it put its 95% interval inside the {:.1}% band",
            self.confirmation.len(),
            100.0 * self.threshold,
        )
    }

    /// Why a point is judged the other way from its screening.
    pub(super) fn turned_note(&self, suspected_slower: bool) -> String {
        let (was, is) = if suspected_slower {
            ("slower", "faster")
        } else {
            ("faster", "slower")
        };
        format!(
            "screening's {} blocks showed it {was} (ratio {:.3}); the {} fresh blocks that judge it show it {is}: the outcome may depend on the machine's state",
            self.screening.len(),
            paired::analyse(&self.screening).ratio,
            self.confirmation.len(),
        )
    }
}
