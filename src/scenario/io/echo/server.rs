//! The servers of `io.echo`, all on one loopback listener (127.0.0.1, an
//! ephemeral port): a thread per connection, a tokio task per connection,
//! or one pre-forked process per connection, every child blocked in
//! `accept` on the shared listener. Each reads what arrives and writes it
//! straight back, counting the bytes it read. Dropping the server (after the
//! clients closed their ends) joins the threads, shuts the runtime down, and
//! kills and reaps the children.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use nix::unistd::Pid;

use super::table::Server;
use crate::model::fork::close_inherited_except;
use crate::model::process::{SharedCounter, fork_child, sleep_signal_safe};

/// Prefork: connections the parent may open ahead of the children's
/// `accept`s, well inside any listen backlog.
const ACCEPT_SLACK: u64 = 64;
/// How long children may take to accept the connections made to them.
const ACCEPT_TIMEOUT: Duration = Duration::from_secs(20);

/// The per-connection handlers, by server kind.
enum Handlers {
    Threads(Vec<std::thread::JoinHandle<std::io::Result<()>>>),
    Tokio(Option<tokio::runtime::Runtime>),
    Prefork {
        pids: Vec<Pid>,
        /// A child forked after the servers that only sleeps: it shares
        /// every page the servers inherited, so a page the parent writes
        /// later never counts as private to a lone server.
        witness: Pid,
        accepted: SharedCounter,
        echoed: SharedCounter,
    },
}

pub struct EchoServer {
    listener: TcpListener,
    address: SocketAddr,
    handlers: Handlers,
    /// Bytes the in-process handlers read (and so echo).
    echoed: Arc<AtomicU64>,
    connected: u64,
    payload: usize,
}

impl EchoServer {
    /// Bind the listener and start a `server` for `connections`
    /// connections of `payload`-byte requests (prefork forks its children now).
    pub fn start(server: Server, connections: u64, payload: usize) -> anyhow::Result<EchoServer> {
        let listener = TcpListener::bind("127.0.0.1:0").context("binding 127.0.0.1:0")?;
        let address = listener.local_addr()?;
        let handlers = match server {
            Server::ThreadPerConnection => {
                Handlers::Threads(Vec::with_capacity(connections as usize))
            }
            Server::Tokio => Handlers::Tokio(Some(
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(crate::scenario::io::machine::cores())
                    .enable_io()
                    .build()
                    .context("building the tokio runtime")?,
            )),
            Server::Prefork => prefork(&listener, connections, payload)?,
        };
        Ok(EchoServer {
            listener,
            address,
            handlers,
            echoed: Arc::new(AtomicU64::new(0)),
            connected: 0,
            payload,
        })
    }

    /// Open one client connection and hand its server end to a handler.
    pub fn connect(&mut self) -> anyhow::Result<TcpStream> {
        if let Handlers::Prefork { accepted, .. } = &self.handlers {
            let connected = self.connected;
            wait_until(|| connected < accepted.get().load(Ordering::SeqCst) + ACCEPT_SLACK)?;
        }
        let client = TcpStream::connect(self.address).context("connecting to the server")?;
        self.connected += 1;
        let (echoed, payload) = (Arc::clone(&self.echoed), self.payload);
        match &mut self.handlers {
            Handlers::Threads(threads) => {
                let (stream, _) = self.listener.accept().context("accept")?;
                stream.set_nodelay(true)?;
                let thread = std::thread::Builder::new()
                    .spawn(move || echo_blocking(stream, &echoed, payload))
                    .context("spawning a connection thread")?;
                threads.push(thread);
            }
            Handlers::Tokio(Some(runtime)) => {
                let (stream, _) = self.listener.accept().context("accept")?;
                stream.set_nodelay(true)?;
                stream.set_nonblocking(true)?;
                let _entered = runtime.enter();
                let stream = tokio::net::TcpStream::from_std(stream)?;
                runtime.spawn(echo_async(stream, echoed, payload));
            }
            Handlers::Tokio(None) => bail!("the tokio server was shut down"),
            Handlers::Prefork { .. } => {}
        }
        Ok(client)
    }

    /// Wait until every connection made has a handler (prefork children
    /// accept on their own time).
    pub fn wait_ready(&self) -> anyhow::Result<()> {
        if let Handlers::Prefork { accepted, .. } = &self.handlers {
            let connected = self.connected;
            wait_until(|| accepted.get().load(Ordering::SeqCst) >= connected)?;
        }
        Ok(())
    }

    /// Bytes the server read from its connections (and so echoed).
    pub fn echoed_bytes(&self) -> u64 {
        match &self.handlers {
            Handlers::Prefork { echoed, .. } => echoed.get().load(Ordering::SeqCst),
            _ => self.echoed.load(Ordering::SeqCst),
        }
    }

