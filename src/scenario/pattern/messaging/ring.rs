//! `pattern.actor_ring`: K actors, each owning a mailbox, pass one token M
//! laps around a ring; the actor that makes the K x M-th hop hands the token
//! back. Actors are threads with crossbeam channels or tokio tasks with
//! tokio mpsc channels, started in `build` so that only the passing is timed.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::{bail, ensure};
use crossbeam::utils::CachePadded;

use super::work::{self, note};
use crate::scenario::{CancelToken, Measured, Trial, TrialContext};
use crate::vocab::Sample;

crate::variant_table! {
    /// `pattern.actor_ring`'s variants.
    pub enum ActorRing in ACTOR_RING_VARIANTS {
        CrossbeamThreads = "crossbeam_threads", [Thread], "one thread per actor, crossbeam unbounded channel as mailbox";
        TokioTasks = "tokio_tasks", [Async], "one tokio task per actor, tokio unbounded mpsc as mailbox";
    }
}

/// The token: which round it belongs to, how far it went, whom it visited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Token {
    round: u64,
    hops: u64,
    /// Sum of the indices of the actors that passed it on.
    trail: u64,
}

enum Mail {
    Token(Token),
    Stop,
}

/// Hops each actor made, one cache line each.
type HopCounts = Arc<Vec<CachePadded<AtomicU64>>>;

/// One actor's part: count the hop, then say where the token goes next.
struct Actor {
    index: u64,
    /// Hops a whole round makes (K x M).
    target: u64,
    hops: u64,
    counts: HopCounts,
}

impl Actor {
    /// `Ok(token)` to pass it on, `Err(token)` when the round is complete.
    fn hop(&mut self, mut token: Token) -> Result<Token, Token> {
        token.hops += 1;
        token.trail = token.trail.wrapping_add(self.index);
        self.hops += 1;
        self.counts[self.index as usize].store(self.hops, Ordering::Relaxed);
        if token.hops == self.target {
            Err(token)
        } else {
            Ok(token)
        }
    }
}

/// The actors, running one way or the other.
enum Ring {
    Threads {
        mailboxes: Vec<crossbeam::channel::Sender<Mail>>,
        done: crossbeam::channel::Receiver<Token>,
        threads: Vec<std::thread::JoinHandle<()>>,
    },
    Tasks {
        mailboxes: Vec<tokio::sync::mpsc::UnboundedSender<Mail>>,
        done: tokio::sync::mpsc::UnboundedReceiver<Token>,
        runtime: tokio::runtime::Runtime,
    },
}

pub fn build(context: &TrialContext) -> anyhow::Result<Box<dyn Trial>> {
    Ok(Box::new(ring_trial(context)?))
}

fn ring_trial(context: &TrialContext) -> anyhow::Result<RingTrial> {
    let actors = context.params.get("actors")?;
    let laps = context.params.get("laps")?;
    ensure!(actors >= 2, "a ring needs at least 2 actors, got {actors}");
    let counts: HopCounts = Arc::new((0..actors).map(|_| Default::default()).collect());
    let make = |index| Actor {
        index,
        target: actors * laps,
        hops: 0,
        counts: Arc::clone(&counts),
    };
    let ring = match ActorRing::of(context.variant)? {
        ActorRing::CrossbeamThreads => threads(actors, make)?,
        ActorRing::TokioTasks => tasks(actors, make)?,
    };
    Ok(RingTrial {
        ring,
        actors,
        laps,
        counts,
        cancel: context.cancel.clone(),
        rounds: 0,
        returned: 0,
        problem: None,
    })
}

