//! Shared memory as a link: one single-producer single-consumer byte ring
//! each way, in a shared anonymous mapping made before fork. Head and tail
//! are atomics; a side that finds the ring empty (or full) spins briefly,
//! then sleeps on a futex that the other side wakes only when it knows a
//! waiter is there, so the data path makes no system call while both sides
//! keep up.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering::SeqCst};

use nix::errno::Errno;

use super::end::Link;
use crate::model::futex::{self, Scope};
use crate::model::shared_memory::SharedRegion;

/// Checks of the ring before going to sleep on the futex: enough to catch a
/// peer that answers within a microsecond or so, without burning a time
/// slice when both sides share one core.
const SPIN: u32 = 64;

// Word indices in the region's control page; the two sides' words sit on
// different 64-byte lines (16 words apart).
/// Bytes written so far (wrapping), stored by the producer.
const HEAD: usize = 0;
/// Bumped to wake a consumer waiting for data.
const DATA_SEQ: usize = 1;
/// 1 while the consumer sleeps (or is about to) on `DATA_SEQ`.
const CONSUMER_WAITING: usize = 2;
/// Bytes read so far (wrapping), stored by the consumer.
const TAIL: usize = 16;
const SPACE_SEQ: usize = 17;
const PRODUCER_WAITING: usize = 18;
/// Set when either side gives up: the other side's waits end.
const CLOSED: usize = 32;

/// One direction: a power-of-two byte ring with wrapping 32-bit positions.
struct Ring {
    region: Arc<SharedRegion>,
    capacity: u32,
    scope: Scope,
}

impl Ring {
    fn new(bytes: usize, scope: Scope) -> anyhow::Result<Ring> {
        let capacity = bytes.clamp(64, 1 << 30).next_power_of_two();
        Ok(Ring {
            region: Arc::new(SharedRegion::new(capacity)?),
            capacity: capacity as u32,
            scope,
        })
    }

    /// The same ring, for the other side.
    fn other_end(&self) -> Ring {
        Ring {
            region: Arc::clone(&self.region),
            capacity: self.capacity,
            scope: self.scope,
        }
    }

    fn word(&self, index: usize) -> &AtomicU32 {
        &self.region.words()[index]
    }

    fn closed(&self) -> bool {
        self.word(CLOSED).load(SeqCst) != 0
    }

    /// Copy as much of `data` as fits (at least one byte), waiting for room.
    fn write_some(&self, data: &[u8]) -> Result<usize, Errno> {
        let head = self.word(HEAD).load(SeqCst);
        let free = |ring: &Ring| ring.capacity - head.wrapping_sub(ring.word(TAIL).load(SeqCst));
        self.wait_until(SPACE_SEQ, PRODUCER_WAITING, |ring| free(ring) > 0)?;
        if self.closed() {
            return Err(Errno::EPIPE);
        }
        let n = (free(self) as usize).min(data.len());
        let start = (head % self.capacity) as usize;
        let first = n.min(self.capacity as usize - start);
        self.region
            .copy_in(start, data.get(..first).ok_or(Errno::EINVAL)?)?;
        self.region
            .copy_in(0, data.get(first..n).ok_or(Errno::EINVAL)?)?;
        self.word(HEAD).store(head.wrapping_add(n as u32), SeqCst);
        self.notify(DATA_SEQ, CONSUMER_WAITING);
        Ok(n)
    }

    /// Copy out what is there (at least one byte), waiting for data; 0 once
    /// the ring is empty and closed.
    fn read_some(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        let tail = self.word(TAIL).load(SeqCst);
        let ready = |ring: &Ring| ring.word(HEAD).load(SeqCst).wrapping_sub(tail);
        self.wait_until(DATA_SEQ, CONSUMER_WAITING, |ring| ready(ring) > 0)?;
        let n = (ready(self) as usize).min(buf.len());
        if n == 0 {
            return Ok(0);
        }
        let start = (tail % self.capacity) as usize;
        let first = n.min(self.capacity as usize - start);
        let (front, back) = buf.split_at_mut(first);
        self.region.copy_out(start, front)?;
        self.region
            .copy_out(0, back.get_mut(..n - first).ok_or(Errno::EINVAL)?)?;
        self.word(TAIL).store(tail.wrapping_add(n as u32), SeqCst);
        self.notify(SPACE_SEQ, PRODUCER_WAITING);
        Ok(n)
    }

