//! What one side of the interleaved gate measured: in one block
//! (`SideBlock`), and pooled over every block of a point (`SideRecord`),
//! which becomes that side's `PointResult` in base.json or new.json. Every
//! block is a fresh trial with figures of its own, so each figure is pooled
//! over all of them, as the samples are.

use std::collections::BTreeMap;

use crate::harness::protocol::Verified;
use crate::harness::resources::accumulate;
use crate::results::{Latency, Resources};
use crate::vocab::Sample;

/// What one side did in a block.
#[derive(Debug, Default)]
pub struct SideBlock {
    pub samples: Vec<Sample>,
    pub verified: Option<Verified>,
}

/// One side's figures over every block.
#[derive(Debug, Default)]
pub struct SideRecord {
    pub samples: Vec<Sample>,
    /// Summed over the blocks: times, switches and faults add up, peaks are
    /// the largest of any block (`harness::resources::accumulate`). Each
    /// block's wall time is its own samples', so CPU time over wall time is
    /// this side's utilisation.
    pub resources: Option<Resources>,
    /// Each metric's median over the blocks that report it.
    pub metrics: BTreeMap<String, f64>,
    /// The blocks' latencies merged (`Latency::merged`).
    pub latency: Option<Latency>,
    /// Every block's metrics and latency, which the two above are taken from.
    block_metrics: BTreeMap<String, Vec<f64>>,
    block_latencies: Vec<Latency>,
}

impl SideRecord {
    pub fn add(&mut self, block: SideBlock) {
        self.samples.extend(block.samples);
        let Some(v) = block.verified else {
            return;
        };
        accumulate(&mut self.resources, v.resources);
        for (name, value) in v.metrics {
            self.block_metrics.entry(name).or_default().push(value);
        }
        self.metrics = self
            .block_metrics
            .iter()
            .map(|(name, values)| (name.clone(), median(values)))
            .collect();
        self.block_latencies.extend(v.latency);
        self.latency = Latency::merged(&self.block_latencies);
    }
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    crate::stats::median_of_sorted(&sorted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(wall_ns: u64, user_ns: u64, metric: f64, latency: (u64, u64, u64)) -> SideBlock {
        let (p50, max, count) = latency;
        SideBlock {
            samples: vec![Sample { ops: 10, ns: 100 }],
            verified: Some(Verified {
                resources: Resources {
                    wall_ns,
                    user_ns,
                    max_rss_bytes: user_ns,
                    ..Resources::default()
                },
                metrics: BTreeMap::from([("x".to_string(), metric)]),
                latency: Some(Latency {
                    p50,
                    p90: p50,
                    p99: p50,
                    p999: p50,
                    max,
                    count,
                }),
            }),
        }
    }

    #[test]
    fn a_side_pools_every_blocks_figures_not_only_the_last_ones() {
        let mut record = SideRecord::default();
        record.add(block(10, 4, 1.0, (100, 150, 10)));
        record.add(block(20, 16, 5.0, (400, 900, 30)));
        record.add(block(30, 6, 2.0, (100, 100, 10)));
        assert_eq!(record.samples.len(), 3);
        let resources = record.resources.clone().expect("pooled");
        assert_eq!((resources.wall_ns, resources.user_ns), (60, 26));
        assert_eq!(resources.max_rss_bytes, 16, "the largest peak");
        assert_eq!(record.metrics["x"], 2.0, "the median over blocks");
        let latency = record.latency.clone().expect("merged");
        assert_eq!((latency.count, latency.max), (50, 900));
        // Each block's percentile weighted by its count: (1000 + 12000 + 1000) / 50.
        assert_eq!(latency.p50, 280);
    }
}
