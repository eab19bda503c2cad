//! One end of a two-way link between the two sides of an ipc point, over
//! one of the transports under test. Both ends are made before the peer
//! starts; the peer's end then moves into a thread or a forked child. Every
//! method is async-signal-safe (system calls on descriptors, atomics, futex):
//! no allocation, no locks, no panics.

use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::{UnixDatagram, UnixStream};

use nix::errno::Errno;

pub use super::end::Link;
use super::{mqueue, shm_ring};
use crate::model::futex::Scope;

/// The largest piece a Unix datagram carries here: well under the default
/// socket buffer (about 208 KiB), so a datagram always fits.
const UNIX_DATAGRAM_MAX: usize = 64 << 10;

crate::variant_table! {
    /// The transports, named as the scenarios' variants (`ipc.pingpong` and
    /// `ipc.stream` share them).
    pub enum Transport in TRANSPORTS {
        Pipe = "pipe", [Process, Thread], "two anonymous pipes (pipe2)";
        Fifo = "fifo", [Process, Thread], "two named FIFOs (mkfifo) in a temporary directory, removed afterwards";
        UnixStream = "unix_stream", [Process, Thread], "a Unix stream socket pair";
        UnixDatagram = "unix_datagram", [Process, Thread], "a Unix datagram socket pair; messages over 64 KiB go as 64 KiB datagrams";
        Tcp = "tcp", [Process, Thread], "a TCP connection over 127.0.0.1, TCP_NODELAY";
        Mqueue = "mqueue", [Process, Thread], "two POSIX message queues; messages over msgsize_max (8 KiB) go in pieces";
        ShmRing = "shm_ring", [Process, Thread], "byte rings in shared memory (mmap before fork): atomics, futex wake-ups";
    }
}

/// How a link is set up: the largest message it must carry in one piece
/// (datagram transports cut bigger ones) and whether its ends live in one
/// process (threads) or two.
#[derive(Debug, Clone, Copy)]
pub struct Setup {
    pub largest_message: usize,
    pub across_processes: bool,
    /// Bytes of each shared-memory ring.
    pub ring_bytes: usize,
}

/// Make both ends of a link over `transport`: (this side's, the peer's).
pub fn connect(
    transport: Transport,
    setup: Setup,
) -> anyhow::Result<(Box<dyn Link>, Box<dyn Link>)> {
    Ok(match transport {
        Transport::Pipe => pipes()?,
        Transport::Fifo => fifos()?,
        Transport::UnixStream => {
            let (a, b) = UnixStream::pair()?;
            (
                FdLink::socket(a.into(), Kind::Stream),
                FdLink::socket(b.into(), Kind::Stream),
            )
        }
        Transport::UnixDatagram => {
            let (a, b) = UnixDatagram::pair()?;
            let kind = Kind::Datagram(setup.largest_message.clamp(1, UNIX_DATAGRAM_MAX));
            (
                FdLink::socket(a.into(), kind),
                FdLink::socket(b.into(), kind),
            )
        }
        Transport::Tcp => tcp_pair()?,
        Transport::Mqueue => mqueue::pair(setup.largest_message)?,
        Transport::ShmRing => {
            let scope = if setup.across_processes {
                Scope::Shared
            } else {
                Scope::Private
            };
            shm_ring::pair(setup.ring_bytes, scope)?
        }
    })
}

/// What kind of descriptor an `FdLink` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Pipe or FIFO ends: EOF comes when the writer's last copy closes.
    Pipe,
    Stream,
    /// Datagrams of at most this many bytes.
    Datagram(usize),
}

/// A link over file descriptors: pipes, FIFOs and sockets.
struct FdLink {
    read: OwnedFd,
    /// `None`: a socket, written through `read` as well.
    write: Option<OwnedFd>,
    kind: Kind,
    /// The FIFOs' directory, removed when the owning side drops its end.
    _dir: Option<tempfile::TempDir>,
}

impl FdLink {
    fn socket(fd: OwnedFd, kind: Kind) -> Box<dyn Link> {
        Box::new(FdLink {
            read: fd,
            write: None,
            kind,
            _dir: None,
        })
    }

    fn writer(&self) -> &OwnedFd {
        self.write.as_ref().unwrap_or(&self.read)
    }
}

