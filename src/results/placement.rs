//! Where a point's parties ran, sample by sample, as the results keep it:
//! observed (never chosen), outside the timed region, for every point.

use serde::{Deserialize, Serialize};

/// How a sample's parties were placed.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PlacementClass {
    /// At most one party ran during the sample: nothing to share or cross.
    Single,
    /// Every party that ran stayed on one and the same CPU (they took turns).
    SameCpu,
    /// The parties that ran stayed put, on two or more CPUs.
    Spread,
    /// A party that ran migrated to another CPU during the sample.
    Moved,
}

impl PlacementClass {
    /// Its name in results and the worker protocol: `same_cpu`.
    pub fn name(self) -> &'static str {
        match self {
            PlacementClass::Single => "single",
            PlacementClass::SameCpu => "same_cpu",
            PlacementClass::Spread => "spread",
            PlacementClass::Moved => "moved",
        }
    }

    pub fn from_name(name: &str) -> Option<PlacementClass> {
        [
            PlacementClass::Single,
            PlacementClass::SameCpu,
            PlacementClass::Spread,
            PlacementClass::Moved,
        ]
        .into_iter()
        .find(|c| c.name() == name)
    }

    /// How a sentence says where the parties ran: `on one CPU`.
    pub fn phrase(self) -> &'static str {
        match self {
            PlacementClass::Single => "with one party running",
            PlacementClass::SameCpu => "on one CPU",
            PlacementClass::Spread => "spread over CPUs",
            PlacementClass::Moved => "moving between CPUs",
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            PlacementClass::Single => "one party",
            PlacementClass::SameCpu => "same CPU",
            PlacementClass::Spread => "spread over CPUs",
            PlacementClass::Moved => "moved",
        }
    }
}

/// One sample's placement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SamplePlacement {
    pub class: PlacementClass,
    /// Parties that ran during the sample (used at least 1% of its time).
    pub active: u32,
    /// The CPU each active party was on at the sample's start and end.
    pub cpus_start: Vec<u32>,
    pub cpus_end: Vec<u32>,
    /// Over all parties during the sample: migrations, voluntary and
    /// involuntary context switches, CPU time.
    pub migrations: u64,
    pub voluntary: u64,
    pub involuntary: u64,
    pub cpu_ns: u64,
    /// Hardware counters over all parties, where a PMU could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cycles: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<u64>,
}

impl SamplePlacement {
    /// A sample of `class` with nothing counted yet.
    pub fn new(class: PlacementClass) -> SamplePlacement {
        SamplePlacement {
            class,
            active: 0,
            cpus_start: Vec::new(),
            cpus_end: Vec::new(),
            migrations: 0,
            voluntary: 0,
            involuntary: 0,
            cpu_ns: 0,
            cycles: None,
            instructions: None,
        }
    }
}

/// A point's placement over its samples.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Observation {
    /// Tasks observed: the measuring thread, the threads the point's set-up
    /// and warm-up started, and the threads of the processes they started.
    pub parties: u32,
    /// Of those, how many were read (at most 16: the measuring thread and
    /// the first the set-up started).
    #[serde(default)]
    pub observed: u32,
    /// Wall time the observation took, outside the timed samples.
    pub cost_ns: u64,
    /// "cycles, instructions", or why there are none ("no hardware PMU").
    pub hardware_counters: String,
    /// One per sample, in the order of `samples`.
    pub samples: Vec<SamplePlacement>,
    /// The placements earlier runs on this machine counted that this run
    /// did not, read from the history store when the run was written
    /// (absent without a store, or for a point no earlier run observed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earlier: Option<EarlierPlacements>,
}

/// What the history store says of a point's placement in earlier runs on
/// the same machine: a run draws one placement or two, and a point it saw
/// only on one CPU may run spread in the next. Findings weigh these as
/// well as the run's own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EarlierPlacements {
    /// Earlier runs that observed the point (the newest, at most
    /// `history::recall::WINDOW`).
    pub runs: u32,
    /// Each placement with parties on CPUs that some of them counted (3
    /// samples and 5% of the point's) and this run did not.
    pub classes: Vec<EarlierClass>,
}

/// One placement as earlier runs saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EarlierClass {
    pub class: PlacementClass,
    /// How many of the earlier runs counted it.
    pub runs: u32,
    /// The median over those runs of its median ns per operation.
    pub median: f64,
}
