//! A crew of long-lived threads that works one batch at a time on the
//! driver's word. Started once when a trial is built, so that the timed
//! batches hold the hand-offs and not thread start-up; stopped and joined on
//! drop. The driver's wait checks the watchdog's cancel token, and a panic in
//! a crew thread ends its batch with an error instead of a hang.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::{JoinHandle, Thread};
use std::time::Duration;

use anyhow::{Context, bail, ensure};

use super::primitives::lock;
use crate::scenario::CancelToken;

/// How often a waiting driver looks at the cancel token.
const TICK: Duration = Duration::from_millis(100);

type Body<P> = dyn Fn(usize, &P) + Send + Sync;

pub struct Crew<P> {
    shared: Arc<Shared<P>>,
    handles: Vec<JoinHandle<()>>,
}

struct Shared<P> {
    state: Mutex<State<P>>,
    start: Condvar,
    done: Condvar,
    size: usize,
}

struct State<P> {
    /// Bumped for each batch; a thread runs each generation once.
    generation: u64,
    payload: Option<Arc<P>>,
    /// Threads done with the current generation.
    finished: usize,
    /// A batch is out and not every thread has finished it.
    busy: bool,
    panics: Vec<String>,
    stop: bool,
}

impl<P: Send + Sync + 'static> Crew<P> {
    /// Start `size` threads named `name-INDEX`; each runs `body(index, payload)`
    /// once per batch.
    pub fn start(
        name: &str,
        size: usize,
        body: impl Fn(usize, &P) + Send + Sync + 'static,
    ) -> anyhow::Result<Crew<P>> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                generation: 0,
                payload: None,
                finished: 0,
                busy: false,
                panics: Vec::new(),
                stop: false,
            }),
            start: Condvar::new(),
            done: Condvar::new(),
            size,
        });
        let body: Arc<Body<P>> = Arc::new(body);
        // Threads started before a failed spawn are stopped by Drop.
        let mut crew = Crew {
            shared,
            handles: Vec::with_capacity(size),
        };
        for index in 0..size {
            let (shared, body) = (Arc::clone(&crew.shared), Arc::clone(&body));
            let handle = std::thread::Builder::new()
                .name(format!("{name}-{index}"))
                .spawn(move || work(&shared, index, body.as_ref()))
                .with_context(|| format!("starting crew thread {index} of {size}"))?;
            crew.handles.push(handle);
        }
        Ok(crew)
    }

    /// The crew's threads, in index order (to unpark them).
    pub fn threads(&self) -> Vec<Thread> {
        self.handles.iter().map(|h| h.thread().clone()).collect()
    }

    /// Hand every thread `payload` and wait until all have finished with it.
    pub fn run(&self, payload: Arc<P>, cancel: &CancelToken) -> anyhow::Result<()> {
        let mut state = lock(&self.shared.state);
        ensure!(!state.busy, "an abandoned batch is still running");
        state.generation += 1;
        state.payload = Some(payload);
        state.finished = 0;
        state.busy = true;
        self.shared.start.notify_all();
        while state.busy {
            if cancel.is_cancelled() {
                bail!("cancelled by the watchdog");
            }
            state = self
                .shared
                .done
                .wait_timeout(state, TICK)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        state.payload = None;
        if let Some(message) = state.panics.first() {
            bail!("a crew thread panicked: {message}");
        }
        Ok(())
    }
}

/// A crew thread: wait for a new generation (or stop), run it, report.
fn work<P>(shared: &Shared<P>, index: usize, body: &Body<P>) {
    let mut seen = 0;
    loop {
        let payload = {
            let mut state = lock(&shared.state);
            while !state.stop && state.generation == seen {
                state = shared
                    .start
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            if state.stop {
                return;
            }
            seen = state.generation;
            match &state.payload {
                Some(payload) => Arc::clone(payload),
                None => continue,
            }
        };
        let outcome = catch_unwind(AssertUnwindSafe(|| body(index, &payload)));
        drop(payload);
        let mut state = lock(&shared.state);
        if let Err(panic) = outcome {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a non-string payload".into());
            state.panics.push(format!("thread {index}: {message}"));
        }
        if state.generation == seen {
            state.finished += 1;
            if state.finished == shared.size {
                state.busy = false;
                shared.done.notify_one();
            }
        }
    }
}

impl<P> Drop for Crew<P> {
    /// Ask every thread to stop and join them; a thread inside a batch stops
    /// when its body returns (trials wake blocked bodies before this).
    fn drop(&mut self) {
        lock(&self.shared.state).stop = true;
        self.shared.start.notify_all();
        for handle in self.handles.drain(..) {
            let _ = handle.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[test]
    fn every_thread_runs_every_batch_once() {
        let total = Arc::new(AtomicU64::new(0));
        let seen = Arc::clone(&total);
        let crew = Crew::start("test", 3, move |index, add: &u64| {
            seen.fetch_add(add + index as u64, Ordering::SeqCst);
        })
        .expect("crew starts");
        assert_eq!(crew.threads().len(), 3);
        let cancel = CancelToken::default();
        crew.run(Arc::new(10), &cancel).expect("batch 1");
        crew.run(Arc::new(100), &cancel).expect("batch 2");
        // 3 x 10 + 3 x 100, plus indexes 0 + 1 + 2 twice.
        assert_eq!(total.load(Ordering::SeqCst), 330 + 6);
    }

    #[test]
    fn a_panicking_thread_fails_its_batch_instead_of_hanging() {
        let crew = Crew::start("test", 2, |index, _: &()| {
            assert!(index != 1, "thread one fails on purpose");
        })
        .expect("crew starts");
        let error = crew
            .run(Arc::new(()), &CancelToken::default())
            .expect_err("a panic is an error");
        assert!(error.to_string().contains("fails on purpose"), "{error}");
    }

    #[test]
    fn a_cancelled_batch_returns_and_drop_still_joins() {
        let release = Arc::new(super::super::primitives::Event::new());
        let gate = Arc::clone(&release);
        let crew = Crew::start("test", 2, move |_, _: &()| gate.wait()).expect("crew starts");
        let cancel = CancelToken::default();
        cancel.cancel();
        let error = crew.run(Arc::new(()), &cancel).expect_err("cancelled");
        assert!(error.to_string().contains("cancelled"));
        let again = crew.run(Arc::new(()), &CancelToken::default());
        assert!(again.is_err(), "the abandoned batch is still out");
        release.set();
        drop(crew);
    }
}
