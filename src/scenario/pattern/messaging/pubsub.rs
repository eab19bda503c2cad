//! `pattern.pubsub`: one publisher fans N messages per round out to K
//! subscribers, then an end-of-round mark; each subscriber checks that every
//! message arrived once, in order and intact, and reports at the mark. The
//! round ends when all K reports are in. Subscribers are threads on crossbeam
//! channels, or tokio tasks on one broadcast channel or on a channel each.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{bail, ensure};
use tokio::sync::{broadcast, mpsc};

use super::work::{self, checksum, note};
use crate::scenario::{CancelToken, Measured, Sample, Trial, TrialContext};

/// Mixed into every message's checksum.
const SALT: u64 = 0x5EED;

#[derive(Debug, Clone, Copy)]
enum Post {
    Message {
        seq: u64,
        check: u64,
    },
    /// Every message up to (not including) `sent` has been published.
    EndOfRound {
        sent: u64,
    },
}

/// What a subscriber says at the end of a round.
#[derive(Debug)]
struct Report {
    index: usize,
    received: u64,
    problem: Option<String>,
}

/// One subscriber's bookkeeping, the same for every variant.
struct Subscriber {
    index: usize,
    next: u64,
    received: u64,
    problem: Option<String>,
}

impl Subscriber {
    fn new(index: usize) -> Self {
        Subscriber {
            index,
            next: 0,
            received: 0,
            problem: None,
        }
    }

    /// Check one post; at the end of a round, the report to send.
    fn take(&mut self, post: Post) -> Option<Report> {
        match post {
            Post::Message { seq, check } => {
                if seq != self.next || check != checksum(seq, SALT) {
                    let (index, next) = (self.index, self.next);
                    note(&mut self.problem, || {
                        format!(
                            "subscriber {index} expected message {next}, got {seq} (check {check:#x})"
                        )
                    });
                }
                self.next = seq + 1;
                self.received += 1;
                None
            }
            Post::EndOfRound { sent } => {
                if self.next != sent {
                    let (index, next) = (self.index, self.next);
                    note(&mut self.problem, || {
                        format!(
                            "subscriber {index} had read up to {next} of {sent} messages at the end of a round"
                        )
                    });
                }
                Some(Report {
                    index: self.index,
                    received: self.received,
                    problem: self.problem.take(),
                })
            }
        }
    }
}

enum Fanout {
    Channels {
        subscribers: Vec<crossbeam::channel::Sender<Post>>,
        reports: crossbeam::channel::Receiver<Report>,
        threads: Vec<std::thread::JoinHandle<()>>,
    },
    Broadcast {
        sender: Option<broadcast::Sender<Post>>,
        reports: mpsc::UnboundedReceiver<Report>,
        runtime: tokio::runtime::Runtime,
    },
    TokioChannels {
        subscribers: Vec<mpsc::UnboundedSender<Post>>,
        reports: mpsc::UnboundedReceiver<Report>,
        runtime: tokio::runtime::Runtime,
    },
}

pub fn build(context: &TrialContext) -> anyhow::Result<Box<dyn Trial>> {
    Ok(Box::new(pubsub_trial(context)?))
}

fn pubsub_trial(context: &TrialContext) -> anyhow::Result<PubSubTrial> {
    let subscribers = context.params.get("subscribers")? as usize;
    let messages = context.params.get("messages")?;
    ensure!(subscribers >= 1, "pub/sub needs at least 1 subscriber");
    let fanout = match context.variant {
        "crossbeam_channels" => channels(subscribers)?,
        "tokio_broadcast" => broadcast(subscribers, messages)?,
        "tokio_mpsc_per_subscriber" => tokio_channels(subscribers)?,
        other => bail!("pattern.pubsub has no variant `{other}`"),
    };
    Ok(PubSubTrial {
        fanout,
        messages,
        cancel: context.cancel.clone(),
        published: 0,
        rounds: 0,
        reports: 0,
        received: vec![0; subscribers],
        problem: None,
    })
}