impl Link for FdLink {
    fn send(&mut self, mut data: &[u8]) -> Result<(), Errno> {
        while !data.is_empty() {
            match nix::unistd::write(self.writer(), data) {
                Ok(n) if matches!(self.kind, Kind::Datagram(_)) && n != data.len() => {
                    return Err(Errno::EMSGSIZE);
                }
                Ok(n) => data = data.get(n..).unwrap_or_default(),
                Err(Errno::EINTR) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn recv(&mut self, buf: &mut [u8]) -> Result<usize, Errno> {
        loop {
            match nix::unistd::read(self.read.as_fd(), buf) {
                Err(Errno::EINTR) => {}
                other => return other,
            }
        }
    }

    fn max_piece(&self) -> usize {
        match self.kind {
            Kind::Datagram(max) => max,
            Kind::Pipe | Kind::Stream => usize::MAX,
        }
    }

    fn close(&mut self) {
        let fd = self.read.as_fd();
        match self.kind {
            // The other end sees EOF once this process's copies close.
            Kind::Pipe => {}
            Kind::Stream => {
                let _ = rustix::net::shutdown(fd, rustix::net::Shutdown::Both);
            }
            // An empty datagram reads as 0: the end of the link.
            Kind::Datagram(_) => {
                let _ = rustix::net::send(fd, &[], rustix::net::SendFlags::DONTWAIT);
            }
        }
    }
}

/// Two anonymous pipes (close-on-exec).
fn pipes() -> anyhow::Result<(Box<dyn Link>, Box<dyn Link>)> {
    let flags = nix::fcntl::OFlag::O_CLOEXEC;
    let (to_peer_read, to_peer_write) = nix::unistd::pipe2(flags)?;
    let (from_peer_read, from_peer_write) = nix::unistd::pipe2(flags)?;
    let ours = FdLink {
        read: from_peer_read,
        write: Some(to_peer_write),
        kind: Kind::Pipe,
        _dir: None,
    };
    let theirs = FdLink {
        read: to_peer_read,
        write: Some(from_peer_write),
        kind: Kind::Pipe,
        _dir: None,
    };
    Ok((Box::new(ours), Box::new(theirs)))
}

/// Two named FIFOs in a fresh scratch directory, all four ends opened here
/// (the read end first, non-blocking, so that opening the write end does not
/// wait for a reader). The directory goes when this side's end is dropped.
fn fifos() -> anyhow::Result<(Box<dyn Link>, Box<dyn Link>)> {
    use anyhow::Context;
    let dir = crate::model::scratch::temp_dir("ipc-fifo")?;
    let mut ends = Vec::new();
    for name in ["to-peer", "from-peer"] {
        let path = dir.path().join(name);
        nix::unistd::mkfifo(
            &path,
            nix::sys::stat::Mode::S_IRUSR | nix::sys::stat::Mode::S_IWUSR,
        )
        .with_context(|| format!("mkfifo {}", path.display()))?;
        let read = open_fifo(&path, true)?;
        let write = open_fifo(&path, false)?;
        nix::fcntl::fcntl(
            &read,
            nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::empty()),
        )?;
        ends.push((read, write));
    }
    let (from_peer_read, from_peer_write) = ends.pop().context("two FIFOs")?;
    let (to_peer_read, to_peer_write) = ends.pop().context("two FIFOs")?;
    let ours = FdLink {
        read: from_peer_read,
        write: Some(to_peer_write),
        kind: Kind::Pipe,
        _dir: Some(dir),
    };
    let theirs = FdLink {
        read: to_peer_read,
        write: Some(from_peer_write),
        kind: Kind::Pipe,
        _dir: None,
    };
    Ok((Box::new(ours), Box::new(theirs)))
}

fn open_fifo(path: &std::path::Path, read: bool) -> anyhow::Result<OwnedFd> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    if read {
        options.read(true).custom_flags(nix::libc::O_NONBLOCK);
    } else {
        options.write(true);
    }
    let file = options
        .open(path)
        .map_err(|e| anyhow::anyhow!("opening FIFO {}: {e}", path.display()))?;
    Ok(file.into())
}

/// A TCP connection over 127.0.0.1 (an ephemeral port), Nagle off.
fn tcp_pair() -> anyhow::Result<(Box<dyn Link>, Box<dyn Link>)> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    let ours = std::net::TcpStream::connect(listener.local_addr()?)?;
    let (theirs, _) = listener.accept()?;
    ours.set_nodelay(true)?;
    theirs.set_nodelay(true)?;
    Ok((
        FdLink::socket(ours.into(), Kind::Stream),
        FdLink::socket(theirs.into(), Kind::Stream),
    ))
}
