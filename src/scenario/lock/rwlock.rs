//! `lock.rwlock` workloads: each operation is a read (with probability
//! `read_pct`%) or a write of a small board behind a read-write lock. A
//! write bumps the write count, works on the board and reseals it; a read
//! checks the seal (a write seen half-done would break it) and works on a
//! copy. Operations come from the batch's budget in chunks (`Claims`): a
//! shared count per operation would itself serialise the readers.

use std::hint::black_box;
use std::sync::PoisonError;
use std::time::Instant;

use anyhow::ensure;
use crossbeam::utils::CachePadded;

use super::counter::{ensure_counted, nanos_between};
use super::crew::{Claims, Tally, Workload};
use super::work::{SEED, Shape, jump, work};
use crate::scenario::CancelToken;

/// The protected state.
#[derive(Debug, Clone, Copy)]
pub struct Board {
    writes: u64,
    scratch: u64,
    /// `seal(writes, scratch)`, rewritten by every write.
    seal: u64,
}

fn seal(writes: u64, scratch: u64) -> u64 {
    writes.wrapping_mul(0xD6E8_FEB8_6659_FD93) ^ scratch.rotate_left(29)
}

const START: Board = Board {
    writes: 0,
    scratch: SEED,
    seal: SEED.rotate_left(29),
};

/// A read-write lock around a `Board`.
pub trait ReadWrite: Send + Sync + 'static {
    fn new(board: Board) -> Self;
    fn read<R>(&self, f: impl FnOnce(&Board) -> R) -> R;
    fn write<R>(&self, f: impl FnOnce(&mut Board) -> R) -> R;
}

impl ReadWrite for std::sync::RwLock<Board> {
    fn new(board: Board) -> Self {
        std::sync::RwLock::new(board)
    }

    #[inline]
    fn read<R>(&self, f: impl FnOnce(&Board) -> R) -> R {
        f(&self.read().unwrap_or_else(PoisonError::into_inner))
    }

    #[inline]
    fn write<R>(&self, f: impl FnOnce(&mut Board) -> R) -> R {
        f(&mut self.write().unwrap_or_else(PoisonError::into_inner))
    }
}

impl ReadWrite for parking_lot::RwLock<Board> {
    fn new(board: Board) -> Self {
        parking_lot::RwLock::new(board)
    }

    #[inline]
    fn read<R>(&self, f: impl FnOnce(&Board) -> R) -> R {
        f(&self.read())
    }

    #[inline]
    fn write<R>(&self, f: impl FnOnce(&mut Board) -> R) -> R {
        f(&mut self.write())
    }
}

/// The read side: whether the board was whole, after working on a copy.
#[inline(always)]
fn read_board(board: &Board, iters: u64) -> bool {
    // black_box keeps the work inside the read lock.
    black_box(work(board.scratch, iters));
    seal(board.writes, board.scratch) == board.seal
}

#[inline(always)]
fn write_board(board: &mut Board, iters: u64) {
    board.writes += 1;
    board.scratch = work(board.scratch, iters);
    board.seal = seal(board.writes, board.scratch);
}

/// A 0..100 roll from the thread's xorshift state.
#[inline(always)]
fn roll(rng: &mut u64) -> u64 {
    *rng ^= *rng << 13;
    *rng ^= *rng >> 7;
    *rng ^= *rng << 17;
    ((*rng >> 32) * 100) >> 32
}

/// A board behind the read-write lock `L`.
pub struct RwWork<L> {
    lock: CachePadded<L>,
    claims: Claims,
    read_pct: u64,
    shape: Shape,
}

impl<L: ReadWrite> RwWork<L> {
    pub fn new(read_pct: u64, shape: Shape) -> Self {
        RwWork {
            lock: CachePadded::new(L::new(START)),
            claims: Claims::default(),
            read_pct,
            shape,
        }
    }

    /// One read or write; records the acquire latency when `timed`.
    #[inline(always)]
    fn operate(&self, tally: &mut Tally, timed: bool) {
        let iters = self.shape.iters;
        let reading = roll(&mut tally.rng) < self.read_pct;
        let asked = timed.then(Instant::now);
        let acquired = if reading {
            let (acquired, whole) = self
                .lock
                .read(|board| (timed.then(Instant::now), read_board(board, iters)));
            tally.reads += 1;
            tally.torn_reads += u64::from(!whole);
            acquired
        } else {
            self.lock
                .write(|board| (timed.then(Instant::now), write_board(board, iters)))
                .0
        };
        if !reading {
            tally.writes += 1;
        }
        if let (Some(asked), Some(acquired)) = (asked, acquired) {
            tally.recorder.record(nanos_between(asked, acquired));
        }
    }
}

impl<L: ReadWrite> Workload for RwWork<L> {
    fn begin_batch(&self, budget: u64) {
        self.claims.begin(budget);
    }

    fn run_batch(&self, _index: usize, tally: &mut Tally, cancel: &CancelToken) {
        let sample_mask = self.shape.sample_mask;
        let mut mine = 0u64;
        'claims: loop {
            let granted = self.claims.claim();
            if granted == 0 {
                break;
            }
            for _ in 0..granted {
                let timed = mine & sample_mask == 0;
                if timed && cancel.is_cancelled() {
                    break 'claims;
                }
                self.operate(tally, timed);
                mine += 1;
            }
        }
        tally.finish_batch(mine);
    }

    fn verify(&self, tallies: &[&Tally], ops: u64, _batches: u64) -> anyhow::Result<()> {
        let board = self.lock.read(|board| *board);
        let (reads, writes, torn) = tallies.iter().fold((0, 0, 0), |(r, w, t), tally| {
            (r + tally.reads, w + tally.writes, t + tally.torn_reads)
        });
        ensure_counted(tallies, ops)?;
        ensure!(
            reads + writes == ops,
            "{reads} reads and {writes} writes for {ops} operations"
        );
        ensure!(
            board.writes == writes,
            "the board counts {} writes, the threads did {writes}",
            board.writes
        );
        ensure!(torn == 0, "{torn} of {reads} reads saw a half-done write");
        ensure!(
            board.scratch == jump(SEED, writes.wrapping_mul(self.shape.iters))
                && board.seal == seal(board.writes, board.scratch),
            "the board is not what {writes} writes of {} steps give: a write was lost or torn",
            self.shape.iters
        );
        Ok(())
    }

    fn metrics(&self, tallies: &[&Tally]) -> Vec<(&'static str, f64)> {
        let reads: u64 = tallies.iter().map(|t| t.reads).sum();
        let all: u64 = tallies.iter().map(|t| t.reads + t.writes).sum();
        vec![("read_share", reads as f64 / all.max(1) as f64)]
    }
}
