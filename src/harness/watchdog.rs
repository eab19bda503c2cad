//! Runs one point on its own thread under a deadline: a point that overruns is
//! abandoned (and asked to stop), a panic is caught with its message, and the
//! caller always gets an answer in bounded time.

use std::cell::RefCell;
use std::sync::Once;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

const POINT_THREAD: &str = "concbench-point";

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// How a watched piece of work ended.
#[derive(Debug)]
pub enum Outcome<T> {
    Finished(T),
    Panicked(String),
    TimedOut,
    /// The armed progress counter did not move for `stalled_for`, `after`
    /// the start of the point: a deadlock (or a livelock that does nothing).
    Stalled {
        stalled_for: Duration,
        after: Duration,
    },
    /// The run received this stop signal (Ctrl-C, SIGTERM).
    Interrupted(i32),
}

/// What the watchdog watches besides the deadline.
#[derive(Debug, Clone)]
pub struct Watch {
    pub timeout: Duration,
    pub progress: crate::scenario::Progress,
    /// How long an armed progress counter may stand still.
    pub stall_timeout: Duration,
}

/// How often the watchdog looks at the progress counter.
const STALL_POLL: Duration = Duration::from_millis(50);

/// Run `work` on a fresh point thread and wait at most `timeout` for it. On a
/// timeout the thread is left behind (it cannot be killed safely); the caller
/// raises its cancel token so cooperative work winds down.
pub fn run_with_timeout<T: Send + 'static>(
    timeout: Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> Outcome<T> {
    let watch = Watch {
        timeout,
        progress: crate::scenario::Progress::default(),
        stall_timeout: timeout,
    };
    run_watched(&watch, work)
}

/// Like `run_with_timeout`, and also stop the point when its armed progress
/// counter stands still for `watch.stall_timeout`.
pub fn run_watched<T: Send + 'static>(
    watch: &Watch,
    work: impl FnOnce() -> T + Send + 'static,
) -> Outcome<T> {
    install_panic_hook();
    let (done, result) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name(POINT_THREAD.into())
        .spawn(move || {
            let outcome = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
                Ok(value) => Outcome::Finished(value),
                Err(payload) => {
                    let located = LAST_PANIC.with(|p| p.borrow_mut().take());
                    Outcome::Panicked(located.unwrap_or_else(|| payload_message(payload.as_ref())))
                }
            };
            let _ = done.send(outcome);
        });
    if let Err(e) = spawned {
        return Outcome::Panicked(format!("could not start the point thread: {e}"));
    }
    wait_for(&result, watch)
}

/// Wait for the point thread's answer, the deadline or a stall.
fn wait_for<T>(result: &mpsc::Receiver<Outcome<T>>, watch: &Watch) -> Outcome<T> {
    let started = Instant::now();
    let (mut last_count, mut last_move) = (watch.progress.count(), started);
    loop {
        let left = watch.timeout.saturating_sub(started.elapsed());
        if left.is_zero() {
            return Outcome::TimedOut;
        }
        match result.recv_timeout(left.min(STALL_POLL)) {
            Ok(outcome) => return outcome,
            Err(RecvTimeoutError::Disconnected) => {
                return Outcome::Panicked("the point thread vanished".into());
            }
            Err(RecvTimeoutError::Timeout) => {}
        }
        if let Some(signal) = crate::interrupt::received() {
            return Outcome::Interrupted(signal);
        }
        let count = watch.progress.count();
        if count != last_count || !watch.progress.is_watched() {
            (last_count, last_move) = (count, Instant::now());
        } else if last_move.elapsed() >= watch.stall_timeout {
            return Outcome::Stalled {
                stalled_for: last_move.elapsed(),
                after: started.elapsed(),
            };
        }
    }
}

fn payload_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-string payload".into()
    }
}

/// Panics on point threads are recorded in the results, not printed over the
/// progress display; panics elsewhere go to the default hook as usual.
fn install_panic_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().name() == Some(POINT_THREAD) {
                let message = payload_message(info.payload());
                let located = match info.location() {
                    Some(at) => format!("{message} (at {}:{})", at.file(), at.line()),
                    None => message,
                };
                LAST_PANIC.with(|p| *p.borrow_mut() = Some(located));
            } else {
                default(info);
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finished_work_returns_its_value() {
        assert!(matches!(
            run_with_timeout(Duration::from_secs(5), || 42),
            Outcome::Finished(42)
        ));
    }

    #[test]
    fn a_panic_is_caught_with_its_message_and_place() {
        match run_with_timeout(Duration::from_secs(5), || -> u32 { panic!("boom {}", 7) }) {
            Outcome::Panicked(message) => {
                assert!(message.contains("boom 7"), "{message}");
                assert!(message.contains("watchdog.rs"), "{message}");
            }
            other => panic!("expected a panic, got {other:?}"),
        }
    }

    #[test]
    fn an_armed_counter_that_stops_moving_is_a_stall() {
        let watch = Watch {
            timeout: Duration::from_secs(30),
            progress: crate::scenario::Progress::default(),
            stall_timeout: Duration::from_millis(200),
        };
        let progress = watch.progress.clone();
        let (_keep, blocked) = mpsc::channel::<()>();
        let outcome = run_watched(&watch, move || {
            progress.arm();
            progress.set_busy(true);
            for _ in 0..5 {
                progress.bump(1);
                std::thread::sleep(Duration::from_millis(20));
            }
            blocked.recv().is_ok()
        });
        match outcome {
            Outcome::Stalled { stalled_for, after } => {
                assert!(stalled_for >= Duration::from_millis(200));
                assert!(after < Duration::from_secs(30));
            }
            other => panic!("expected a stall, got {other:?}"),
        }
    }

    #[test]
    fn an_unarmed_counter_is_never_a_stall() {
        let watch = Watch {
            timeout: Duration::from_millis(300),
            progress: crate::scenario::Progress::default(),
            stall_timeout: Duration::from_millis(50),
        };
        let (_keep, blocked) = mpsc::channel::<()>();
        let outcome = run_watched(&watch, move || blocked.recv().is_ok());
        assert!(matches!(outcome, Outcome::TimedOut), "{outcome:?}");
    }

    #[test]
    fn overrunning_work_times_out() {
        let (_keep, blocked) = mpsc::channel::<()>();
        let outcome = run_with_timeout(Duration::from_millis(20), move || blocked.recv().is_ok());
        assert!(matches!(outcome, Outcome::TimedOut));
    }
}
