//! The long-lived workers of a queue trial and the gate that releases them
//! one round at a time: producers and consumers start once in `build`, wait
//! (asleep) at the gate between rounds, and the last one to finish a round
//! wakes the trial. Thread workers wait on a Condvar; tokio tasks on a
//! `watch` channel fed by the same gate. With `pinned_cores` set, producer
//! threads run on the placement's first CPU and consumers on its second.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::model::placement::{Placement, spawn_pinned};
use crate::scenario::CancelToken;

/// How often a trial waiting for a round looks at its cancel token.
const CANCEL_POLL: Duration = Duration::from_millis(50);

#[derive(Debug, Default)]
struct GateState {
    round: u64,
    finished: usize,
    quit: bool,
}

/// Releases `workers` workers per round and waits until they all finished.
#[derive(Debug)]
pub struct Gate {
    workers: usize,
    state: Mutex<GateState>,
    start: Condvar,
    done: Condvar,
    /// The producers still sending in this round: the last one sends the
    /// end-of-round markers.
    producers_left: AtomicUsize,
    producers: usize,
    /// Round numbers for tokio tasks (0: none yet; `u64::MAX`: quit).
    tasks: Option<tokio::sync::watch::Sender<u64>>,
}

impl Gate {
    pub fn new(producers: usize, consumers: usize, for_tasks: bool) -> Gate {
        Gate {
            workers: producers + consumers,
            state: Mutex::new(GateState::default()),
            start: Condvar::new(),
            done: Condvar::new(),
            producers_left: AtomicUsize::new(producers),
            producers,
            tasks: for_tasks.then(|| tokio::sync::watch::channel(0).0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, GateState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A thread worker: sleep until round `after + 1` opens (its number), or
    /// `None` when the crew is told to quit.
    pub fn wait_for_round(&self, after: u64) -> Option<u64> {
        let mut state = self.lock();
        while state.round == after && !state.quit {
            state = self.start.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        (!state.quit).then_some(state.round)
    }

    /// A tokio task's view of the round numbers.
    pub fn subscribe(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
        self.tasks.as_ref().map(|tx| tx.subscribe())
    }

    /// A producer is done sending: true for the last one of the round, which
    /// then sends the markers (and the count is ready for the next round).
    pub fn last_producer(&self) -> bool {
        if self.producers_left.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.producers_left.store(self.producers, Ordering::Release);
            return true;
        }
        false
    }

    /// A worker finished its part of the round.
    pub fn finish(&self) {
        let mut state = self.lock();
        state.finished += 1;
        if state.finished == self.workers {
            self.done.notify_one();
        }
    }

    /// Open the next round and wait until every worker finished it.
    pub fn round(&self, cancel: &CancelToken) -> anyhow::Result<()> {
        let mut state = self.lock();
        state.finished = 0;
        state.round += 1;
        self.start.notify_all();
        if let Some(tasks) = &self.tasks {
            tasks.send_replace(state.round);
        }
        while state.finished < self.workers {
            if cancel.is_cancelled() {
                bail!("cancelled by the watchdog in the middle of a round");
            }
            state = self
                .done
                .wait_timeout(state, CANCEL_POLL)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        Ok(())
    }

    /// Tell idle workers to leave.
    fn quit(&self) {
        self.lock().quit = true;
        self.start.notify_all();
        if let Some(tasks) = &self.tasks {
            tasks.send_replace(u64::MAX);
        }
    }
}

/// Which end of the queue a worker thread holds, for its placement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Producer,
    Consumer,
}

/// The trial's workers: threads, or tasks on a runtime the crew owns.
pub struct Crew {
    pub gate: Arc<Gate>,
    placement: Placement,
    threads: Vec<JoinHandle<()>>,
    /// Each worker thread's side and kernel thread id.
    thread_ids: Vec<(Side, nix::unistd::Pid)>,
    runtime: Option<tokio::runtime::Runtime>,
    /// A round was opened and never completed: its workers may be blocked
    /// for good, so teardown leaves them rather than wait.
    in_flight: bool,
}

impl Crew {
    pub fn new(gate: Arc<Gate>, placement: Placement) -> Crew {
        Crew {
            gate,
            placement,
            threads: Vec::new(),
            thread_ids: Vec::new(),
            runtime: None,
            in_flight: false,
        }
    }

    /// Start a named worker thread running `body` until the crew quits,
    /// pinned first where the placement says (and only once it is pinned).
    pub fn spawn(
        &mut self,
        name: String,
        side: Side,
        body: impl FnOnce() + Send + 'static,
    ) -> anyhow::Result<()> {
        let cpu = match side {
            Side::Producer => self.placement.first,
            Side::Consumer => self.placement.second,
        };
        let builder = std::thread::Builder::new().name(name.clone());
        let (handle, thread_id) =
            spawn_pinned(builder, cpu, body).with_context(|| format!("starting {name}"))?;
        self.threads.push(handle);
        self.thread_ids.push((side, thread_id));
        Ok(())
    }

    /// Each worker thread's side and kernel thread id (the tests check
    /// where they run).
    #[cfg(test)]
    pub fn thread_ids(&self) -> &[(Side, nix::unistd::Pid)] {
        &self.thread_ids
    }

    /// Keep the runtime whose tasks are the workers.
    pub fn own_runtime(&mut self, runtime: tokio::runtime::Runtime) {
        self.runtime = Some(runtime);
    }

    /// One round: release every worker and wait for all of them.
    pub fn round(&mut self, cancel: &CancelToken) -> anyhow::Result<()> {
        self.in_flight = true;
        self.gate.round(cancel)?;
        self.in_flight = false;
        Ok(())
    }
}

impl Drop for Crew {
    fn drop(&mut self) {
        if self.in_flight {
            // Workers stuck in an abandoned round: leave the threads, and
            // drop the tasks without waiting for them.
            if let Some(runtime) = self.runtime.take() {
                runtime.shutdown_background();
            }
            return;
        }
        self.gate.quit();
        for handle in self.threads.drain(..) {
            let _ = handle.join();
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_secs(1));
        }
    }
}