fn channels(count: usize) -> anyhow::Result<Fanout> {
    let (report_sender, reports) = crossbeam::channel::unbounded();
    let (mut subscribers, mut threads) = (Vec::new(), Vec::new());
    for index in 0..count {
        let (sender, inbox) = crossbeam::channel::unbounded::<Post>();
        let report_sender = report_sender.clone();
        threads.push(work::spawn_thread(
            format!("subscriber-{index}"),
            move || {
                let mut subscriber = Subscriber::new(index);
                for post in inbox.iter() {
                    if let Some(report) = subscriber.take(post)
                        && report_sender.send(report).is_err()
                    {
                        return;
                    }
                }
            },
        )?);
        subscribers.push(sender);
    }
    Ok(Fanout::Channels {
        subscribers,
        reports,
        threads,
    })
}

fn broadcast(count: usize, messages: u64) -> anyhow::Result<Fanout> {
    let runtime = work::runtime()?;
    // Room for a whole round and its mark: the publisher waits for every
    // report before the next round, so no subscriber can lag behind.
    let (sender, _) = broadcast::channel::<Post>(messages as usize + 1);
    let (report_sender, reports) = mpsc::unbounded_channel();
    for index in 0..count {
        let (mut inbox, report_sender) = (sender.subscribe(), report_sender.clone());
        runtime.spawn(async move {
            let mut subscriber = Subscriber::new(index);
            loop {
                let post = match inbox.recv().await {
                    Ok(post) => post,
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        note(&mut subscriber.problem, || {
                            format!("subscriber {index} lagged and lost {missed} messages")
                        });
                        continue;
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                };
                if let Some(report) = subscriber.take(post)
                    && report_sender.send(report).is_err()
                {
                    return;
                }
            }
        });
    }
    Ok(Fanout::Broadcast {
        sender: Some(sender),
        reports,
        runtime,
    })
}

