//! The child side of the cpu family's process models, run by the hidden
//! `concbench worker cpu` and `concbench worker cpu-pool` subcommands: compute
//! chunks and write their tally to stdout, the pipe the parent reads.

use std::io::{BufRead, Write};

use nix::sys::resource::{UsageWho, getrusage};

use super::work::Tally;
use crate::scenario::CancelToken;

/// `worker cpu`: compute chunks `first..first + count`, print the tally.
pub fn run_range(first: u64, count: u64, points: u64) -> i32 {
    let Some(end) = first.checked_add(count) else {
        eprintln!("error: --first {first} + --count {count} overflows");
        return 2;
    };
    let tally = Tally::of_range(first..end, points, &CancelToken::default());
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{}", tally.to_line()).and_then(|()| out.flush()) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: writing the tally: {e}");
            1
        }
    }
}

/// `worker cpu-pool`: until stdin ends, read `first count` lines and answer
/// each with `digest hits chunks cpu_ns` (this process's CPU time so far).
pub fn serve_pool(points: u64) -> i32 {
    let mut out = std::io::stdout().lock();
    for line in std::io::stdin().lock().lines() {
        let line = match line {
            Ok(line) => line,
            Err(e) => {
                eprintln!("error: reading work: {e}");
                return 1;
            }
        };
        let Some(range) = parse_request(&line) else {
            eprintln!("error: expected `first count`, got `{line}`");
            return 2;
        };
        let tally = Tally::of_range(range, points, &CancelToken::default());
        let answer = format!("{} {}\n", tally.to_line(), own_cpu_ns());
        if let Err(e) = out.write_all(answer.as_bytes()).and_then(|()| out.flush()) {
            eprintln!("error: writing the tally: {e}");
            return 1;
        }
    }
    0
}

/// `first count` as the range of chunks it names.
fn parse_request(line: &str) -> Option<std::ops::Range<u64>> {
    let mut words = line.split_whitespace();
    let first: u64 = words.next()?.parse().ok()?;
    let count: u64 = words.next()?.parse().ok()?;
    if words.next().is_some() {
        return None;
    }
    Some(first..first.checked_add(count)?)
}

/// User + system CPU time of this process, in ns (0 if unreadable).
fn own_cpu_ns() -> u64 {
    getrusage(UsageWho::RUSAGE_SELF).map_or(0, |usage| {
        let ns = |t: nix::sys::time::TimeVal| {
            t.tv_sec() as u64 * 1_000_000_000 + t.tv_usec() as u64 * 1000
        };
        ns(usage.user_time()) + ns(usage.system_time())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_name_a_range_or_nothing() {
        assert_eq!(parse_request("4 3"), Some(4..7));
        assert_eq!(parse_request("0 0"), Some(0..0));
        for bad in ["", "4", "4 x", "4 3 2", "-1 3", &format!("{} 1", u64::MAX)] {
            assert_eq!(parse_request(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_own_cpu_time_grows_while_spinning() {
        let before = own_cpu_ns();
        let started = std::time::Instant::now();
        let mut x = 0u64;
        while started.elapsed() < std::time::Duration::from_millis(20) {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        assert!(own_cpu_ns() > before);
    }
}
