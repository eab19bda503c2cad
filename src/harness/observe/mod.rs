//! Placement observed, per sample, for every point: where each of the
//! point's parties (the measuring thread, the threads its set-up and
//! warm-up started, and the threads of the processes they started) ran at
//! the sample's start and end, their migrations, switches and CPU time
//! during it, and, where a PMU can be read, their cycles and instructions.
//! Everything is read outside the timed region; what it costs is kept with
//! it. Each sample gets a placement class (`classify`).

mod classify;
mod counters;
mod tasks;

use std::collections::BTreeSet;
use std::time::Instant;

use crate::results::Observation;
use tasks::{TaskFiles, TaskState};

/// The most parties observed per point: the measuring thread and the first
/// tasks the set-up started. A point of hundreds of threads (a thread per
/// connection) would otherwise hold two files each open and read them all
/// around every sample; its placement is read from these.
pub const MOST_PARTIES: usize = 16;

/// Watches one point's parties through its samples.
pub struct Observer {
    pid: i32,
    /// This process's threads and children before the point's set-up.
    known_tids: BTreeSet<i32>,
    known_children: BTreeSet<i32>,
    parties: Vec<TaskFiles>,
    counters: Option<counters::Counters>,
    buffer: Vec<u8>,
    start: Vec<Option<TaskState>>,
    start_counts: (u64, u64),
    observation: Observation,
}

impl Observer {
    /// Note what exists before the point's set-up begins.
    pub fn before_build() -> Observer {
        let began = Instant::now();
        let pid = std::process::id() as i32;
        let mut observer = Observer {
            pid,
            known_tids: tasks::tids(pid).into_iter().collect(),
            known_children: tasks::children().into_iter().collect(),
            parties: Vec::new(),
            counters: None,
            buffer: Vec::new(),
            start: Vec::new(),
            start_counts: (0, 0),
            observation: Observation::default(),
        };
        observer.add_cost(began);
        observer
    }

    /// After the set-up and warm-up: the point's parties are the calling
    /// (measuring) thread, the threads started since `before_build`, and
    /// every thread of the processes started since.
    pub fn after_warm_up(&mut self) {
        let began = Instant::now();
        let me = nix::unistd::gettid().as_raw();
        let mut tasks: Vec<(i32, i32)> = vec![(self.pid, me)];
        tasks.extend(
            tasks::tids(self.pid)
                .into_iter()
                .filter(|tid| !self.known_tids.contains(tid) && *tid != me)
                .map(|tid| (self.pid, tid)),
        );
        for child in tasks::children() {
            if !self.known_children.contains(&child) {
                tasks.extend(tasks::tids(child).into_iter().map(|tid| (child, tid)));
            }
        }
        self.observation.parties = tasks.len() as u32;
        tasks.truncate(MOST_PARTIES);
        self.parties = tasks
            .iter()
            .filter_map(|&(pid, tid)| TaskFiles::open(pid, tid))
            .collect();
        self.observation.observed = self.parties.len() as u32;
        let tids: Vec<i32> = tasks.iter().map(|&(_, tid)| tid).collect();
        match counters::Counters::open(&tids) {
            Ok(counters) => {
                self.counters = Some(counters);
                self.observation.hardware_counters = "cycles, instructions (user space)".into();
            }
            Err(why) => self.observation.hardware_counters = why,
        }
        self.add_cost(began);
    }

    /// Just before a timed sample.
    pub fn before_sample(&mut self) {
        let began = Instant::now();
        let buffer = &mut self.buffer;
        self.start = self.parties.iter().map(|p| p.read(buffer)).collect();
        if let Some(counters) = self.counters.as_mut() {
            self.start_counts = counters.read();
        }
        self.add_cost(began);
    }

    /// Just after a timed sample that took `wall_ns`: its placement.
    pub fn after_sample(&mut self, wall_ns: u64) {
        let began = Instant::now();
        let counts = self.counters.as_mut().map(|c| c.read());
        let buffer = &mut self.buffer;
        let pairs: Vec<(TaskState, TaskState)> = self
            .parties
            .iter()
            .zip(&self.start)
            .filter_map(|(party, start)| Some(((*start)?, party.read(buffer)?)))
            .collect();
        let mut placement = classify::classify(&pairs, wall_ns);
        if let Some((cycles, instructions)) = counts {
            placement.cycles = Some(cycles.saturating_sub(self.start_counts.0));
            placement.instructions = Some(instructions.saturating_sub(self.start_counts.1));
        }
        self.observation.samples.push(placement);
        self.add_cost(began);
    }

    /// The class of the last sample observed.
    pub fn last_class(&self) -> Option<crate::results::PlacementClass> {
        self.observation.samples.last().map(|s| s.class)
    }

    /// The observation of every sample so far.
    pub fn finish(self) -> Observation {
        self.observation
    }

    fn add_cost(&mut self, began: Instant) {
        self.observation.cost_ns += began.elapsed().as_nanos() as u64;
    }
}
