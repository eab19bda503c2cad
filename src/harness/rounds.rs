//! Several points measured in interleaved rounds: every trial is built and
//! warmed up, then each round takes one sample of every point that still
//! wants one, in a freshly shuffled order, so that the machine's drift falls
//! on all of them alike and any two compare over the rounds both sampled. Each point keeps its own figures: its
//! samples, the resources of its own turns, a per-core timeline with one
//! entry per turn, its latency and its verification.

use std::time::{Duration, Instant};

use super::measure::{MAX_SAMPLES, Measurement, Prepared, prepare};
use super::resources::{Snapshot, accumulate};
use super::sampling::{CoreTimes, ProcStat};
use crate::model::placement::Affinity;
use crate::plan::Point;
use crate::results::{Resources, Utilisation};
use crate::scenario::TrialContext;
use crate::vocab::Sample;

/// One point's part of the rounds.
struct Turns {
    /// The round of each sample.
    rounds: Vec<u32>,
    /// The measuring thread's CPUs as the point's set-up left them (a trial
    /// may pin the thread it runs on): put back before each of its turns.
    affinity: Option<Affinity>,
    samples: Vec<Sample>,
    resources: Option<Resources>,
    /// Its own time in turns so far, and per core the busy % of each turn.
    own_time: Duration,
    t_ms: Vec<u64>,
    per_core: Vec<Vec<f32>>,
}

impl Turns {
    fn new() -> Turns {
        Turns {
            rounds: Vec::new(),
            affinity: Affinity::capture(),
            samples: Vec::new(),
            resources: None,
            own_time: Duration::ZERO,
            t_ms: Vec::new(),
            per_core: Vec::new(),
        }
    }

    /// Whether the point still wants samples: fewer than its minimum, or
    /// less of its own time than its measuring time.
    fn wants_more(&self, point: &Point) -> bool {
        self.samples.len() < point.settings.min_samples as usize
            || self.own_time < point.settings.measure_time
    }

    fn record_cores(&mut self, before: &[CoreTimes], after: &[CoreTimes]) {
        self.per_core.resize(after.len(), Vec::new());
        for (core, (a, b)) in before.iter().zip(after).enumerate() {
            self.per_core[core].push(b.busy_percent_since(a));
        }
        self.t_ms.push(self.own_time.as_millis() as u64);
    }

    fn utilisation(&self) -> Utilisation {
        let mut lengths: Vec<u64> = self
            .t_ms
            .windows(2)
            .map(|w| w[1].saturating_sub(w[0]))
            .collect();
        lengths.sort_unstable();
        Utilisation {
            interval_ms: lengths.get(lengths.len() / 2).copied().unwrap_or(1).max(1),
            t_ms: self.t_ms.clone(),
            per_core: self.per_core.clone(),
            sampler_cpu_ns: 0,
        }
    }
}

/// A point measured in rounds: its measurement and the round of each sample.
pub type Measured = (Measurement, Vec<u32>);

