//! The streaming trial: rounds of messages from this thread to the peer,
//! which checks every byte against the pattern and acknowledges each round,
//! so a round's time covers the bytes' arrival, not just their sending.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{bail, ensure};

use super::link::{self, Link, Setup, Transport};
use super::pattern::{Checker, Pattern};
use super::peer::{Peer, Task};
use crate::scenario::{CancelToken, Measured, Trial, TrialContext};
use crate::vocab::{Model, Sample};

/// Look at the watchdog's cancel flag once in this many messages.
const CANCEL_EVERY: u64 = 1024;
/// Bytes of each shared-memory ring for streams.
const RING_BYTES: usize = 256 << 10;

pub struct Stream {
    // Declared first so it is dropped (closed) before the peer is awaited.
    link: Box<dyn Link>,
    peer: Peer,
    pattern: Pattern,
    message: Vec<u8>,
    ack: Vec<u8>,
    /// Largest piece the transport sends at once.
    piece: usize,
    messages_per_round: u64,
    next_message: u64,
    rounds: u64,
    cancel: CancelToken,
}

impl Stream {
    pub fn build(
        context: &TrialContext,
        transport: Transport,
        message_bytes: usize,
        round_bytes: u64,
    ) -> anyhow::Result<Stream> {
        let process = context.model == Model::Process;
        let setup = Setup {
            largest_message: message_bytes,
            across_processes: process,
            ring_bytes: RING_BYTES,
        };
        let (link, theirs) = link::connect(transport, setup)?;
        let piece = theirs.max_piece().min(message_bytes);
        let messages_per_round = round_bytes.div_ceil(message_bytes as u64).max(1);
        let pattern = Pattern::new(message_bytes);
        let task = Task::Sink {
            checker: Checker::new(pattern.clone()),
            round_bytes: messages_per_round * message_bytes as u64,
            buffer: vec![0; piece],
        };
        let peer = Peer::start(process, theirs, task, None)?;
        let mut trial = Stream {
            link,
            peer,
            message: pattern.buffer(),
            pattern,
            ack: vec![0; piece],
            piece,
            messages_per_round,
            next_message: 0,
            rounds: 0,
            cancel: context.cancel.clone(),
        };
        // One untimed round: the peer is running before warm-up starts.
        trial.round()?;
        Ok(trial)
    }

    fn round(&mut self) -> anyhow::Result<()> {
        for sent in 0..self.messages_per_round {
            if sent % CANCEL_EVERY == 0 && self.cancel.is_cancelled() {
                bail!("cancelled by the watchdog in round {}", self.rounds + 1);
            }
            self.pattern.stamp(&mut self.message, self.next_message);
            self.next_message += 1;
            for piece in self.message.chunks(self.piece) {
                if let Err(e) = self.link.send(piece) {
                    bail!("{}", self.why_stopped(&e.to_string()));
                }
            }
        }
        let got = match self.link.recv(&mut self.ack) {
            Ok(0) => bail!("{}", self.why_stopped("the link closed")),
            Ok(n) => n,
            Err(e) => bail!("{}", self.why_stopped(&e.to_string())),
        };
        self.rounds += 1;
        ensure!(
            got == 1 && self.ack[0] == self.rounds as u8,
            "round {}: the peer's acknowledgement was {:?}, not [{}]",
            self.rounds,
            &self.ack[..got],
            self.rounds as u8
        );
        Ok(())
    }

    fn why_stopped(&self, what: &str) -> String {
        let peer = self.peer.status.failure().unwrap_or_default();
        format!("in round {}: {what}. {peer}", self.rounds + 1)
    }
}

impl Trial for Stream {
    fn run(&mut self, rounds: u64) -> anyhow::Result<Sample> {
        let started = Instant::now();
        for _ in 0..rounds {
            self.round()?;
        }
        Ok(Sample {
            ops: rounds * self.messages_per_round,
            ns: started.elapsed().as_nanos() as u64,
        })
    }

    fn verify(&mut self) -> anyhow::Result<()> {
        let link = &mut self.link;
        self.peer.stop(|| link.send(&[0]))?;
        let checked = self.peer.status.count();
        let sent = self.next_message * self.pattern.message_bytes() as u64;
        ensure!(
            checked == sent,
            "the peer checked {checked} bytes; {sent} were sent"
        );
        Ok(())
    }

    fn metrics(&self, measured: &Measured<'_>) -> BTreeMap<String, f64> {
        let bytes = self.pattern.message_bytes() as f64;
        let mut metrics = BTreeMap::new();
        if measured.median_ns_per_op > 0.0 {
            // bytes per ns x 1000 = MB (10^6 bytes) per s.
            metrics.insert("mb_per_s".into(), bytes * 1e3 / measured.median_ns_per_op);
        }
        metrics.insert(
            "pieces_per_message".into(),
            (bytes / self.piece as f64).ceil(),
        );
        metrics
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        self.link.close();
    }
}
