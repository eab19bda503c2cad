//! What the message-passing trials share: long-lived threads and runtimes,
//! a CPU spin of known length, the checksums that prove a message or result
//! is intact, and a blocking receive that gives up when the point is
//! cancelled.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::scenario::CancelToken;

/// Stack of each long-lived thread: these threads only pass messages.
pub const THREAD_STACK: usize = 256 << 10;

/// How long a blocked receiver waits before looking at the cancel flag.
const CANCEL_POLL: Duration = Duration::from_millis(100);

/// Logical cores of this machine (worker threads of pools and runtimes).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A multi-thread tokio runtime with one worker per core.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores())
        .enable_time()
        .build()
        .context("starting a tokio runtime")
}

/// Start a named long-lived thread with a small stack.
pub fn spawn_thread<F>(name: String, body: F) -> anyhow::Result<std::thread::JoinHandle<()>>
where
    F: FnOnce() + Send + 'static,
{
    std::thread::Builder::new()
        .name(name)
        .stack_size(THREAD_STACK)
        .spawn(body)
        .context("starting a thread")
}

/// A well-mixed 64-bit value of `a` and `b` (splitmix64 finaliser): what a
/// message or result must carry to count as intact.
pub fn checksum(a: u64, b: u64) -> u64 {
    let mut z = a
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(b)
        .wrapping_add(0x6A09_E667_F3BC_C909);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The step of a spin: one 64-bit linear congruential step (Knuth's MMIX
/// constants). Affine, so `Spun::reached` can jump ahead in O(log n).
const SPIN_MULTIPLIER: u64 = 6364136223846793005;
const SPIN_INCREMENT: u64 = 1442695040888963407;

/// Where a spin of `length` starts: a spin of another length cannot pass
/// for this one.
fn spin_seed(length: Duration) -> u64 {
    checksum(length.as_nanos() as u64, 0x5eed)
}

/// What a spin did: how many steps it took and the state they reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spun {
    pub steps: u64,
    pub state: u64,
}

impl Spun {
    /// The state `steps` steps from the seed of a spin of `length`.
    pub fn reached(length: Duration, steps: u64) -> u64 {
        let (mut mul, mut add) = (1u64, 0u64);
        let (mut step_mul, mut step_add) = (SPIN_MULTIPLIER, SPIN_INCREMENT);
        let mut n = steps;
        while n > 0 {
            if n & 1 == 1 {
                mul = mul.wrapping_mul(step_mul);
                add = add.wrapping_mul(step_mul).wrapping_add(step_add);
            }
            step_add = step_mul.wrapping_add(1).wrapping_mul(step_add);
            step_mul = step_mul.wrapping_mul(step_mul);
            n >>= 1;
        }
        mul.wrapping_mul(spin_seed(length)).wrapping_add(add)
    }

    /// Whether this is what a spin of `length` leaves: some steps (none for
    /// zero length) that really lead from its seed to its state.
    pub fn proves(&self, length: Duration) -> bool {
        (self.steps > 0) != length.is_zero() && self.state == Spun::reached(length, self.steps)
    }
}

/// Busy CPU work for `length`: steps until the time is up. Each step's state
/// passes through `black_box`, so none can be skipped or folded; the result
/// proves how many were taken (`Spun::proves`).
pub fn spin(length: Duration) -> Spun {
    let mut state = spin_seed(length);
    if length.is_zero() {
        return Spun { steps: 0, state };
    }
    let started = Instant::now();
    let mut steps = 0;
    loop {
        for _ in 0..64 {
            state = std::hint::black_box(state)
                .wrapping_mul(SPIN_MULTIPLIER)
                .wrapping_add(SPIN_INCREMENT);
        }
        steps += 64;
        if started.elapsed() >= length {
            return Spun { steps, state };
        }
    }
}

/// A task's result: its index, `checksum(index, round)` folded with the
/// state its spin reached, and the spin's step count that proves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskResult {
    pub index: u64,
    pub value: u64,
    pub steps: u64,
}

impl TaskResult {
    /// What task `index` of `round` returns after its spin.
    pub fn new(index: u64, round: u64, spun: Spun) -> TaskResult {
        TaskResult {
            index,
            value: checksum(index, round) ^ spun.state,
            steps: spun.steps,
        }
    }

    /// Whether this is task `index` of `round` having spun its `length`.
    fn holds(&self, round: u64, length: Duration) -> bool {
        let state = self.value ^ checksum(self.index, round);
        Spun {
            steps: self.steps,
            state,
        }
        .proves(length)
    }
}

/// Await one value from a tokio channel, giving up (with an error) when the
/// point is cancelled or every sender is gone.
pub async fn receive_async<T>(
    from: &mut tokio::sync::mpsc::UnboundedReceiver<T>,
    cancel: &CancelToken,
    what: &str,
) -> anyhow::Result<T> {
    loop {
        match tokio::time::timeout(CANCEL_POLL, from.recv()).await {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => bail!("every sender of {what} is gone"),
            Err(_elapsed) => {
                if cancel.is_cancelled() {
                    bail!("cancelled while waiting for {what}");
                }
            }
        }
    }
}

/// Receive one value, giving up (with an error) when the point is cancelled
/// or every sender is gone.
pub fn receive<T>(
    from: &crossbeam::channel::Receiver<T>,
    cancel: &CancelToken,
    what: &str,
) -> anyhow::Result<T> {
    loop {
        match from.recv_timeout(CANCEL_POLL) {
            Ok(value) => return Ok(value),
            Err(crossbeam::channel::RecvTimeoutError::Timeout) => {
                if cancel.is_cancelled() {
                    bail!("cancelled while waiting for {what}");
                }
            }
            Err(crossbeam::channel::RecvTimeoutError::Disconnected) => {
                bail!("every sender of {what} is gone")
            }
        }
    }
}