/// Measure `points` (each with its context) in interleaved rounds. Every
/// round, each point that still wants samples (fewer than its minimum, or
/// less of its own time than its measuring time) takes one; a point that
/// has its samples sits the later rounds out. A point that fails (setting
/// up, a sample, verification) fails alone, and the others' rounds go on.
pub fn measure_group(points: &[Point], contexts: &[TrialContext]) -> Vec<anyhow::Result<Measured>> {
    let mut rng = fastrand::Rng::new();
    let mut outcomes: Vec<Option<anyhow::Result<Measured>>> = points.iter().map(|_| None).collect();
    let mut live: Vec<(usize, Prepared, Turns)> = Vec::new();
    let mut order: Vec<usize> = (0..points.len()).collect();
    rng.shuffle(&mut order);
    let home = Affinity::capture();
    let go_home = || home.iter().for_each(Affinity::apply);
    for &i in &order {
        go_home();
        match prepare(&points[i], &contexts[i]) {
            Ok(prepared) => live.push((i, prepared, Turns::new())),
            Err(e) => outcomes[i] = Some(Err(e)),
        }
    }
    let mut stat = ProcStat::open();
    let (mut before, mut after) = (Vec::new(), Vec::new());
    let mut rounds = 0;
    while live.iter().any(|(i, _, t)| t.wants_more(&points[*i])) && rounds < MAX_SAMPLES {
        rng.shuffle(&mut live);
        let mut failed = Vec::new();
        for (slot, (i, prepared, turns)) in live.iter_mut().enumerate() {
            if !turns.wants_more(&points[*i]) {
                continue;
            }
            turns.affinity.iter().for_each(Affinity::apply);
            stat.read_into(&mut before);
            let snapshot = Snapshot::start();
            let began = Instant::now();
            let sample = prepared.sample(&contexts[*i]);
            let wall = began.elapsed();
            accumulate(
                &mut turns.resources,
                snapshot.delta_to_now(wall.as_nanos() as u64),
            );
            stat.read_into(&mut after);
            match sample {
                Ok(sample) => {
                    turns.samples.push(sample);
                    turns.rounds.push(rounds as u32);
                    turns.own_time += wall;
                    turns.record_cores(&before, &after);
                }
                Err(e) => failed.push((slot, e)),
            }
        }
        // A failed point leaves the rounds; the others' stay aligned.
        for (slot, e) in failed.into_iter().rev() {
            let (i, _, _) = live.remove(slot);
            outcomes[i] = Some(Err(e.context("a sample in the interleaved rounds")));
        }
        rounds += 1;
        // The machine's speed between rounds (when the run watches it).
        super::drift::probe_now();
    }
    for (i, prepared, turns) in live {
        turns.affinity.iter().for_each(Affinity::apply);
        let utilisation = turns.utilisation();
        let resources = turns.resources.unwrap_or_default();
        let finished = prepared.finish(&points[i], turns.samples, resources, utilisation);
        outcomes[i] = Some(finished.map(|m| (m, turns.rounds)));
    }
    go_home();
    outcomes
        .into_iter()
        .map(|o| o.unwrap_or_else(|| Err(anyhow::anyhow!("never measured"))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Settings;
    use crate::scenario::{Scenario, ScenarioInfo, Trial, VariantInfo};
    use crate::vocab::{Family, Model, Params};

    /// Counts its rounds; the `breaks` variant fails its third sample.
    struct Counting {
        breaks: bool,
        samples: u64,
    }

    impl Trial for Counting {
        fn run(&mut self, rounds: u64) -> anyhow::Result<Sample> {
            self.samples += 1;
            anyhow::ensure!(!(self.breaks && self.samples > 2), "broke on purpose");
            let began = Instant::now();
            let mut x = 0u64;
            for i in 0..rounds * 1000 {
                x = std::hint::black_box(x.wrapping_add(i));
            }
            std::hint::black_box(x);
            Ok(Sample {
                ops: rounds,
                ns: began.elapsed().as_nanos().max(1) as u64,
            })
        }

        fn verify(&mut self) -> anyhow::Result<()> {
            Ok(())
        }
    }

    struct TwoVariants;

    static INFO: ScenarioInfo = ScenarioInfo {
        id: "test.rounds",
        family: Family::Cpu,
        summary: "a test",
        unit: "round",
        variants: &[
            VariantInfo {
                name: "fine",
                models: &[Model::Serial],
                summary: "counts",
            },
            VariantInfo {
                name: "breaks",
                models: &[Model::Serial],
                summary: "fails its third sample",
            },
        ],
        params: &[],
        throughput_vs: None,
    };

    impl Scenario for TwoVariants {
        fn info(&self) -> &ScenarioInfo {
            &INFO
        }

        fn build(&self, context: &TrialContext) -> anyhow::Result<Box<dyn Trial>> {
            Ok(Box::new(Counting {
                breaks: context.variant == "breaks",
                samples: 0,
            }))
        }
    }

    fn point(variant: &'static str) -> (Point, TrialContext) {
        static SCENARIO: TwoVariants = TwoVariants;
        let settings = Settings {
            warmup: Duration::ZERO,
            measure_time: Duration::from_millis(20),
            min_samples: 6,
            ..Settings::default()
        };
        let point = Point {
            scenario: &SCENARIO,
            variant,
            model: Model::Serial,
            params: Params::default(),
            settings,
            expect: None,
            runtime: None,
        };
        let context = TrialContext {
            variant,
            model: Model::Serial,
            params: Params::default(),
            cancel: Default::default(),
            progress: Default::default(),
            worker_binary: std::path::PathBuf::from("/nonexistent"),
            runtime: None,
        };
        (point, context)
    }

    #[test]
    fn every_point_gets_a_sample_per_round_and_one_that_fails_fails_alone() {
        let (points, contexts): (Vec<Point>, Vec<TrialContext>) =
            ["fine", "breaks", "fine"].into_iter().map(point).unzip();
        let outcomes = measure_group(&points, &contexts);
        let err = outcomes[1].as_ref().err().expect("the broken one fails");
        assert!(format!("{err:#}").contains("broke on purpose"), "{err:#}");
        let (a, b) = (
            outcomes[0].as_ref().expect("measured"),
            outcomes[2].as_ref().expect("measured"),
        );
        let ((a, a_rounds), (_, b_rounds)) = (a, b);
        assert!(a.samples.len() >= 6);
        assert_eq!(a.samples.len(), a_rounds.len(), "a round for every sample");
        let shared = a_rounds.iter().filter(|r| b_rounds.contains(r)).count();
        assert!(shared >= 6, "the two took their samples in the same rounds");
        let timeline = &a.utilisation;
        assert_eq!(timeline.t_ms.len(), a.samples.len(), "one entry per turn");
        assert!(timeline.per_core.iter().all(|c| c.len() == a.samples.len()));
        assert!(a.resources.wall_ns > 0);
    }
}
