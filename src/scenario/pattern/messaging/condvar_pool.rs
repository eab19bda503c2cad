//! A worker pool as the tutorials build one (Python's `queue.Queue` under a
//! `ThreadPoolExecutor`): long-lived workers take boxed jobs from a
//! `Mutex<VecDeque>` and sleep on a `Condvar` while it is empty. Written by
//! hand because the pool itself is what `pattern.worker_pool` measures.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use super::work;

/// Work handed to the pool.
pub type Job = Box<dyn FnOnce() + Send + 'static>;

struct State {
    jobs: VecDeque<Job>,
    /// Set when the pool shuts down: workers leave without taking more jobs.
    closed: bool,
}

struct Queue {
    state: Mutex<State>,
    /// Signalled once per job pushed, and to everyone on shutdown.
    ready: Condvar,
}

impl Queue {
    /// The lock; jobs never run under it, so it cannot be poisoned by one.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The next job, waiting while there is none; `None` once closed.
    fn take(&self) -> Option<Job> {
        let mut state = self.lock();
        loop {
            if state.closed {
                return None;
            }
            if let Some(job) = state.jobs.pop_front() {
                return Some(job);
            }
            state = self
                .ready
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

pub struct CondvarPool {
    queue: Arc<Queue>,
    workers: Vec<std::thread::JoinHandle<()>>,
}

impl CondvarPool {
    /// Start `workers` threads waiting for jobs.
    pub fn new(workers: usize) -> anyhow::Result<Self> {
        let queue = Arc::new(Queue {
            state: Mutex::new(State {
                jobs: VecDeque::new(),
                closed: false,
            }),
            ready: Condvar::new(),
        });
        let mut pool = CondvarPool {
            queue,
            workers: Vec::with_capacity(workers),
        };
        for index in 0..workers {
            let queue = Arc::clone(&pool.queue);
            // On failure, `pool` drops here and stops the workers started.
            pool.workers
                .push(work::spawn_thread(format!("pool-{index}"), move || {
                    while let Some(job) = queue.take() {
                        job();
                    }
                })?);
        }
        Ok(pool)
    }

    /// Queue a job and wake one sleeping worker.
    pub fn execute(&self, job: Job) {
        self.queue.lock().jobs.push_back(job);
        self.queue.ready.notify_one();
    }

    /// Close the queue and wake every worker; each leaves after its
    /// current job. Queued jobs are dropped, never run.
    pub fn shutdown(&self) {
        self.queue.lock().closed = true;
        self.queue.ready.notify_all();
    }
}

impl Drop for CondvarPool {
    /// Shut down and join the workers: teardown waits at most for the jobs
    /// that are running.
    fn drop(&mut self) {
        self.shutdown();
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[test]
    fn every_job_runs_once_and_the_pool_shuts_down() {
        let pool = CondvarPool::new(3).expect("starts");
        let (sender, results) = crossbeam::channel::unbounded();
        for job in 0..100u64 {
            let sender = sender.clone();
            pool.execute(Box::new(move || sender.send(job).expect("collector alive")));
        }
        let mut seen: Vec<u64> = (0..100)
            .map(|_| results.recv().expect("a result"))
            .collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..100).collect::<Vec<_>>());
        drop(pool);
    }

    #[test]
    fn shutdown_drops_queued_jobs_without_hanging() {
        let ran = Arc::new(AtomicU64::new(0));
        let pool = CondvarPool::new(1).expect("starts");
        let (gate_sender, gate) = crossbeam::channel::bounded::<()>(0);
        pool.execute(Box::new(move || {
            let _ = gate.recv();
        }));
        for _ in 0..10 {
            let ran = Arc::clone(&ran);
            pool.execute(Box::new(move || {
                ran.fetch_add(1, Ordering::Relaxed);
            }));
        }
        // Closed while the only worker is (or is about to be) held at the
        // gate: none of the queued jobs may run after that.
        pool.shutdown();
        drop(gate_sender);
        drop(pool);
        assert_eq!(ran.load(Ordering::Relaxed), 0);
    }
}
