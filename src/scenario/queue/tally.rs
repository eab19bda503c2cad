//! How arrivals are proved: each consumer checks every message it takes and
//! marks it in its own bitset (one per producer), and at the end of a round
//! the ledger merges the consumers' bitsets, proving that together they saw
//! every message exactly once and intact.

use std::sync::Mutex;

use super::message::{Clock, Message, Shape, is_sampled};
use crate::model::latency::Recorder;

/// One consumer's record of a round (a bitset of arrivals per producer) and
/// of every round (the latency of sampled messages).
#[derive(Debug)]
pub struct Tally {
    shape: Shape,
    /// Bitset words per producer.
    words: usize,
    seen: Vec<u64>,
    faults: u64,
    first_fault: Option<String>,
    pub latency: Recorder,
}

impl Tally {
    pub fn new(shape: Shape) -> Tally {
        Tally {
            shape,
            words: shape.words_per_producer(),
            seen: vec![0; shape.producers * shape.words_per_producer()],
            faults: 0,
            first_fault: None,
            latency: Recorder::new(),
        }
    }

    /// Check and record one message taken from the queue (not a stop):
    /// the hot path is a few instructions; what went wrong is worked out
    /// only when something did.
    #[inline(always)]
    pub fn accept<const W: usize>(&mut self, message: &Message<W>, clock: &Clock) {
        let (producer, sequence) = (message.producer(), message.sequence());
        let known = producer < self.shape.producers && (sequence as usize) < self.shape.messages;
        let index = producer * self.words + sequence as usize / 64;
        let bit = 1u64 << (sequence % 64);
        match self.seen.get_mut(index) {
            Some(word) if known && *word & bit == 0 && message.intact() => *word |= bit,
            _ => return self.reject(message),
        }
        if is_sampled(sequence) {
            self.sample(message, clock);
        }
    }

    #[inline(never)]
    fn sample<const W: usize>(&mut self, message: &Message<W>, clock: &Clock) {
        self.latency
            .record(clock.now_ns().saturating_sub(message.sent_ns));
    }

    /// Say why `accept` refused a message.
    #[cold]
    #[inline(never)]
    fn reject<const W: usize>(&mut self, message: &Message<W>) {
        let (producer, sequence) = (message.producer(), message.sequence());
        let what = if producer >= self.shape.producers || sequence as usize >= self.shape.messages {
            format!("a message with an unknown origin {:#x}", message.tag)
        } else if !message.intact() {
            format!("message {sequence} of producer {producer} arrived with a damaged payload")
        } else {
            format!("message {sequence} of producer {producer} arrived twice")
        };
        self.fault(what);
    }

    /// Record a failure seen by this consumer (a closed queue, a bad message).
    #[cold]
    pub fn fault(&mut self, what: String) {
        self.faults += 1;
        self.first_fault.get_or_insert(what);
    }
}

/// What every consumer saw, merged round by round: proof that each message
/// arrived exactly once and intact.
#[derive(Debug)]
pub struct Ledger {
    state: Mutex<LedgerState>,
}

#[derive(Debug)]
struct LedgerState {
    shape: Shape,
    union: Vec<u64>,
    merged: usize,
    rounds: u64,
    delivered: u64,
    faults: u64,
    first_fault: Option<String>,
}

impl Ledger {
    pub fn new(shape: Shape) -> Ledger {
        Ledger {
            state: Mutex::new(LedgerState {
                shape,
                union: vec![0; shape.producers * shape.words_per_producer()],
                merged: 0,
                rounds: 0,
                delivered: 0,
                faults: 0,
                first_fault: None,
            }),
        }
    }

    /// Fold a consumer's round into the round's union and clear it; the last
    /// consumer of the round checks that the union holds every message.
    pub fn merge(&self, tally: &mut Tally) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let state = &mut *state;
        let (mut overlap, mut received) = (None, 0);
        for (index, (all, mine)) in state.union.iter_mut().zip(&mut tally.seen).enumerate() {
            if *all & *mine != 0 && overlap.is_none() {
                overlap = Some(index);
            }
            received += u64::from(mine.count_ones());
            *all |= *mine;
            *mine = 0;
        }
        if let Some(index) = overlap {
            state.fault(format!(
                "two consumers took the same message (bitset word {index})"
            ));
        }
        state.delivered += received;
        if let Some(what) = tally.first_fault.take() {
            state.faults += tally.faults;
            state.first_fault.get_or_insert(what);
            tally.faults = 0;
        }
        state.merged += 1;
        if state.merged == state.shape.consumers {
            state.close_round();
        }
    }

    /// Ok when `rounds` rounds were merged, complete and without a fault.
    pub fn check(&self, rounds: u64) -> anyhow::Result<()> {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(what) = &state.first_fault {
            anyhow::bail!("{} faults; the first: {what}", state.faults);
        }
        let expected = rounds * state.shape.per_round();
        anyhow::ensure!(
            state.rounds == rounds && state.delivered == expected,
            "{} of {expected} messages arrived in {} of {rounds} rounds",
            state.delivered,
            state.rounds
        );
        Ok(())
    }
}

