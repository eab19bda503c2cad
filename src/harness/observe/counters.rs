//! Hardware counters (cycles, instructions) per party, where the machine
//! has a PMU that perf_event_open may read: user-space counts only, opened
//! on each party's thread after the warm-up, read before and after each
//! sample. Where there is none (a VM without a virtual PMU, a paranoid
//! setting, a seccomp filter), the reason is kept instead.

use std::fs::File;
use std::io::Read;
use std::os::fd::FromRawFd;

/// perf_event_attr's type and config for the two counters.
const PERF_TYPE_HARDWARE: u32 = 0;
const CYCLES: u64 = 0;
const INSTRUCTIONS: u64 = 1;

/// The counters of every party: (cycles, instructions) per party.
pub struct Counters {
    files: Vec<(File, File)>,
}

impl Counters {
    /// Open both counters on each of `tids`; Err with the reason when the
    /// first cannot be opened (then none are).
    pub fn open(tids: &[i32]) -> Result<Counters, String> {
        let mut files = Vec::with_capacity(tids.len());
        for &tid in tids {
            let cycles = open_counter(tid, CYCLES)?;
            let instructions = open_counter(tid, INSTRUCTIONS)?;
            files.push((cycles, instructions));
        }
        Ok(Counters { files })
    }

    /// (cycles, instructions) summed over the parties so far.
    pub fn read(&mut self) -> (u64, u64) {
        let mut total = (0, 0);
        for (cycles, instructions) in &mut self.files {
            total.0 += read_count(cycles);
            total.1 += read_count(instructions);
        }
        total
    }
}

fn read_count(file: &mut File) -> u64 {
    let mut bytes = [0u8; 8];
    match file.read_exact(&mut bytes) {
        Ok(()) => u64::from_ne_bytes(bytes),
        Err(_) => 0,
    }
}

/// perf_event_attr, as far as the fields this module sets (the kernel
/// takes a shorter struct when `size` says so: PERF_ATTR_SIZE_VER0).
#[repr(C)]
#[derive(Default)]
struct PerfEventAttr {
    kind: u32,
    size: u32,
    config: u64,
    sample_period: u64,
    sample_type: u64,
    read_format: u64,
    /// Bit 5 exclude_kernel, bit 6 exclude_hv: user-space counts, which
    /// an unprivileged process may read at perf_event_paranoid 2.
    flags: u64,
    wakeup_events: u32,
    bp_type: u32,
    config1: u64,
}

fn open_counter(tid: i32, config: u64) -> Result<File, String> {
    let attr = PerfEventAttr {
        kind: PERF_TYPE_HARDWARE,
        size: std::mem::size_of::<PerfEventAttr>() as u32,
        config,
        flags: (1 << 5) | (1 << 6),
        ..PerfEventAttr::default()
    };
    let fd = perf_event_open(&attr, tid);
    if fd < 0 {
        let error = std::io::Error::last_os_error();
        let why = match error.raw_os_error() {
            Some(libc::ENOENT) | Some(libc::EOPNOTSUPP) => "no hardware PMU".to_string(),
            Some(libc::EACCES) | Some(libc::EPERM) => {
                "not permitted (perf_event_paranoid or a seccomp filter)".to_string()
            }
            _ => error.to_string(),
        };
        return Err(format!("no hardware counters: {why}"));
    }
    // SAFETY: the kernel just returned `fd` as a new descriptor that
    // nothing else owns; the File takes it over and closes it once.
    Ok(unsafe { File::from_raw_fd(fd as i32) })
}

fn perf_event_open(attr: &PerfEventAttr, tid: i32) -> libc::c_long {
    // SAFETY: perf_event_open reads `attr` (a live, initialised struct
    // whose `size` field gives its length) and takes plain integers: the
    // task, any CPU (-1), no group (-1), no flags. It writes no memory.
    unsafe {
        libc::syscall(
            libc::SYS_perf_event_open,
            attr as *const PerfEventAttr,
            tid,
            -1,
            -1,
            0,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_open_or_say_why_not() {
        let me = nix::unistd::gettid().as_raw();
        match Counters::open(&[me]) {
            Ok(mut counters) => {
                let (cycles, _) = counters.read();
                let mut x = 0u64;
                for i in 0..1_000_000u64 {
                    x = std::hint::black_box(x.wrapping_add(i));
                }
                assert!(counters.read().0 > cycles);
            }
            Err(why) => assert!(why.starts_with("no hardware counters: "), "{why}"),
        }
    }
}
