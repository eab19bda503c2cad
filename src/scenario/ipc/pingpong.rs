//! The ping-pong trial: one byte there and back per round trip, between this
//! thread and a peer (thread or forked child) over one transport. Each byte
//! is the next of a sequence and comes back plus one; both sides check it.
//! Also the switch family's `pipe` variant (two switches per round trip).

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{bail, ensure};

use super::link::{self, Link, Setup, Transport};
use super::peer::{Peer, Task};
use crate::model::latency::Recorder;
use crate::model::placement::{PinGuard, Placement};
use crate::scenario::{CancelToken, Measured, Trial, TrialContext};
use crate::vocab::{Model, Sample};

/// Time one round trip in this many for the latency percentiles: two clock
/// reads per round trip would cost about 1% of the fastest ones.
const SAMPLE_EVERY: u64 = 16;
/// Look at the watchdog's cancel flag once in this many round trips.
const CANCEL_EVERY: u64 = 4096;
/// The first byte of the sequence.
const FIRST: u8 = 1;

pub struct PingPong {
    // Declared first so it is dropped (closed) before the peer is awaited.
    link: Box<dyn Link>,
    peer: Peer,
    next: u8,
    round_trips: u64,
    ops_per_round_trip: u64,
    recorder: Recorder,
    cancel: CancelToken,
    _pin: PinGuard,
}

impl PingPong {
    /// Connect over `transport`, start the peer with `placement`, and count
    /// `ops_per_round_trip` operations per round trip.
    pub fn build(
        context: &TrialContext,
        transport: Transport,
        placement: Placement,
        ops_per_round_trip: u64,
    ) -> anyhow::Result<PingPong> {
        let process = context.model == Model::Process;
        let setup = Setup {
            largest_message: 1,
            across_processes: process,
            ring_bytes: 4096,
        };
        let (link, theirs) = link::connect(transport, setup)?;
        let pin = placement.pin_first().map_err(anyhow::Error::msg)?;
        let peer = Peer::start(
            process,
            theirs,
            Task::Echo { first: FIRST },
            placement.second,
        )?;
        let mut trial = PingPong {
            link,
            peer,
            next: FIRST,
            round_trips: 0,
            ops_per_round_trip,
            recorder: Recorder::new(),
            cancel: context.cancel.clone(),
            _pin: pin,
        };
        // One untimed round trip: the peer is running before warm-up starts
        // (its start-up would otherwise skew the first estimate).
        trial.round_trip()?;
        Ok(trial)
    }

    fn round_trip(&mut self) -> anyhow::Result<()> {
        let sent = self.next;
        let mut reply = [0u8; 1];
        let received = match self.link.send(&[sent]) {
            Ok(()) => self.link.recv(&mut reply),
            Err(e) => Err(e),
        };
        match received {
            Ok(1) => {}
            Ok(_) => bail!("{}", self.why_stopped("the link closed")),
            Err(e) => bail!("{}", self.why_stopped(&e.to_string())),
        }
        ensure!(
            reply[0] == sent.wrapping_add(1),
            "round trip {}: sent {sent}, got {} back instead of {}",
            self.round_trips,
            reply[0],
            sent.wrapping_add(1)
        );
        self.next = sent.wrapping_add(1);
        self.round_trips += 1;
        Ok(())
    }

    fn why_stopped(&self, what: &str) -> String {
        let peer = self.peer.status.failure().unwrap_or_default();
        format!("after {} round trips: {what}. {peer}", self.round_trips)
    }
}

impl Trial for PingPong {
    fn run(&mut self, rounds: u64) -> anyhow::Result<Sample> {
        let started = Instant::now();
        for round in 0..rounds {
            if round % CANCEL_EVERY == 0 && self.cancel.is_cancelled() {
                bail!(
                    "cancelled by the watchdog after {} round trips",
                    self.round_trips
                );
            }
            if round % SAMPLE_EVERY == 0 {
                let one = Instant::now();
                self.round_trip()?;
                // In the point's unit: a round trip, or (switch) one switch.
                let ns = one.elapsed().as_nanos() as u64;
                self.recorder.record(ns / self.ops_per_round_trip);
            } else {
                self.round_trip()?;
            }
        }
        Ok(Sample {
            ops: rounds * self.ops_per_round_trip,
            ns: started.elapsed().as_nanos() as u64,
        })
    }

    fn verify(&mut self) -> anyhow::Result<()> {
        let link = &mut self.link;
        let next = self.next;
        self.peer.stop(|| link.send(&[next]))?;
        let echoed = self.peer.status.count();
        ensure!(
            echoed == self.round_trips,
            "the peer echoed {echoed} bytes; {} round trips were made",
            self.round_trips
        );
        Ok(())
    }

    fn begin_measurement(&mut self) {
        self.recorder.clear();
    }

    fn latency(&self) -> Option<crate::results::Latency> {
        self.recorder.latency()
    }

    fn metrics(&self, measured: &Measured<'_>) -> BTreeMap<String, f64> {
        let round_trip = measured.median_ns_per_op * self.ops_per_round_trip as f64;
        BTreeMap::from([("one_way_ns".to_string(), round_trip / 2.0)])
    }
}

impl Drop for PingPong {
    fn drop(&mut self) {
        // Wake a peer thread waiting on the link; the link's descriptors
        // close when the field drops, before the peer is awaited.
        self.link.close();
    }
}