    /// Return once `ready` holds or the ring is closed: spin a little, then
    /// sleep on `seq` with `waiting` raised. Raising the flag and re-checking
    /// (here) against storing the position and reading the flag (`notify`),
    /// all SeqCst, means that either this side sees the change or the other
    /// side sees the flag and wakes it.
    fn wait_until(
        &self,
        seq: usize,
        waiting: usize,
        ready: impl Fn(&Ring) -> bool,
    ) -> Result<(), Errno> {
        for _ in 0..SPIN {
            if ready(self) || self.closed() {
                return Ok(());
            }
            std::hint::spin_loop();
        }
        loop {
            let seen = self.word(seq).load(SeqCst);
            self.word(waiting).store(1, SeqCst);
            if ready(self) || self.closed() {
                self.word(waiting).store(0, SeqCst);
                return Ok(());
            }
            let slept = futex::wait(self.word(seq), seen, self.scope);
            self.word(waiting).store(0, SeqCst);
            slept?;
        }
    }

    fn notify(&self, seq: usize, waiting: usize) {
        if self.word(waiting).load(SeqCst) != 0 {
            self.word(seq).fetch_add(1, SeqCst);
            let _ = futex::wake(self.word(seq), 1, self.scope);
        }
    }

    fn close(&self) {
        self.word(CLOSED).store(1, SeqCst);
        for seq in [DATA_SEQ, SPACE_SEQ] {
            self.word(seq).fetch_add(1, SeqCst);
            let _ = futex::wake(self.word(seq), 1, self.scope);
        }
    }
}

/// Both ends of a ring link with `bytes` of ring each way.
pub fn pair(bytes: usize, scope: Scope) -> anyhow::Result<(Box<dyn Link>, Box<dyn Link>)> {
    let to_peer = Ring::new(bytes, scope)?;
    let from_peer = Ring::new(bytes, scope)?;
    let theirs = RingLink {
        tx: from_peer.other_end(),
        rx: to_peer.other_end(),
    };
    let ours = RingLink {
        tx: to_peer,
        rx: from_peer,
    };
    Ok((Box::new(ours), Box::new(theirs)))
}

/// A ring to write into and one to read from.
struct RingLink {
    tx: Ring,
    rx: Ring,
}

impl Link for RingLink {
    fn send(&mut self, mut data: &[u8]) -> Result<(), Errno> {
        while !data.is_empty() {
            let n = self.tx.write_some(data)?;
            data = data.get(n..).unwrap_or_default();
        }
        Ok(())
    }

    fn recv(&mut self, buf: &mut [u8]) -> Result<usize, Errno> {
        self.rx.read_some(buf)
    }

    fn max_piece(&self) -> usize {
        usize::MAX
    }

    /// Close both rings: the other side's reads end and its writes fail.
    /// Not done on drop: the parent drops its copy of the peer's end right
    /// after fork, while the child goes on using it.
    fn close(&mut self) {
        self.tx.close();
        self.rx.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_cross_the_ring_in_order_across_wrap_arounds() {
        let (mut ours, mut theirs) = pair(64, Scope::Private).expect("ring pair");
        let reader = std::thread::spawn(move || {
            let mut got = Vec::new();
            let mut buf = [0u8; 50];
            loop {
                match theirs.recv(&mut buf).expect("recv") {
                    0 => return got,
                    n => got.extend_from_slice(&buf[..n]),
                }
            }
        });
        let sent: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        for chunk in sent.chunks(37) {
            ours.send(chunk).expect("send");
        }
        // Closing ends the reader once it has drained the ring.
        ours.close();
        assert_eq!(reader.join().expect("reader"), sent);
    }

    #[test]
    fn a_closed_ring_refuses_writes() {
        let (mut ours, mut theirs) = pair(64, Scope::Private).expect("ring pair");
        theirs.close();
        assert_eq!(ours.send(b"x"), Err(Errno::EPIPE));
        assert_eq!(ours.recv(&mut [0u8; 4]), Ok(0));
    }
}