fn tokio_channels(count: usize) -> anyhow::Result<Fanout> {
    let runtime = work::runtime()?;
    let (report_sender, reports) = mpsc::unbounded_channel();
    let mut subscribers = Vec::new();
    for index in 0..count {
        let (sender, mut inbox) = mpsc::unbounded_channel::<Post>();
        let report_sender = report_sender.clone();
        runtime.spawn(async move {
            let mut subscriber = Subscriber::new(index);
            while let Some(post) = inbox.recv().await {
                if let Some(report) = subscriber.take(post)
                    && report_sender.send(report).is_err()
                {
                    return;
                }
            }
        });
        subscribers.push(sender);
    }
    Ok(Fanout::TokioChannels {
        subscribers,
        reports,
        runtime,
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

/// The posts of one round: `messages` messages from `first`, then the mark.
fn round_posts(first: u64, messages: u64) -> impl Iterator<Item = Post> {
    (first..first + messages)
        .map(|seq| Post::Message {
            seq,
            check: checksum(seq, SALT),
        })
        .chain(std::iter::once(Post::EndOfRound {
            sent: first + messages,
        }))
}

impl Trial for PubSubTrial {
    fn run(&mut self, rounds: u64) -> anyhow::Result<Sample> {
        let (first, count) = (self.published, self.received.len());
        self.published += rounds * self.messages;
        self.rounds += rounds;
        let (messages, cancel) = (self.messages, &self.cancel);
        let mut reports = Vec::with_capacity(rounds as usize * count);
        let started = Instant::now();
        match &mut self.fanout {
            Fanout::Channels {
                subscribers,
                reports: inbox,
                ..
            } => {
                for round in 0..rounds {
                    for post in round_posts(first + round * messages, messages) {
                        for subscriber in subscribers.iter() {
                            ensure!(subscriber.send(post).is_ok(), "a subscriber is gone");
                        }
                    }
                    for _ in 0..count {
                        reports.push(work::receive(inbox, cancel, "a subscriber's report")?);
                    }
                }
            }
            Fanout::Broadcast {
                sender,
                reports: inbox,
                runtime,
            } => {
                let Some(sender) = sender.as_ref() else {
                    bail!("the publisher is closed")
                };
                runtime.block_on(async {
                    for round in 0..rounds {
                        for post in round_posts(first + round * messages, messages) {
                            ensure!(sender.send(post).is_ok(), "every subscriber is gone");
                        }
                        collect(inbox, count, cancel, &mut reports).await?;
                    }
                    anyhow::Ok(())
                })?;
            }
            Fanout::TokioChannels {
                subscribers,
                reports: inbox,
                runtime,
            } => runtime.block_on(async {
                for round in 0..rounds {
                    for post in round_posts(first + round * messages, messages) {
                        for subscriber in subscribers.iter() {
                            ensure!(subscriber.send(post).is_ok(), "a subscriber is gone");
                        }
                    }
                    collect(inbox, count, cancel, &mut reports).await?;
                }
                anyhow::Ok(())
            })?,
        }
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
        BTreeMap::from([
            ("ns_per_published_message".to_string(), per_published),
            (
                "published_per_s".to_string(),
                if per_published > 0.0 {
                    1e9 / per_published
                } else {
                    0.0
                },
            ),
        ])
    }
}

/// Await `count` end-of-round reports.
async fn collect(
    inbox: &mut mpsc::UnboundedReceiver<Report>,
    count: usize,
    cancel: &CancelToken,
    into: &mut Vec<Report>,
) -> anyhow::Result<()> {
    for _ in 0..count {
        into.push(work::receive_async(inbox, cancel, "a subscriber's report").await?);
    }
    Ok(())
}

impl Drop for PubSubTrial {
    /// Closing the publisher's side ends every subscriber: threads are
    /// joined, tasks end with the runtime.
    fn drop(&mut self) {
        match &mut self.fanout {
            Fanout::Channels {
                subscribers,
                threads,
                ..
            } => {
                subscribers.clear();
                for thread in threads.drain(..) {
                    let _ = thread.join();
                }
            }
            Fanout::Broadcast { sender, .. } => drop(sender.take()),
            Fanout::TokioChannels { subscribers, .. } => subscribers.clear(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Model, Params, Progress};

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
        }
    }

    #[test]
    fn every_variant_delivers_every_message_to_every_subscriber() {
        for variant in [
            "crossbeam_channels",
            "tokio_broadcast",
            "tokio_mpsc_per_subscriber",
        ] {
            let mut trial = build(&context(variant, 3, 5)).expect("builds");
            let sample = trial.run(4).expect("runs");
            assert_eq!(sample.ops, 4 * 5 * 3, "{variant}");
            trial.run(1).expect("runs again");
            trial.verify().expect("every message arrived");
        }
    }

    #[test]
    fn a_gap_a_bent_message_or_a_missing_report_fails_verification() {
        let mut subscriber = Subscriber::new(0);
        let good = |seq| Post::Message {
            seq,
            check: checksum(seq, SALT),
        };
        assert!(subscriber.take(good(0)).is_none());
        subscriber.take(good(2));
        let report = subscriber
            .take(Post::EndOfRound { sent: 3 })
            .expect("a report");
        assert!(
            report
                .problem
                .expect("a gap")
                .contains("expected message 1, got 2")
        );

        subscriber.take(Post::Message { seq: 3, check: 0 });
        let report = subscriber
            .take(Post::EndOfRound { sent: 4 })
            .expect("a report");
        assert!(report.problem.is_some(), "a bent checksum");

        let mut trial = pubsub_trial(&context("crossbeam_channels", 2, 3)).expect("builds");
        trial.run(1).expect("runs");
        trial.verify().expect("an honest round verifies");
        trial.received[1] -= 1;
        let error = trial.verify().unwrap_err().to_string();
        assert!(error.contains("subscriber 1 received 2 of 3"), "{error}");
        trial.reports -= 1;
        let error = trial.verify().unwrap_err().to_string();
        assert!(error.contains("1 of 2 end-of-round reports"), "{error}");
    }
}
