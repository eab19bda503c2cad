//! POSIX message queues as a link: one queue each way, opened (and at once
//! unlinked, so nothing is left behind) before the peer starts. Messages are
//! limited to the system's `msgsize_max` (8 KiB by default), so bigger
//! stream messages go in pieces.

use std::time::Duration;

use anyhow::Context;
use nix::errno::Errno;

use nix::mqueue::{
    MQ_OFlag, MqAttr, MqdT, mq_close, mq_open, mq_receive, mq_send, mq_timedreceive, mq_unlink,
};
use nix::sys::stat::Mode;
use nix::sys::time::TimeSpec;
use nix::time::{ClockId, clock_gettime};

use super::end::Link;
use crate::model::scratch::ipc_name;

/// How long a closing side waits for the queue to go quiet.
const QUIET: Duration = Duration::from_millis(20);

/// A system setting in /proc/sys/fs/mqueue, or its Linux default.
fn limit(name: &str, default: usize) -> usize {
    std::fs::read_to_string(format!("/proc/sys/fs/mqueue/{name}"))
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(default)
}

/// Largest message an unprivileged queue may carry.
pub fn max_message() -> usize {
    limit("msgsize_max", 8192)
}

/// Whether this system lets a point make the two queues it needs for
/// messages of `largest_message` bytes: make them (and drop them at once).
pub fn check_available(largest_message: usize) -> Result<(), String> {
    match pair(largest_message) {
        Ok(_) => Ok(()),
        Err(e) => {
            let hint = match e.downcast_ref::<Errno>() {
                Some(Errno::ENOSYS) => " (a kernel without POSIX message queues)",
                Some(Errno::EMFILE) => " (the RLIMIT_MSGQUEUE limit, `ulimit -q`)",
                Some(Errno::EACCES | Errno::EPERM) => " (not permitted here)",
                _ => "",
            };
            Err(format!(
                "POSIX message queues cannot be used here: {e:#}{hint}"
            ))
        }
    }
}

/// Both ends of a message-queue link whose messages hold up to
/// `largest_message` bytes (capped at `msgsize_max`).
pub fn pair(largest_message: usize) -> anyhow::Result<(Box<dyn Link>, Box<dyn Link>)> {
    let msgsize = largest_message.clamp(1, max_message());
    let maxmsg = limit("msg_max", 10).clamp(1, 10);
    let attr = MqAttr::new(0, maxmsg as _, msgsize as _, 0);
    let (to_peer_read, to_peer_write) = open_queue(&attr)?;
    let (from_peer_read, from_peer_write) = open_queue(&attr)?;
    let ours = MqLink {
        rx: from_peer_read,
        tx: to_peer_write,
        msgsize,
        spare: vec![0; msgsize],
    };
    let theirs = MqLink {
        rx: to_peer_read,
        tx: from_peer_write,
        msgsize,
        spare: vec![0; msgsize],
    };
    Ok((Box::new(ours), Box::new(theirs)))
}

/// Create a queue, open it once for reading and once for writing, and
/// unlink its name: the descriptors keep it alive, the name goes now.
fn open_queue(attr: &MqAttr) -> anyhow::Result<(Queue, Queue)> {
    let name = ipc_name("mq");
    let mode = Mode::S_IRUSR | Mode::S_IWUSR;
    let create = MQ_OFlag::O_CREAT | MQ_OFlag::O_EXCL | MQ_OFlag::O_RDONLY | MQ_OFlag::O_CLOEXEC;
    let read = mq_open(name.as_str(), create, mode, Some(attr)).context("mq_open")?;
    let write = mq_open(
        name.as_str(),
        MQ_OFlag::O_WRONLY | MQ_OFlag::O_CLOEXEC,
        mode,
        None,
    );
    let _ = mq_unlink(name.as_str());
    let read = Queue(Some(read));
    let write = write.context("mq_open for writing")?;
    Ok((read, Queue(Some(write))))
}

/// A queue descriptor, closed on drop (nix's `MqdT` is not).
struct Queue(Option<MqdT>);

impl Queue {
    fn get(&self) -> Result<&MqdT, Errno> {
        self.0.as_ref().ok_or(Errno::EBADF)
    }
}

impl Drop for Queue {
    fn drop(&mut self) {
        if let Some(queue) = self.0.take() {
            let _ = mq_close(queue);
        }
    }
}

struct MqLink {
    rx: Queue,
    tx: Queue,
    msgsize: usize,
    /// Room for one message, for `drain` (no allocation after setup).
    spare: Vec<u8>,
}

impl MqLink {
    /// Receive and drop messages until none comes for `QUIET`.
    fn drain(&mut self) {
        let Ok(rx) = self.rx.get() else {
            return;
        };
        let mut priority = 0;
        loop {
            let Ok(now) = clock_gettime(ClockId::CLOCK_REALTIME) else {
                return;
            };
            let deadline = now + TimeSpec::from_duration(QUIET);
            if mq_timedreceive(rx, &mut self.spare, &mut priority, &deadline).is_err() {
                return;
            }
        }
    }
}

impl Link for MqLink {
    fn send(&mut self, data: &[u8]) -> Result<(), Errno> {
        loop {
            match mq_send(self.tx.get()?, data, 0) {
                Err(Errno::EINTR) => {}
                other => return other,
            }
        }
    }

    fn recv(&mut self, buf: &mut [u8]) -> Result<usize, Errno> {
        let mut priority = 0;
        loop {
            match mq_receive(self.rx.get()?, buf, &mut priority) {
                Err(Errno::EINTR) => {}
                other => return other,
            }
        }
    }

    fn max_piece(&self) -> usize {
        self.msgsize
    }

    /// An empty message reads as 0: the end of the link. Closing the
    /// descriptors would not wake a sender blocked on a full queue, so first
    /// take what the other side still sends, until the queue stays quiet.
    fn close(&mut self) {
        self.drain();
        if let Ok(tx) = self.tx.get()
            && nix::mqueue::mq_set_nonblock(tx).is_ok()
        {
            let _ = mq_send(tx, &[], 0);
        }
    }
}
