//! Pair: a bare blocking echo loop (one client, one server thread, the same
//! payload, every byte checked) vs `io.echo/thread_per_connection` at one
//! connection.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Instant;

use concbench::scenario::Model;

use crate::Pair;

const PAYLOAD: usize = 64;
/// Requests per bare sample.
const REQUESTS: u64 = 2000;

pub fn pair() -> Pair {
    Pair {
        name: "echo",
        unit: "request",
        bare_sample,
        scenario: "io.echo",
        variant: "thread_per_connection",
        model: Model::Thread,
        params: &[("connections", 1), ("payload", PAYLOAD as u64)],
    }
}

/// ns per request of one bare sample; the connection is set up and torn
/// down outside the timing.
fn bare_sample() -> f64 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let mut client = TcpStream::connect(listener.local_addr().expect("address")).expect("connect");
    let (mut served, _) = listener.accept().expect("accept");
    client.set_nodelay(true).expect("nodelay");
    served.set_nodelay(true).expect("nodelay");
    let server = std::thread::spawn(move || {
        let mut buffer = vec![0u8; PAYLOAD];
        loop {
            let n = served.read(&mut buffer).expect("server read");
            if n == 0 {
                return;
            }
            served.write_all(&buffer[..n]).expect("server write");
        }
    });
    let mut request: Vec<u8> = (0..PAYLOAD as u64)
        .map(|i| (i.wrapping_mul(131) ^ 17).wrapping_add(7) as u8)
        .collect();
    let mut reply = vec![0u8; PAYLOAD];
    let started = Instant::now();
    for serial in 1..=REQUESTS {
        request[..8].copy_from_slice(&serial.to_le_bytes());
        client.write_all(&request).expect("client write");
        client.read_exact(&mut reply).expect("client read");
        assert_eq!(reply, request, "the echo of request {serial}");
    }
    let ns = started.elapsed().as_nanos() as f64;
    drop(client);
    server.join().expect("the server thread");
    ns / REQUESTS as f64
}