impl LedgerState {
    #[cold]
    fn fault(&mut self, what: String) {
        self.faults += 1;
        self.first_fault.get_or_insert(what);
    }

    /// Every message of every producer must be in the union: compare it a
    /// word at a time, name the first gap if there is one, then start the
    /// next round with an empty union.
    fn close_round(&mut self) {
        let words = self.shape.words_per_producer();
        let tail = match self.shape.messages % 64 {
            0 => u64::MAX,
            bits => (1u64 << bits) - 1,
        };
        let full = |index: usize| {
            if index % words == words - 1 {
                tail
            } else {
                u64::MAX
            }
        };
        let gap = (0..self.union.len()).find(|&i| self.union[i] != full(i));
        if let Some(index) = gap {
            let absent = full(index) & !self.union[index];
            let (producer, sequence) = (
                index / words,
                (index % words) * 64 + absent.trailing_zeros() as usize,
            );
            let arrived: u64 = self.union.iter().map(|w| u64::from(w.count_ones())).sum();
            self.fault(format!(
                "round {}: {} messages never arrived (first: message {sequence} of producer {producer})",
                self.rounds + 1,
                self.shape.per_round() - arrived
            ));
        }
        self.union.fill(0);
        self.merged = 0;
        self.rounds += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::queue::message::Clock;

    const SHAPE: Shape = Shape {
        producers: 2,
        consumers: 2,
        messages: 70,
    };

    fn all_messages() -> Vec<Message<2>> {
        let clock = Clock::start();
        (0..2)
            .flat_map(|p| (0..70).map(move |s| Message::new(p, s, &clock)))
            .collect()
    }

    #[test]
    fn a_round_split_between_consumers_checks_out() {
        let (ledger, clock) = (Ledger::new(SHAPE), Clock::start());
        let (mut a, mut b) = (Tally::new(SHAPE), Tally::new(SHAPE));
        for (i, message) in all_messages().iter().enumerate() {
            let tally = if i % 3 == 0 { &mut a } else { &mut b };
            tally.accept(message, &clock);
        }
        ledger.merge(&mut a);
        ledger.merge(&mut b);
        ledger.check(1).expect("every message once");
        // 2 producers x (70 / 64 rounded up) sampled messages each.
        assert_eq!(a.latency.count() + b.latency.count(), 4);
    }

    #[test]
    fn a_missing_message_is_named() {
        let (ledger, clock) = (Ledger::new(SHAPE), Clock::start());
        let (mut a, mut b) = (Tally::new(SHAPE), Tally::new(SHAPE));
        for message in all_messages().iter().filter(|m| m.tag != (1 << 32) | 65) {
            a.accept(message, &clock);
        }
        ledger.merge(&mut a);
        ledger.merge(&mut b);
        let error = ledger.check(1).expect_err("one message is missing");
        assert!(
            error.to_string().contains("message 65 of producer 1"),
            "{error}"
        );
    }

    #[test]
    fn a_message_taken_by_two_consumers_is_a_fault() {
        let (ledger, clock) = (Ledger::new(SHAPE), Clock::start());
        let (mut a, mut b) = (Tally::new(SHAPE), Tally::new(SHAPE));
        let messages = all_messages();
        messages.iter().for_each(|m| a.accept(m, &clock));
        b.accept(&messages[5], &clock);
        ledger.merge(&mut a);
        ledger.merge(&mut b);
        let error = ledger.check(1).expect_err("a duplicate");
        assert!(error.to_string().contains("same message"), "{error}");
    }

    #[test]
    fn duplicates_and_damaged_payloads_are_faults() {
        let (ledger, clock) = (Ledger::new(SHAPE), Clock::start());
        let mut a = Tally::new(SHAPE);
        let mut messages = all_messages();
        a.accept(&messages[0], &clock);
        a.accept(&messages[0], &clock);
        messages[1].payload[1] ^= 1;
        a.accept(&messages[1], &clock);
        assert_eq!(a.faults, 2);
        assert_eq!(a.seen.iter().map(|w| w.count_ones()).sum::<u32>(), 1);
        assert!(a.first_fault.as_deref().unwrap_or("").contains("twice"));
        ledger.merge(&mut a);
        ledger.merge(&mut Tally::new(SHAPE));
        assert!(ledger.check(1).is_err());
    }

    #[test]
    fn a_round_that_never_closed_fails_the_check() {
        let ledger = Ledger::new(SHAPE);
        let error = ledger.check(1).expect_err("no round merged");
        assert!(error.to_string().contains("0 of 140"), "{error}");
    }
}
