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

/// Busy CPU work for `length`: hash steps until the time is up. Returns the
/// hash so that the loop cannot be optimised away.
pub fn spin(length: Duration) -> u64 {
    if length.is_zero() {
        return 0;
    }
    let started = Instant::now();
    let mut state = std::hint::black_box(length.as_nanos() as u64);
    loop {
        for _ in 0..64 {
            state = checksum(state, 1);
        }
        if started.elapsed() >= length {
            return std::hint::black_box(state);
        }
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
/// exactly once, each `(index, checksum(index, round))`. Returns how many
/// were right; the first problem goes to `problem`.
pub fn check_results(
    round: u64,
    tasks: u64,
    results: impl IntoIterator<Item = (u64, u64)>,
    problem: &mut Option<String>,
) -> u64 {
    let mut seen = vec![false; tasks as usize];
    let mut right = 0;
    for (index, value) in results {
        let fresh = seen
            .get_mut(index as usize)
            .map(|s| !std::mem::replace(s, true));
        if fresh == Some(true) && value == checksum(index, round) {
            right += 1;
        } else {
            note(problem, || {
                format!(
                    "round {round}: result of task {index} was {value:#x}: wrong, duplicated or unknown"
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
    fn a_spin_lasts_at_least_its_length() {
        let started = Instant::now();
        spin(Duration::from_micros(200));
        assert!(started.elapsed() >= Duration::from_micros(200));
        assert_eq!(spin(Duration::ZERO), 0);
    }

    #[test]
    fn the_median_is_the_middle_value() {
        assert_eq!(median_ns(&[]), 0.0);
        assert_eq!(median_ns(&[5, 1, 3]), 3.0);
        assert_eq!(median_ns(&[4, 1, 3, 2]), 2.5);
    }

    #[test]
    fn results_must_arrive_once_each_with_the_right_value() {
        let right = |i| (i, checksum(i, 4));
        let mut problem = None;
        assert_eq!(
            check_results(4, 3, [right(2), right(0), right(1)], &mut problem),
            3
        );
        assert!(problem.is_none());
        assert_eq!(
            check_results(4, 3, [right(0), right(0), right(1)], &mut problem),
            2
        );
        assert!(problem.take().unwrap().contains("task 0"));
        assert_eq!(check_results(4, 2, [(0, 1), right(1)], &mut problem), 1);
        assert!(problem.take().unwrap().contains("task 0 was 0x1"));
        assert_eq!(check_results(4, 2, [right(1), right(7)], &mut problem), 1);
        assert!(problem.take().unwrap().contains("task 7"));
        check_results(4, 2, [right(1)], &mut problem);
        assert!(problem.take().unwrap().contains("no result from task 0"));
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