fn threads(actors: u64, make: impl Fn(u64) -> Actor) -> anyhow::Result<Ring> {
    let (senders, receivers): (Vec<_>, Vec<_>) = (0..actors)
        .map(|_| crossbeam::channel::unbounded::<Mail>())
        .unzip();
    let (done_sender, done) = crossbeam::channel::unbounded();
    let mut threads = Vec::with_capacity(actors as usize);
    for (index, inbox) in receivers.into_iter().enumerate() {
        let next = senders[(index + 1) % actors as usize].clone();
        let (done_sender, mut actor) = (done_sender.clone(), make(index as u64));
        threads.push(work::spawn_thread(format!("actor-{index}"), move || {
            while let Ok(Mail::Token(token)) = inbox.recv() {
                let sent = match actor.hop(token) {
                    Ok(token) => next.send(Mail::Token(token)).is_ok(),
                    Err(token) => done_sender.send(token).is_ok(),
                };
                if !sent {
                    return;
                }
            }
        })?);
    }
    Ok(Ring::Threads {
        mailboxes: senders,
        done,
        threads,
    })
}

fn tasks(actors: u64, make: impl Fn(u64) -> Actor) -> anyhow::Result<Ring> {
    let runtime = work::runtime()?;
    let (senders, receivers): (Vec<_>, Vec<_>) = (0..actors)
        .map(|_| tokio::sync::mpsc::unbounded_channel::<Mail>())
        .unzip();
    let (done_sender, done) = tokio::sync::mpsc::unbounded_channel();
    for (index, mut inbox) in receivers.into_iter().enumerate() {
        let next = senders[(index + 1) % actors as usize].clone();
        let (done_sender, mut actor) = (done_sender.clone(), make(index as u64));
        runtime.spawn(async move {
            while let Some(Mail::Token(token)) = inbox.recv().await {
                let sent = match actor.hop(token) {
                    Ok(token) => next.send(Mail::Token(token)).is_ok(),
                    Err(token) => done_sender.send(token).is_ok(),
                };
                if !sent {
                    return;
                }
            }
        });
    }
    Ok(Ring::Tasks {
        mailboxes: senders,
        done,
        runtime,
    })
}

struct RingTrial {
    ring: Ring,
    actors: u64,
    laps: u64,
    counts: HopCounts,
    cancel: CancelToken,
    /// Tokens sent into the ring so far.
    rounds: u64,
    /// Tokens that came back.
    returned: u64,
    problem: Option<String>,
}

impl RingTrial {
    /// Check a token that came back from round `round`.
    fn check(&mut self, token: Token, round: u64) {
        self.returned += 1;
        let k = self.actors;
        let trail = (k * (k - 1) / 2).wrapping_mul(self.laps);
        let expected = Token {
            round,
            hops: k * self.laps,
            trail,
        };
        if token != expected {
            note(&mut self.problem, || {
                format!("round {round}: the token came back as {token:?}, expected {expected:?}")
            });
        }
    }
}

impl Trial for RingTrial {
    fn run(&mut self, rounds: u64) -> anyhow::Result<Sample> {
        let first = self.rounds;
        self.rounds += rounds;
        let started = Instant::now();
        let tokens = match &mut self.ring {
            Ring::Threads {
                mailboxes, done, ..
            } => {
                let mut tokens = Vec::with_capacity(rounds as usize);
                for round in first..first + rounds {
                    let token = Token {
                        round,
                        hops: 0,
                        trail: 0,
                    };
                    ensure!(
                        mailboxes[0].send(Mail::Token(token)).is_ok(),
                        "actor 0 is gone"
                    );
                    tokens.push(work::receive(done, &self.cancel, "the token")?);
                }
                tokens
            }
            Ring::Tasks {
                mailboxes,
                done,
                runtime,
            } => runtime.block_on(pass_async(mailboxes, done, first, rounds, &self.cancel))?,
        };
        let ns = started.elapsed().as_nanos() as u64;
        for (token, round) in tokens.into_iter().zip(first..) {
            self.check(token, round);
        }
        Ok(Sample {
            ops: rounds * self.actors * self.laps,
            ns,
        })
    }

    fn verify(&mut self) -> anyhow::Result<()> {
        if let Some(problem) = &self.problem {
            bail!("{problem}");
        }
        ensure!(
            self.returned == self.rounds,
            "{} of {} tokens came back",
            self.returned,
            self.rounds
        );
        for (index, count) in self.counts.iter().enumerate() {
            let hops = count.load(Ordering::Relaxed);
            ensure!(
                hops == self.rounds * self.laps,
                "actor {index} passed the token {hops} times, expected {} rounds x {} laps",
                self.rounds,
                self.laps
            );
        }
        Ok(())
    }

