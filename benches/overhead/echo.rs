//! Pair: a bare blocking echo loop (one client, one server thread, the same
//! payload, every byte checked) vs `io.echo/thread_per_connection` at one
//! connection.
//!
//! The bare connection and its server thread live for the whole bench, as
//! the harness point's live for the whole point: on a loaded machine a
//! server thread started afresh for each sample is scheduled sooner than a
//! long-lived one (3x faster here under a load of 13 on 2 cores), which
//! would compare the scheduler, not the harness.
//!
//! Both pin the client and the server the same way (`PINNED_CORES`): left
//! to the scheduler, the two ends sometimes share a core and sometimes not,
//! which changes a loopback round trip about threefold on a VM.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Mutex;
use std::time::Instant;

use concbench::model::placement::{Placement, pin_current};
use concbench::vocab::Model;

use crate::{BareSample, Pair};

const PAYLOAD: usize = 64;
/// Requests per bare sample.
const REQUESTS: u64 = 2000;
/// 1: client and server share one core.
const PINNED_CORES: u64 = 1;

pub fn pair() -> Pair {
    Pair {
        name: "echo",
        unit: "request",
        bare_sample: BareSample::Fixed(bare_sample),
        scenario: "io.echo",
        variant: "thread_per_connection",
        model: Model::Thread,
        params: &[
            ("connections", 1),
            ("payload", PAYLOAD as u64),
            ("pinned_cores", PINNED_CORES),
        ],
        runtime: None,
    }
}

/// The bare loop's client end; the server thread echoes until the process ends.
struct Bare {
    client: TcpStream,
    request: Vec<u8>,
    reply: Vec<u8>,
    serial: u64,
}

static BARE: Mutex<Option<Bare>> = Mutex::new(None);

fn connect() -> Bare {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let client = TcpStream::connect(listener.local_addr().expect("address")).expect("connect");
    let (mut served, _) = listener.accept().expect("accept");
    client.set_nodelay(true).expect("nodelay");
    served.set_nodelay(true).expect("nodelay");
    let server_cpu = placement().second;
    std::thread::spawn(move || {
        if let Some(cpu) = server_cpu {
            pin_current(cpu).expect("pinning the bare server");
        }
        let mut buffer = vec![0u8; PAYLOAD];
        loop {
            let n = served.read(&mut buffer).expect("server read");
            if n == 0 {
                return;
            }
            served.write_all(&buffer[..n]).expect("server write");
        }
    });
    Bare {
        client,
        request: (0..PAYLOAD as u64)
            .map(|i| (i.wrapping_mul(131) ^ 17).wrapping_add(7) as u8)
            .collect(),
        reply: vec![0u8; PAYLOAD],
        serial: 0,
    }
}

fn placement() -> Placement {
    Placement::new(PINNED_CORES).expect("enough CPUs for the pair")
}

/// ns per request of one bare sample of checked round trips.
fn bare_sample() -> f64 {
    let mut guard = BARE.lock().expect("the bare connection");
    let bare = guard.get_or_insert_with(connect);
    let _client_pinned = placement().pin_first().expect("pinning the bare client");
    let started = Instant::now();
    for _ in 0..REQUESTS {
        bare.serial += 1;
        bare.request[..8].copy_from_slice(&bare.serial.to_le_bytes());
        bare.client.write_all(&bare.request).expect("client write");
        bare.client
            .read_exact(&mut bare.reply)
            .expect("client read");
        assert_eq!(
            bare.reply, bare.request,
            "the echo of request {}",
            bare.serial
        );
    }
    started.elapsed().as_nanos() as f64 / REQUESTS as f64
}
