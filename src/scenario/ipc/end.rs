//! What every transport's end of a link can do: the `Link` trait. In a file
//! of its own so the transports (`mqueue`, `shm_ring`) implement it without
//! importing `link`, which picks among them.

use nix::errno::Errno;

/// One end of a link.
pub trait Link: Send {
    /// Send all of `data`; on datagram transports as one message of at most
    /// `max_piece()` bytes.
    fn send(&mut self, data: &[u8]) -> Result<(), Errno>;

    /// Receive into `buf` (one whole message on datagram transports, so
    /// `buf` must hold `max_piece()` bytes there). 0: the other end closed.
    fn recv(&mut self, buf: &mut [u8]) -> Result<usize, Errno>;

    /// The largest message sent in one piece (`usize::MAX`: a byte stream).
    fn max_piece(&self) -> usize;

    /// Tell the other end that nothing more will come, so that a side
    /// waiting on this link wakes up (used when a side stops on an error).
    fn close(&mut self);
}