/// The median of some durations in nanoseconds (0 for none).
pub fn median_ns(values: &[u64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let middle = sorted.len() / 2;
    if sorted.len().is_multiple_of(2) {
        (sorted[middle - 1] + sorted[middle]) as f64 / 2.0
    } else {
        sorted[middle] as f64
    }
}

/// Remember the first of possibly many problems a trial meets.
pub fn note(problem: &mut Option<String>, text: impl FnOnce() -> String) {
    if problem.is_none() {
        *problem = Some(text());
    }
}

/// Check that `results` holds each of `tasks` tasks' results of `round`
/// exactly once, each with its checksum and the proof of a spin of its
/// length (`length_of(index)`). Returns how many were right; the first
/// problem goes to `problem`.
pub fn check_results(
    round: u64,
    tasks: u64,
    length_of: impl Fn(u64) -> Duration,
    results: impl IntoIterator<Item = TaskResult>,
    problem: &mut Option<String>,
) -> u64 {
    let mut seen = vec![false; tasks as usize];
    let mut right = 0;
    for result in results {
        let index = result.index;
        let fresh = seen
            .get_mut(index as usize)
            .map(|s| !std::mem::replace(s, true));
        if fresh == Some(true) && result.holds(round, length_of(index)) {
            right += 1;
        } else {
            let value = result.value;
            note(problem, || {
                format!(
                    "round {round}: result of task {index} was {value:#x} after {} spin steps: wrong, duplicated, unknown or not spun",
                    result.steps
                )
            });
        }
    }
    if let Some(missing) = seen.iter().position(|s| !s) {
        note(problem, || {
            format!("round {round}: no result from task {missing}")
        });
    }
    right
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_differ_for_neighbouring_inputs() {
        assert_ne!(checksum(1, 2), checksum(2, 1));
        assert_ne!(checksum(0, 0), checksum(0, 1));
        assert_eq!(checksum(7, 9), checksum(7, 9));
    }

    #[test]
    fn a_spin_lasts_at_least_its_length_and_proves_its_steps() {
        let length = Duration::from_micros(200);
        let started = Instant::now();
        let spun = spin(length);
        assert!(started.elapsed() >= length);
        assert!(spun.steps >= 64 && spun.proves(length), "{spun:?}");
        // Not for another length, nor with a step more or less.
        assert!(!spun.proves(Duration::from_micros(100)));
        for steps in [spun.steps - 1, spun.steps + 1] {
            assert!(!Spun { steps, ..spun }.proves(length));
        }
        let none = spin(Duration::ZERO);
        assert!(none.steps == 0 && none.proves(Duration::ZERO));
        assert!(!none.proves(length), "a skipped spin proves nothing");
    }

    #[test]
    fn jumping_ahead_matches_stepping() {
        let length = Duration::from_micros(3);
        let mut state = spin_seed(length);
        for steps in 0..300 {
            assert_eq!(Spun::reached(length, steps), state, "{steps}");
            state = state
                .wrapping_mul(SPIN_MULTIPLIER)
                .wrapping_add(SPIN_INCREMENT);
        }
    }

    #[test]
    fn the_median_is_the_middle_value() {
        assert_eq!(median_ns(&[]), 0.0);
        assert_eq!(median_ns(&[5, 1, 3]), 3.0);
        assert_eq!(median_ns(&[4, 1, 3, 2]), 2.5);
    }

    #[test]
    fn results_must_arrive_once_each_with_the_right_value() {
        let length = |_| Duration::ZERO;
        let right = |i| TaskResult::new(i, 4, spin(Duration::ZERO));
        let mut problem = None;
        let check = |tasks, results: &[TaskResult], problem: &mut Option<String>| {
            check_results(4, tasks, length, results.iter().copied(), problem)
        };
        assert_eq!(check(3, &[right(2), right(0), right(1)], &mut problem), 3);
        assert!(problem.is_none());
        assert_eq!(check(3, &[right(0), right(0), right(1)], &mut problem), 2);
        assert!(problem.take().unwrap().contains("task 0"));
        let bent = TaskResult {
            value: 1,
            ..right(0)
        };
        assert_eq!(check(2, &[bent, right(1)], &mut problem), 1);
        assert!(problem.take().unwrap().contains("task 0 was 0x1"));
        assert_eq!(check(2, &[right(1), right(7)], &mut problem), 1);
        assert!(problem.take().unwrap().contains("task 7"));
        check(2, &[right(1)], &mut problem);
        assert!(problem.take().unwrap().contains("no result from task 0"));
    }

    #[test]
    fn a_task_that_skipped_its_spin_fails_the_check() {
        let length = Duration::from_micros(20);
        let spun = TaskResult::new(0, 1, spin(length));
        let skipped = TaskResult::new(1, 1, spin(Duration::ZERO));
        let mut problem = None;
        assert_eq!(
            check_results(1, 2, |_| length, [spun, skipped], &mut problem),
            1
        );
        let problem = problem.expect("the skipped spin is named");
        assert!(
            problem.contains("task 1") && problem.contains("not spun"),
            "{problem}"
        );
    }

    #[test]
    fn a_receive_gives_up_when_every_sender_is_gone() {
        let (sender, receiver) = crossbeam::channel::unbounded::<u64>();
        sender.send(3).unwrap();
        drop(sender);
        let cancel = CancelToken::default();
        assert_eq!(receive(&receiver, &cancel, "a value").unwrap(), 3);
        let error = receive(&receiver, &cancel, "a value").unwrap_err();
        assert!(error.to_string().contains("gone"));
    }
}
