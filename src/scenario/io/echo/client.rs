//! The client side of `io.echo`, the same for every server: the N
//! connections are split into min(N, cores) groups, one blocking thread per
//! group. Each round a group writes one request on each of its connections,
//! then reads every echo back and checks it byte for byte. Each connection
//! thus has one request in flight (a closed loop), the client costs one
//! write and one read syscall per request whatever N is, and at N = 1 it is
//! exactly the bare blocking loop it is compared with.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::model::latency::Recorder;
use crate::results::Latency;
use crate::scenario::CancelToken;

/// How long a client waits on a silent server before the point fails.
const IO_TIMEOUT: Duration = Duration::from_secs(20);

/// What the clients proved so far.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// Requests written.
    pub sent: u64,
    /// Requests whose echo came back whole and equal.
    pub verified: u64,
    /// Bytes of those echoes.
    pub bytes_verified: u64,
}

/// The request a connection sends: a pattern unique to the connection, with
/// the request's serial number stamped over its first (up to) 8 bytes so a
/// stale or replayed echo cannot pass the check.
pub fn pattern(connection: u64, payload: usize) -> Vec<u8> {
    (0..payload as u64)
        .map(|i| (i.wrapping_mul(131) ^ connection.wrapping_mul(17)).wrapping_add(7) as u8)
        .collect()
}

/// Write `serial` over the start of `request`.
pub fn stamp(request: &mut [u8], serial: u64) {
    let bytes = serial.to_le_bytes();
    let n = request.len().min(bytes.len());
    request[..n].copy_from_slice(&bytes[..n]);
}

/// Compare `reply` with `request` byte by byte: `Ok(bytes compared)` when
/// they are the same, or the offset of the first difference (a length that
/// differs is a difference where the shorter one ends).
pub fn compare_echo(request: &[u8], reply: &[u8]) -> Result<usize, usize> {
    let mut compared = 0;
    for (a, b) in request.iter().zip(reply) {
        if a != b {
            return Err(compared);
        }
        compared += 1;
    }
    if request.len() == reply.len() {
        Ok(compared)
    } else {
        Err(compared)
    }
}

struct Connection {
    index: u64,
    stream: TcpStream,
    request: Vec<u8>,
    reply: Vec<u8>,
    serial: u64,
    sent_at: Instant,
}

impl Connection {
    fn send(&mut self) -> anyhow::Result<()> {
        self.serial += 1;
        stamp(&mut self.request, self.serial);
        self.sent_at = Instant::now();
        self.stream
            .write_all(&self.request)
            .with_context(|| format!("connection {}: writing a request", self.index))
    }

    /// Read the echo of the request in flight: its latency in ns and the
    /// bytes compared with the request.
    fn receive(&mut self) -> anyhow::Result<(u64, u64)> {
        self.stream
            .read_exact(&mut self.reply)
            .with_context(|| format!("connection {}: reading the echo", self.index))?;
        let ns = self.sent_at.elapsed().as_nanos() as u64;
        match compare_echo(&self.request, &self.reply) {
            Ok(compared) => Ok((ns, compared as u64)),
            Err(offset) => bail!(
                "connection {}: request {} came back different at byte {offset}",
                self.index,
                self.serial
            ),
        }
    }
}

/// The connections one client thread drives, with what it recorded.
struct Group {
    connections: Vec<Connection>,
    recorder: Recorder,
    tally: Tally,
}

impl Group {
    fn run(&mut self, rounds: u64, cancel: &CancelToken) -> anyhow::Result<()> {
        for _ in 0..rounds {
            if cancel.is_cancelled() {
                bail!("cancelled by the watchdog");
            }
            for connection in &mut self.connections {
                connection.send()?;
                self.tally.sent += 1;
            }
            for connection in &mut self.connections {
                let (ns, compared) = connection.receive()?;
                self.recorder.record(ns);
                self.tally.verified += 1;
                self.tally.bytes_verified += compared;
            }
        }
        Ok(())
    }
}

/// N client connections in groups, one thread per group.
pub struct Clients {
    groups: Vec<Group>,
    cancel: CancelToken,
}

impl Clients {
    /// Take over connected streams, in one group per recorder (one thread
    /// each); every request carries `payload` bytes.
    pub fn new(
        streams: Vec<TcpStream>,
        payload: usize,
        recorders: Vec<Recorder>,
        cancel: CancelToken,
    ) -> anyhow::Result<Clients> {
        let per_group = streams.len().div_ceil(recorders.len().max(1)).max(1);
        let mut recorders = recorders.into_iter();
        let mut groups: Vec<Group> = Vec::new();
        for (index, stream) in streams.into_iter().enumerate() {
            stream
                .set_nodelay(true)
                .context("TCP_NODELAY on a client")?;
            stream.set_read_timeout(Some(IO_TIMEOUT))?;
            stream.set_write_timeout(Some(IO_TIMEOUT))?;
            if index % per_group == 0 {
                groups.push(Group {
                    connections: Vec::with_capacity(per_group),
                    recorder: recorders.next().unwrap_or_default(),
                    tally: Tally::default(),
                });
            }
            let index = index as u64;
            let connection = Connection {
                index,
                stream,
                request: pattern(index, payload),
                reply: vec![0; payload],
                serial: 0,
                sent_at: Instant::now(),
            };
            if let Some(group) = groups.last_mut() {
                group.connections.push(connection);
            }
        }
        Ok(Clients { groups, cancel })
    }

    /// Every connection does `rounds` checked request/responses.
    pub fn run(&mut self, rounds: u64) -> anyhow::Result<()> {
        let cancel = &self.cancel;
        if let [group] = self.groups.as_mut_slice() {
            // One group: no thread to start, the loop runs right here.
            return group.run(rounds, cancel);
        }
        std::thread::scope(|scope| {
            let running: Vec<_> = self
                .groups
                .iter_mut()
                .map(|group| scope.spawn(move || group.run(rounds, cancel)))
                .collect();
            running.into_iter().try_for_each(|thread| {
                thread
                    .join()
                    .map_err(|_| anyhow::anyhow!("a client thread panicked"))?
            })
        })
    }

    pub fn threads(&self) -> usize {
        self.groups.len()
    }

    pub fn tally(&self) -> Tally {
        self.groups.iter().fold(Tally::default(), |sum, g| Tally {
            sent: sum.sent + g.tally.sent,
            verified: sum.verified + g.tally.verified,
            bytes_verified: sum.bytes_verified + g.tally.bytes_verified,
        })
    }

    /// Forget the latencies recorded so far (setup and warm-up).
    pub fn clear_latency(&mut self) {
        self.groups.iter_mut().for_each(|g| g.recorder.clear());
    }

    pub fn latency(&self) -> Option<Latency> {
        let mut all = Recorder::new();
        self.groups.iter().for_each(|g| all.merge(&g.recorder));
        all.latency()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_differ_between_connections_and_serials() {
        let (a, b) = (pattern(0, 64), pattern(1, 64));
        assert_ne!(a, b);
        let mut stamped = a.clone();
        stamp(&mut stamped, 2);
        assert_eq!(compare_echo(&a, &stamped), Err(0));
        assert_eq!(compare_echo(&a, &a), Ok(a.len()));
        assert_eq!(
            compare_echo(&a, &a[..a.len() - 1]),
            Err(a.len() - 1),
            "a short echo"
        );
        assert_eq!(compare_echo(&[], &[]), Ok(0));
        let mut tiny = pattern(3, 3);
        stamp(&mut tiny, u64::MAX);
        assert_eq!(tiny, vec![0xff; 3], "a short payload takes what fits");
    }
}
