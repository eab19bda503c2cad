//! What travels through the queues: each message carries its origin
//! (producer, sequence), a send time when it is sampled, and a payload
//! pattern derived from its origin, so that a consumer can tell where it came
//! from, whether it is intact, and how long it took (see `tally.rs`).

use std::time::Instant;

/// One message in this many carries a send time (sequence 0 of every round
/// included), so the clock reads cost well under 1% of a hand-off.
pub const SAMPLE_EVERY: u32 = 64;

/// The tag of the end-of-round marker, never a real origin.
const STOP_TAG: u64 = u64::MAX;
/// Payload word `i` is `tag * TAG_MIX + i * WORD_STEP`: cheap to write and
/// to check (it vectorises), and different for every message.
const TAG_MIX: u64 = 0xD6E8_FEB8_6659_FD93;
const WORD_STEP: u64 = 0x9E37_79B9_7F4A_7C15;

/// A message with a payload of `W` 8-byte words (8 B: W = 1, 1 KiB: W = 128)
/// behind a 16-byte header.
#[derive(Debug, Clone, Copy)]
pub struct Message<const W: usize> {
    /// `producer << 32 | sequence`, or `STOP_TAG`.
    pub(super) tag: u64,
    /// Nanoseconds since the trial's clock started, on sampled messages.
    pub(super) sent_ns: u64,
    pub(super) payload: [u64; W],
}

impl<const W: usize> Message<W> {
    /// Message `sequence` of `producer`, stamped if it is a sampled one.
    #[inline]
    pub fn new(producer: u32, sequence: u32, clock: &Clock) -> Self {
        let tag = (u64::from(producer) << 32) | u64::from(sequence);
        let sent_ns = if is_sampled(sequence) {
            clock.now_ns()
        } else {
            0
        };
        Message {
            tag,
            sent_ns,
            payload: pattern(tag),
        }
    }

    /// The end-of-round marker: each consumer stops at the first it takes.
    pub fn stop() -> Self {
        Message {
            tag: STOP_TAG,
            sent_ns: 0,
            payload: [0; W],
        }
    }

    #[inline]
    pub fn is_stop(&self) -> bool {
        self.tag == STOP_TAG
    }

    #[inline]
    pub(super) fn producer(&self) -> usize {
        (self.tag >> 32) as usize
    }

    #[inline]
    pub(super) fn sequence(&self) -> u32 {
        self.tag as u32
    }

    /// True when every payload word is the one its origin implies.
    #[inline]
    pub(super) fn intact(&self) -> bool {
        self.payload == pattern(self.tag)
    }
}

/// What the priority queue orders by: a pseudo-random rank from the origin
/// for real messages (>= 1), 0 for the stop marker, so that it comes out
/// after every message of its round. The LIFO queue asks `is_marker` to
/// put markers underneath.
pub trait Ranked {
    fn rank(&self) -> u64;

    fn is_marker(&self) -> bool {
        self.rank() == 0
    }
}

impl<const W: usize> Ranked for Message<W> {
    #[inline]
    fn rank(&self) -> u64 {
        if self.is_stop() { 0 } else { mix(self.tag) | 1 }
    }

    #[inline]
    fn is_marker(&self) -> bool {
        self.is_stop()
    }
}

#[inline]
fn pattern<const W: usize>(tag: u64) -> [u64; W] {
    let base = tag.wrapping_mul(TAG_MIX);
    std::array::from_fn(|i| base.wrapping_add((i as u64).wrapping_mul(WORD_STEP)))
}

#[inline]
pub(super) fn is_sampled(sequence: u32) -> bool {
    sequence.is_multiple_of(SAMPLE_EVERY)
}

/// The splitmix64 finaliser: a bijection, so distinct tags rank apart.
fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The trial's time base, shared by producers (stamping) and consumers.
#[derive(Debug, Clone, Copy)]
pub struct Clock(Instant);

impl Clock {
    pub fn start() -> Clock {
        Clock(Instant::now())
    }

    #[inline]
    pub fn now_ns(&self) -> u64 {
        self.0.elapsed().as_nanos() as u64
    }
}

/// The shape of a round: who sends and how much.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub producers: usize,
    pub consumers: usize,
    /// Messages each producer sends per round.
    pub messages: usize,
}

impl Shape {
    pub fn per_round(&self) -> u64 {
        (self.producers * self.messages) as u64
    }

    pub(super) fn words_per_producer(&self) -> usize {
        self.messages.div_ceil(64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stops_rank_below_every_message() {
        let (stop, clock) = (Message::<1>::stop(), Clock::start());
        assert!(stop.is_stop());
        for (p, s) in [(0, 0), (0, 1), (3, 70), (63, 999_999)] {
            let message = Message::<2>::new(p, s, &clock);
            assert!(!message.is_stop() && message.intact());
            assert_eq!((message.producer(), message.sequence()), (p as usize, s));
            assert!(message.rank() > stop.rank());
        }
    }

    #[test]
    fn one_message_in_sample_every_carries_a_send_time() {
        let clock = Clock::start();
        std::thread::sleep(std::time::Duration::from_millis(1));
        let stamped: Vec<u32> = (0..200)
            .filter(|&s| Message::<1>::new(0, s, &clock).sent_ns > 0)
            .collect();
        assert_eq!(stamped, [0, 64, 128, 192]);
    }
}
