//! A region of shared anonymous memory (`MAP_SHARED`, mapped before fork) that
//! threads and forked children use together: a control page of atomics
//! (64-bit counters and 32-bit futex words) followed by a byte area that the
//! ipc family's rings copy through.

use std::num::NonZeroUsize;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, AtomicU64};

use anyhow::Context;
use nix::errno::Errno;
use nix::sys::mman::{MapFlags, ProtFlags, mmap_anonymous, munmap};

/// Bytes of the control page: counters in the first half, words in the second.
const CONTROL_BYTES: usize = 4096;
/// 64-bit counters at the start of the control page.
pub const COUNTERS: usize = CONTROL_BYTES / 2 / 8;
/// 32-bit words (futex words, flags) in the second half of the control page.
pub const WORDS: usize = CONTROL_BYTES / 2 / 4;

pub struct SharedRegion {
    base: NonNull<u8>,
    data_len: usize,
}

// SAFETY: the region is plain shared memory; every access goes through
// atomics (`counters`, `words`) or through `copy_in`/`copy_out`, whose callers
// keep readers and writers of the same bytes apart (see their comments).
unsafe impl Send for SharedRegion {}
// SAFETY: as for Send: no method hands out non-atomic shared references.
unsafe impl Sync for SharedRegion {}

impl SharedRegion {
    /// Map a zero-filled control page and `data_len` data bytes.
    pub fn new(data_len: usize) -> anyhow::Result<SharedRegion> {
        let len = NonZeroUsize::new(CONTROL_BYTES + data_len).context("zero-length region")?;
        // SAFETY: a fresh anonymous mapping (no address hint, no file) cannot
        // alias any Rust object; the kernel zero-fills and page-aligns it.
        let base = unsafe {
            mmap_anonymous(
                None,
                len,
                ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
                MapFlags::MAP_SHARED,
            )
        }
        .with_context(|| format!("mmap of {} shared bytes", len.get()))?;
        Ok(SharedRegion {
            base: base.cast(),
            data_len,
        })
    }

    /// The control page's 64-bit counters, zero at first.
    pub fn counters(&self) -> &[AtomicU64] {
        // SAFETY: the first half of the page-aligned control page is mapped
        // for the life of `self`, zero-initialised (a valid AtomicU64), only
        // ever accessed atomically, and disjoint from `words`.
        unsafe { std::slice::from_raw_parts(self.base.as_ptr().cast::<AtomicU64>(), COUNTERS) }
    }

    /// The control page's 32-bit words, zero at first.
    pub fn words(&self) -> &[AtomicU32] {
        // SAFETY: as for `counters`, over the second half of the page.
        unsafe {
            let start = self.base.as_ptr().add(CONTROL_BYTES / 2);
            std::slice::from_raw_parts(start.cast::<AtomicU32>(), WORDS)
        }
    }

    pub fn data_len(&self) -> usize {
        self.data_len
    }

    /// Copy `src` into the data area at `offset`. The caller's protocol (a
    /// ring's head and tail) guarantees nobody reads those bytes meanwhile.
    /// Async-signal-safe: no allocation, no panic.
    pub fn copy_in(&self, offset: usize, src: &[u8]) -> Result<(), Errno> {
        if offset
            .checked_add(src.len())
            .is_none_or(|end| end > self.data_len)
        {
            return Err(Errno::EINVAL);
        }
        // SAFETY: the range lies inside the data area (checked above), which
        // no Rust reference covers; `src` is ordinary memory, so the two do
        // not overlap; exclusive access to these bytes is the ring's protocol.
        unsafe {
            let dst = self.base.as_ptr().add(CONTROL_BYTES + offset);
            std::ptr::copy_nonoverlapping(src.as_ptr(), dst, src.len());
        }
        Ok(())
    }

    /// Copy bytes at `offset` of the data area into `dst` (the converse of
    /// `copy_in`, under the same protocol).
    pub fn copy_out(&self, offset: usize, dst: &mut [u8]) -> Result<(), Errno> {
        if offset
            .checked_add(dst.len())
            .is_none_or(|end| end > self.data_len)
        {
            return Err(Errno::EINVAL);
        }
        // SAFETY: as in `copy_in`, with the roles of the buffers swapped.
        unsafe {
            let src = self.base.as_ptr().add(CONTROL_BYTES + offset);
            std::ptr::copy_nonoverlapping(src, dst.as_mut_ptr(), dst.len());
        }
        Ok(())
    }
}

impl Drop for SharedRegion {
    fn drop(&mut self) {
        // SAFETY: `base` came from mmap in `new` with this length, and no
        // reference from `counters` or `words` can outlive `self`.
        let _ = unsafe { munmap(self.base.cast(), CONTROL_BYTES + self.data_len) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering;

    #[test]
    fn a_forked_child_writes_what_the_parent_reads() {
        let region = SharedRegion::new(16).expect("region");
        let child = crate::model::process::fork_child(|| {
            region.counters()[3].store(42, Ordering::SeqCst);
            region.words()[5].store(7, Ordering::SeqCst);
            i32::from(region.copy_in(8, b"shared!!").is_err())
        })
        .expect("fork");
        crate::model::process::wait_exit_ok(child).expect("child ok");
        assert_eq!(region.counters()[3].load(Ordering::SeqCst), 42);
        assert_eq!(region.words()[5].load(Ordering::SeqCst), 7);
        let mut bytes = [0u8; 8];
        region.copy_out(8, &mut bytes).expect("in range");
        assert_eq!(&bytes, b"shared!!");
        assert_eq!(region.copy_in(9, b"shared!!"), Err(Errno::EINVAL));
        assert_eq!(region.copy_out(usize::MAX, &mut bytes), Err(Errno::EINVAL));
    }
}
