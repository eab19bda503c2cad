//! The queues the tutorials build by hand, in the design of Python's
//! `queue.Queue`: one Mutex around a container and two Condvars, `not_empty`
//! and `not_full` (`maxsize` 0 means unbounded). As in Python, `LifoQueue`
//! and `PriorityQueue` differ only in the container (`_put` / `_get`), and a
//! waiter is notified only when someone waits (Python's `Condition.notify`
//! does nothing without waiters).

use std::collections::{BinaryHeap, VecDeque};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::message::Ranked;
use super::variants::{Closed, Ends, Receiver, Sender};

/// The container behind the lock: Python's `_put`, `_get` and `_qsize`.
pub trait Store<T>: Default + Send + 'static {
    fn put(&mut self, item: T);
    fn take(&mut self) -> Option<T>;
    fn len(&self) -> usize;
}

/// FIFO: `queue.Queue`.
impl<T: Send + 'static> Store<T> for VecDeque<T> {
    #[inline]
    fn put(&mut self, item: T) {
        self.push_back(item);
    }
    #[inline]
    fn take(&mut self) -> Option<T> {
        self.pop_front()
    }
    fn len(&self) -> usize {
        VecDeque::len(self)
    }
}

/// LIFO: `queue.LifoQueue`, a stack; end-of-round markers go underneath,
/// so that they come out after every item already in (in a FIFO they do by
/// themselves, and the priority queue ranks them lowest).
impl<T: Ranked + Send + 'static> Store<T> for Vec<T> {
    #[inline]
    fn put(&mut self, item: T) {
        if item.is_marker() {
            self.insert(0, item);
        } else {
            self.push(item);
        }
    }
    #[inline]
    fn take(&mut self) -> Option<T> {
        self.pop()
    }
    fn len(&self) -> usize {
        Vec::len(self)
    }
}

/// An item with its rank, ordered by rank alone (a max-heap: the highest
/// rank comes out first; markers rank 0).
pub struct ByRank<T> {
    rank: u64,
    item: T,
}

impl<T> PartialEq for ByRank<T> {
    fn eq(&self, other: &Self) -> bool {
        self.rank == other.rank
    }
}
impl<T> Eq for ByRank<T> {}
impl<T> PartialOrd for ByRank<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for ByRank<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.rank.cmp(&other.rank)
    }
}

/// Priority: `queue.PriorityQueue`, a binary heap.
impl<T: Ranked + Send + 'static> Store<T> for BinaryHeap<ByRank<T>> {
    #[inline]
    fn put(&mut self, item: T) {
        self.push(ByRank {
            rank: item.rank(),
            item,
        });
    }
    #[inline]
    fn take(&mut self) -> Option<T> {
        self.pop().map(|entry| entry.item)
    }
    fn len(&self) -> usize {
        BinaryHeap::len(self)
    }
}

struct State<S> {
    store: S,
    waiting_getters: usize,
    waiting_putters: usize,
}

/// `queue.Queue(maxsize)` over the container `S`.
pub struct Guarded<S> {
    state: Mutex<State<S>>,
    not_empty: Condvar,
    not_full: Condvar,
    /// 0: unbounded.
    maxsize: usize,
}

impl<S> Guarded<S> {
    fn lock(&self) -> Result<MutexGuard<'_, State<S>>, Closed> {
        self.state.lock().map_err(|_| Closed)
    }
}

impl<S: Default> Guarded<S> {
    fn new(maxsize: usize) -> Guarded<S> {
        Guarded {
            state: Mutex::new(State {
                store: S::default(),
                waiting_getters: 0,
                waiting_putters: 0,
            }),
            not_empty: Condvar::new(),
            not_full: Condvar::new(),
            maxsize,
        }
    }
}

impl<S> Guarded<S> {
    /// `put`: wait while full, add, wake one getter if one waits.
    #[inline]
    fn put<T>(&self, item: T) -> Result<(), Closed>
    where
        S: Store<T>,
    {
        let mut state = self.lock()?;
        while self.maxsize > 0 && state.store.len() >= self.maxsize {
            state.waiting_putters += 1;
            state = self.not_full.wait(state).map_err(|_| Closed)?;
            state.waiting_putters -= 1;
        }
        state.store.put(item);
        if state.waiting_getters > 0 {
            self.not_empty.notify_one();
        }
        Ok(())
    }

    /// `get`: wait while empty, take, wake one putter if one waits.
    #[inline]
    fn get<T>(&self) -> Result<T, Closed>
    where
        S: Store<T>,
    {
        let mut state = self.lock()?;
        loop {
            if let Some(item) = state.store.take() {
                if state.waiting_putters > 0 {
                    self.not_full.notify_one();
                }
                return Ok(item);
            }
            state.waiting_getters += 1;
            state = self.not_empty.wait(state).map_err(|_| Closed)?;
            state.waiting_getters -= 1;
        }
    }
}

/// Every worker's end of one hand-built queue.
pub struct Shared<S>(Arc<Guarded<S>>);

impl<S> Clone for Shared<S> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<T: Copy + Send + 'static, S: Store<T>> Sender<T> for Shared<S> {
    #[inline]
    fn send(&mut self, item: T) -> Result<(), Closed> {
        self.0.put(item)
    }
}

impl<T: Send + 'static, S: Store<T>> Receiver<T> for Shared<S> {
    #[inline]
    fn recv(&mut self) -> Result<T, Closed> {
        self.0.get()
    }
}

/// A hand-built queue of container `S`, `maxsize` 0 for unbounded.
pub fn guarded<S: Default>(
    maxsize: usize,
    producers: usize,
    consumers: usize,
) -> Ends<Shared<S>, Shared<S>> {
    let queue = Shared(Arc::new(Guarded::new(maxsize)));
    (vec![queue.clone(); producers], vec![queue; consumers])
}

/// The three containers, by the names the variants use.
pub type Fifo<T> = VecDeque<T>;
pub type Lifo<T> = Vec<T>;
pub type Priority<T> = BinaryHeap<ByRank<T>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug, PartialEq)]
    struct Item(u64);

    impl Ranked for Item {
        fn rank(&self) -> u64 {
            self.0
        }
    }

    fn drain<S: Store<Item>>(maxsize: usize) -> Vec<u64> {
        let (mut tx, mut rx) = guarded::<S>(maxsize, 1, 1);
        for i in [3, 1, 2] {
            tx[0].send(Item(i)).expect("room");
        }
        tx[0].send(Item(0)).expect("room");
        (0..4).map(|_| rx[0].recv().expect("an item").0).collect()
    }

    #[test]
    fn each_container_gives_its_order_and_stops_come_last() {
        assert_eq!(drain::<Fifo<Item>>(0), [3, 1, 2, 0]);
        assert_eq!(drain::<Lifo<Item>>(0), [2, 1, 3, 0]);
        assert_eq!(drain::<Priority<Item>>(4), [3, 2, 1, 0]);
    }

    #[test]
    fn a_full_queue_blocks_the_putter_until_a_get() {
        let (mut tx, mut rx) = guarded::<Fifo<Item>>(1, 1, 1);
        tx[0].send(Item(1)).expect("room for one");
        let mut sender = tx.pop().expect("one sender");
        let putter = std::thread::spawn(move || sender.send(Item(2)).is_ok());
        assert_eq!(rx[0].recv().expect("first").0, 1);
        assert_eq!(rx[0].recv().expect("second").0, 2);
        assert!(putter.join().expect("the putter ends"));
    }
}