    fn metrics(&self, measured: &Measured<'_>) -> BTreeMap<String, f64> {
        BTreeMap::from([(
            "ns_per_lap".to_string(),
            measured.median_ns_per_op * self.actors as f64,
        )])
    }
}

/// Send `rounds` tokens into the task ring, one at a time, and collect them.
async fn pass_async(
    mailboxes: &[tokio::sync::mpsc::UnboundedSender<Mail>],
    done: &mut tokio::sync::mpsc::UnboundedReceiver<Token>,
    first: u64,
    rounds: u64,
    cancel: &CancelToken,
) -> anyhow::Result<Vec<Token>> {
    let mut tokens = Vec::with_capacity(rounds as usize);
    for round in first..first + rounds {
        let token = Token {
            round,
            hops: 0,
            trail: 0,
        };
        ensure!(
            mailboxes[0].send(Mail::Token(token)).is_ok(),
            "actor 0 is gone"
        );
        tokens.push(work::receive_async(done, cancel, "the token").await?);
    }
    Ok(tokens)
}

impl Drop for RingTrial {
    /// Every actor gets a stop message; threads are joined, tasks end with
    /// the runtime. A token still travelling is dropped, never waited for.
    fn drop(&mut self) {
        match &mut self.ring {
            Ring::Threads {
                mailboxes, threads, ..
            } => {
                for mailbox in mailboxes.iter() {
                    let _ = mailbox.send(Mail::Stop);
                }
                for thread in threads.drain(..) {
                    let _ = thread.join();
                }
            }
            Ring::Tasks { mailboxes, .. } => {
                for mailbox in mailboxes.iter() {
                    let _ = mailbox.send(Mail::Stop);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Progress;
    use crate::vocab::{Model, Params};

    fn context(variant: &'static str, actors: u64, laps: u64) -> TrialContext {
        TrialContext {
            variant,
            model: Model::Thread,
            params: Params([("actors".into(), actors), ("laps".into(), laps)].into()),
            cancel: CancelToken::default(),
            progress: Progress::default(),
            worker_binary: "concbench".into(),
            runtime: None,
        }
    }

    #[test]
    fn both_rings_pass_the_token_k_times_m_and_verify() {
        for variant in [ActorRing::CrossbeamThreads, ActorRing::TokioTasks].map(ActorRing::name) {
            let mut trial = build(&context(variant, 3, 4)).expect("builds");
            let sample = trial.run(5).expect("runs");
            assert_eq!(sample.ops, 5 * 3 * 4, "{variant}");
            trial.run(2).expect("runs again");
            trial.verify().expect("every hop happened");
        }
    }

    #[test]
    fn a_lost_token_a_bent_token_or_a_skipped_actor_fails_verification() {
        let mut trial =
            ring_trial(&context(ActorRing::CrossbeamThreads.name(), 2, 1)).expect("builds");
        trial.run(1).expect("runs");
        trial.verify().expect("one honest round verifies");

        trial.rounds += 1;
        let error = trial.verify().unwrap_err().to_string();
        assert!(error.contains("1 of 2 tokens came back"), "{error}");

        let mut trial =
            ring_trial(&context(ActorRing::CrossbeamThreads.name(), 2, 1)).expect("builds");
        trial.run(1).expect("runs");
        trial.counts[1].store(0, Ordering::Relaxed);
        let error = trial.verify().unwrap_err().to_string();
        assert!(
            error.contains("actor 1 passed the token 0 times"),
            "{error}"
        );

        let mut trial = ring_trial(&context(ActorRing::TokioTasks.name(), 2, 1)).expect("builds");
        let bent = Token {
            round: 0,
            hops: 1,
            trail: 0,
        };
        trial.check(bent, 0);
        let error = trial.verify().unwrap_err().to_string();
        assert!(error.contains("round 0: the token came back"), "{error}");
    }
}
