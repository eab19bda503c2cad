//! The fan-out under `pattern.pubsub`: the posts a publisher sends, the
//! subscriber that checks them, and the three ways of delivering them
//! (crossbeam channel per subscriber thread, one tokio broadcast channel,
//! tokio mpsc channel per subscriber task), each publishing whole rounds.

use anyhow::{bail, ensure};
use tokio::sync::{broadcast, mpsc};

use super::work::{self, checksum, note};
use crate::scenario::CancelToken;

crate::variant_table! {
    /// `pattern.pubsub`'s variants.
    pub enum PubSub in PUBSUB_VARIANTS {
        CrossbeamChannels = "crossbeam_channels", [Thread], "a subscriber thread per crossbeam unbounded channel; publisher sends K copies";
        TokioBroadcast = "tokio_broadcast", [Async], "subscriber tasks on one tokio::sync::broadcast channel";
        TokioMpscPerSubscriber = "tokio_mpsc_per_subscriber", [Async], "a subscriber task per tokio unbounded mpsc; publisher sends K copies";
    }
}

/// Mixed into every message's checksum.
const SALT: u64 = 0x5EED;

#[derive(Debug, Clone, Copy)]
pub enum Post {
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
pub struct Report {
    pub index: usize,
    pub received: u64,
    pub problem: Option<String>,
}

/// One subscriber's bookkeeping, the same for every variant.
pub struct Subscriber {
    index: usize,
    next: u64,
    received: u64,
    problem: Option<String>,
}

impl Subscriber {
    pub fn new(index: usize) -> Self {
        Subscriber {
            index,
            next: 0,
            received: 0,
            problem: None,
        }
    }

    /// Check one post; at the end of a round, the report to send.
    pub fn take(&mut self, post: Post) -> Option<Report> {
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

/// The subscribers, running one way or another, and where their reports
/// come back.
pub enum Fanout {
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

impl Fanout {
    /// Start `count` subscribers the way `variant` says.
    pub fn new(variant: PubSub, count: usize, messages: u64) -> anyhow::Result<Fanout> {
        match variant {
            PubSub::CrossbeamChannels => channels(count),
            PubSub::TokioBroadcast => broadcast(count, messages),
            PubSub::TokioMpscPerSubscriber => tokio_channels(count),
        }
    }

    /// Publish `rounds` rounds of `messages` messages numbered from `first`,
    /// waiting after each round for all `count` reports.
    pub fn publish(
        &mut self,
        first: u64,
        rounds: u64,
        (messages, count): (u64, usize),
        cancel: &CancelToken,
    ) -> anyhow::Result<Vec<Report>> {
        let mut reports = Vec::with_capacity(rounds as usize * count);
        let starts = (0..rounds).map(|round| first + round * messages);
        match self {
            Fanout::Channels {
                subscribers,
                reports: inbox,
                ..
            } => {
                for start in starts {
                    for post in round_posts(start, messages) {
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
                    for start in starts {
                        for post in round_posts(start, messages) {
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
                for start in starts {
                    for post in round_posts(start, messages) {
                        for subscriber in subscribers.iter() {
                            ensure!(subscriber.send(post).is_ok(), "a subscriber is gone");
                        }
                    }
                    collect(inbox, count, cancel, &mut reports).await?;
                }
                anyhow::Ok(())
            })?,
        }
        Ok(reports)
    }
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

impl Drop for Fanout {
    /// Closing the publisher's side ends every subscriber: threads are
    /// joined, tasks end with the runtime.
    fn drop(&mut self) {
        match self {
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

    #[test]
    fn a_gap_or_a_bent_message_is_reported_at_the_end_of_the_round() {
        let mut subscriber = Subscriber::new(0);
        let good = |seq| Post::Message {
            seq,
            check: checksum(seq, SALT),
        };
        assert!(subscriber.take(good(0)).is_none());
        let report = subscriber
            .take(Post::EndOfRound { sent: 1 })
            .expect("a report");
        assert!(report.problem.is_none());
        assert_eq!(report.received, 1);

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

        let report = subscriber
            .take(Post::EndOfRound { sent: 5 })
            .expect("a report");
        assert!(
            report
                .problem
                .expect("a short round")
                .contains("read up to 4 of 5")
        );
    }
}