    /// Memory the prefork children added since the fork: pages no other
    /// process maps (0 for in-process servers, whose memory is this process's).
    pub fn children_private_bytes(&self) -> u64 {
        match &self.handlers {
            Handlers::Prefork { pids, .. } => pids
                .iter()
                .map(|&p| crate::scenario::io::machine::private_bytes(p))
                .sum(),
            _ => 0,
        }
    }
}

/// Fork one child per connection; each accepts one connection on the shared
/// listener and echoes it until EOF.
fn prefork(listener: &TcpListener, connections: u64, payload: usize) -> anyhow::Result<Handlers> {
    let (accepted, echoed) = (SharedCounter::new()?, SharedCounter::new()?);
    let mut pids = Vec::with_capacity(connections as usize);
    // Allocated before the forks: a child may not allocate.
    let mut buffer = vec![0u8; payload];
    for _ in 0..connections {
        let (accepted, echoed) = (accepted.get(), echoed.get());
        let child = fork_child(|| {
            // Nothing but the listener: under paired rounds other trials'
            // sockets live in this process too, and must see their EOFs.
            close_inherited_except(Some(listener.as_raw_fd()));
            serve_one_signal_safe(listener, accepted, echoed, &mut buffer)
        });
        match child {
            Ok(pid) => pids.push(pid),
            Err(error) => {
                kill_and_reap(&pids);
                return Err(error.context("forking a prefork server"));
            }
        }
    }
    let witness = fork_child(|| {
        close_inherited_except(None);
        loop {
            sleep_signal_safe(Duration::from_secs(3600));
        }
    });
    let witness = match witness {
        Ok(pid) => pid,
        Err(error) => {
            kill_and_reap(&pids);
            return Err(error.context("forking the witness child"));
        }
    };
    Ok(Handlers::Prefork {
        pids,
        witness,
        accepted,
        echoed,
    })
}

/// A prefork child: accept one connection, echo it until EOF, return the
/// exit code. Only system calls on file descriptors (std's `accept`, `read`,
/// `write`, `setsockopt` wrappers allocate nothing) and atomics: safe between
/// fork and `_exit` in a process that had other threads.
fn serve_one_signal_safe(
    listener: &TcpListener,
    accepted: &AtomicU64,
    echoed: &AtomicU64,
    buffer: &mut [u8],
) -> i32 {
    let Ok((mut stream, _)) = listener.accept() else {
        return 10;
    };
    accepted.fetch_add(1, Ordering::SeqCst);
    if stream.set_nodelay(true).is_err() {
        return 11;
    }
    loop {
        let read = match stream.read(buffer) {
            Ok(0) => return 0,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return 12,
        };
        echoed.fetch_add(read as u64, Ordering::SeqCst);
        let Some(bytes) = buffer.get(..read) else {
            return 13;
        };
        if stream.write_all(bytes).is_err() {
            return 14;
        }
    }
}

/// A connection thread: echo until the client closes.
fn echo_blocking(mut stream: TcpStream, echoed: &AtomicU64, payload: usize) -> std::io::Result<()> {
    let mut buffer = vec![0u8; payload];
    loop {
        let read = stream.read(&mut buffer)?;
        if read == 0 {
            return Ok(());
        }
        echoed.fetch_add(read as u64, Ordering::Relaxed);
        stream.write_all(&buffer[..read])?;
    }
}

/// A connection task: echo until the client closes.
async fn echo_async(
    mut stream: tokio::net::TcpStream,
    echoed: Arc<AtomicU64>,
    payload: usize,
) -> std::io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buffer = vec![0u8; payload];
    loop {
        let read = stream.read(&mut buffer).await?;
        if read == 0 {
            return Ok(());
        }
        echoed.fetch_add(read as u64, Ordering::Relaxed);
        stream.write_all(&buffer[..read]).await?;
    }
}

/// Poll `ready` every 100 us until it holds, or fail after ACCEPT_TIMEOUT.
fn wait_until(ready: impl Fn() -> bool) -> anyhow::Result<()> {
    let began = Instant::now();
    while !ready() {
        if began.elapsed() > ACCEPT_TIMEOUT {
            bail!("prefork children stopped accepting connections");
        }
        std::thread::sleep(Duration::from_micros(100));
    }
    Ok(())
}

fn kill_and_reap(pids: &[Pid]) {
    for &pid in pids {
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
    }
    for &pid in pids {
        let _ = nix::sys::wait::waitpid(pid, None);
    }
}

impl Drop for EchoServer {
    /// Called once the clients have closed their ends: every handler has
    /// seen EOF, or is about to.
    fn drop(&mut self) {
        match &mut self.handlers {
            Handlers::Threads(threads) => {
                for thread in threads.drain(..) {
                    let _ = thread.join();
                }
            }
            Handlers::Tokio(runtime) => {
                if let Some(runtime) = runtime.take() {
                    runtime.shutdown_timeout(Duration::from_secs(1));
                }
            }
            Handlers::Prefork { pids, witness, .. } => {
                pids.push(*witness);
                kill_and_reap(pids);
            }
        }
    }
}
