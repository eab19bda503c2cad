//! Ctrl-C and SIGTERM during `concbench run`: the first signal asks the run
//! to stop (the running point is abandoned, its children killed, and the
//! results so far and the report are written); a second one kills the
//! point's children, removes scratch files and exits at once.

use std::sync::atomic::{AtomicI32, Ordering};

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// The first stop signal received (0: none).
static RECEIVED: AtomicI32 = AtomicI32::new(0);

/// Start the thread that turns SIGINT and SIGTERM into a stop request.
/// `on_second_signal` runs before the process exits when asked twice: it
/// kills the point's children and removes what the run left behind (the
/// caller knows what that is; this module imports nothing of concbench).
pub fn install(on_second_signal: fn()) -> anyhow::Result<()> {
    let mut signals = Signals::new([SIGINT, SIGTERM])?;
    std::thread::Builder::new()
        .name("concbench-signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                if RECEIVED
                    .compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst)
                    .is_err()
                {
                    // Asked twice: stop now.
                    on_second_signal();
                    std::process::exit(128 + signal);
                }
            }
        })?;
    Ok(())
}

/// The stop signal received so far, if any.
pub fn received() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// `SIGINT` / `SIGTERM`: how a signal number reads.
pub fn name(signal: i32) -> String {
    nix::sys::signal::Signal::try_from(signal)
        .map(|s| s.as_str().to_string())
        .unwrap_or_else(|_| format!("signal {signal}"))
}

/// The conventional exit code after a signal: 128 + its number.
pub fn exit_code(signal: i32) -> u8 {
    (128 + signal).clamp(0, 255) as u8
}
