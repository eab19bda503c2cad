//! `pattern.pubsub`: one publisher fans N messages per round out to K
//! subscribers, then an end-of-round mark; each subscriber checks that every
//! message arrived once, in order and intact, and reports at the mark. The
//! round ends when all K reports are in (the fan-out itself: fanout.rs).

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{bail, ensure};

use super::fanout::{Fanout, PubSub, Report};
use super::work::note;
use crate::scenario::{CancelToken, Measured, Trial, TrialContext};
use crate::vocab::Sample;

pub fn build(context: &TrialContext) -> anyhow::Result<Box<dyn Trial>> {
    Ok(Box::new(pubsub_trial(context)?))
}

fn pubsub_trial(context: &TrialContext) -> anyhow::Result<PubSubTrial> {
    let subscribers = context.params.get("subscribers")? as usize;
    let messages = context.params.get("messages")?;
    ensure!(subscribers >= 1, "pub/sub needs at least 1 subscriber");
    Ok(PubSubTrial {
        fanout: Fanout::new(PubSub::of(context.variant)?, subscribers, messages)?,
        messages,
        cancel: context.cancel.clone(),
        published: 0,
        rounds: 0,
        reports: 0,
        received: vec![0; subscribers],
        problem: None,
    })
}

struct PubSubTrial {
    fanout: Fanout,
    messages: u64,
    cancel: CancelToken,
    /// Messages published so far (the next sequence number).
    published: u64,
    rounds: u64,
    reports: u64,
    /// What each subscriber last said it had received.
    received: Vec<u64>,
    problem: Option<String>,
}

impl PubSubTrial {
    fn record(&mut self, report: Report) {
        self.reports += 1;
        if let Some(problem) = report.problem {
            note(&mut self.problem, || problem);
        }
        match self.received.get_mut(report.index) {
            Some(received) => *received = report.received,
            None => note(&mut self.problem, || {
                format!("a report from unknown subscriber {}", report.index)
            }),
        }
    }
}

impl Trial for PubSubTrial {
    fn run(&mut self, rounds: u64) -> anyhow::Result<Sample> {
        let (first, count) = (self.published, self.received.len());
        self.published += rounds * self.messages;
        self.rounds += rounds;
        let started = Instant::now();
        let reports = self
            .fanout
            .publish(first, rounds, (self.messages, count), &self.cancel)?;
        let ns = started.elapsed().as_nanos() as u64;
        for report in reports {
            self.record(report);
        }
        Ok(Sample {
            ops: rounds * self.messages * count as u64,
            ns,
        })
    }

    fn verify(&mut self) -> anyhow::Result<()> {
        if let Some(problem) = &self.problem {
            bail!("{problem}");
        }
        let count = self.received.len() as u64;
        ensure!(
            self.reports == self.rounds * count,
            "{} of {} end-of-round reports came in",
            self.reports,
            self.rounds * count
        );
        for (index, &received) in self.received.iter().enumerate() {
            ensure!(
                received == self.published,
                "subscriber {index} received {received} of {} messages",
                self.published
            );
        }
        Ok(())
    }

    fn metrics(&self, measured: &Measured<'_>) -> BTreeMap<String, f64> {
        let per_published = measured.median_ns_per_op * self.received.len() as f64;
        let published_per_s = if per_published > 0.0 {
            1e9 / per_published
        } else {
            0.0
        };
        BTreeMap::from([
            ("ns_per_published_message".to_string(), per_published),
            ("published_per_s".to_string(), published_per_s),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::super::fanout::PUBSUB_VARIANTS;
    use super::*;
    use crate::scenario::Progress;
    use crate::vocab::{Model, Params};

    fn context(variant: &'static str, subscribers: u64, messages: u64) -> TrialContext {
        TrialContext {
            variant,
            model: Model::Thread,
            params: Params(
                [
                    ("subscribers".into(), subscribers),
                    ("messages".into(), messages),
                ]
                .into(),
            ),
            cancel: CancelToken::default(),
            progress: Progress::default(),
            worker_binary: "concbench".into(),
            runtime: None,
        }
    }

    #[test]
    fn every_variant_delivers_every_message_to_every_subscriber() {
        for variant in PUBSUB_VARIANTS.iter().map(|info| info.name) {
            let mut trial = build(&context(variant, 3, 5)).expect("builds");
            let sample = trial.run(4).expect("runs");
            assert_eq!(sample.ops, 4 * 5 * 3, "{variant}");
            trial.run(1).expect("runs again");
            trial.verify().expect("every message arrived");
        }
    }

    #[test]
    fn a_short_subscriber_a_missing_report_or_a_problem_fails_verification() {
        let mut trial =
            pubsub_trial(&context(PubSub::CrossbeamChannels.name(), 2, 3)).expect("builds");
        trial.run(1).expect("runs");
        trial.verify().expect("an honest round verifies");
        trial.received[1] -= 1;
        let error = trial.verify().unwrap_err().to_string();
        assert!(error.contains("subscriber 1 received 2 of 3"), "{error}");
        trial.reports -= 1;
        let error = trial.verify().unwrap_err().to_string();
        assert!(error.contains("1 of 2 end-of-round reports"), "{error}");
        trial.record(Report {
            index: 0,
            received: 3,
            problem: Some("subscriber 0 expected message 1, got 2".into()),
        });
        let error = trial.verify().unwrap_err().to_string();
        assert!(error.contains("expected message 1, got 2"), "{error}");
    }
}
