//! `io.echo`: a loopback TCP echo server (a thread per connection, tokio, or
//! pre-forked processes sharing the listener) driven by N client connections
//! doing checked request/response: requests/s, per-request latency, and the
//! memory each connection costs. With `pinned_cores` the server (its threads,
//! runtime workers or children) runs on one CPU and the clients on another,
//! or all on one: loopback round trips change several-fold with placement.

mod client;
mod server;
mod table;

use std::collections::BTreeMap;
use std::time::Instant;
use table::{Server, VARIANTS};

use anyhow::ensure;

use crate::model::latency::Recorder;
use crate::model::placement::{PINNED_CORES, PinGuard, Placement};
use crate::results::Latency;
use crate::scenario::{Measured, Scenario, ScenarioInfo, Trial, TrialContext};
use crate::vocab::{Family, Model, ParamSpec, Params, Sample};
use client::Clients;
use server::EchoServer;

const CONNECTIONS: ParamSpec = ParamSpec {
    name: "connections",
    default: 16,
    min: 1,
    max: 10_000,
    help: "client connections, each with one request in flight",
};

const PAYLOAD: ParamSpec = ParamSpec {
    name: "payload",
    default: 1024,
    min: 1,
    max: 65_536,
    help: "bytes per request (and per echo)",
};

/// `io.echo`: N connections doing request/response against one server.
pub static ECHO: EchoScenario = EchoScenario {
    info: ScenarioInfo {
        id: "io.echo",
        family: Family::Io,
        summary: "loopback TCP echo: N connections doing checked request/response of P bytes",
        unit: "request",
        variants: VARIANTS,
        params: &[CONNECTIONS, PAYLOAD, PINNED_CORES],
        throughput_vs: Some("connections"),
    },
};

pub struct EchoScenario {
    info: ScenarioInfo,
}

impl Scenario for EchoScenario {
    fn info(&self) -> &ScenarioInfo {
        &self.info
    }

    fn build(&self, context: &TrialContext) -> anyhow::Result<Box<dyn Trial>> {
        Ok(Box::new(EchoTrial::new(context)?))
    }

    fn check_limits(&self, model: Model, params: &Params) -> Result<(), String> {
        let connections = params.get("connections").map_err(|e| e.to_string())?;
        let what = format!("connections={connections}");
        Placement::new(params.get("pinned_cores").map_err(|e| e.to_string())?)?;
        // Both ends of each connection live here, except under prefork,
        // where the server ends live in the children.
        let fds_here = match model {
            Model::Process => connections,
            _ => 2 * connections,
        };
        super::machine::check_nofile(&what, fds_here)?;
        match model {
            Model::Thread | Model::Process => {
                super::machine::check_nproc(&what, connections + super::machine::cores() as u64)
            }
            _ => Ok(()),
        }
    }
}

struct EchoTrial {
    /// Declared before the server: dropped first, so every server handler
    /// sees its connection close before the server joins or reaps it.
    clients: Clients,
    server: EchoServer,
    connections: u64,
    payload: u64,
    /// Rounds run, the setup round included.
    rounds: u64,
    baseline_rss: u64,
    setup_rss: u64,
    children_private: u64,
    /// Keeps the clients (the point's thread and the threads it starts) on
    /// the placement's first CPU until the point ends.
    _clients_pinned: PinGuard,
}

impl EchoTrial {
    /// Start the server, connect every client and check one round trip on
    /// each connection, all before any timing.
    fn new(context: &TrialContext) -> anyhow::Result<EchoTrial> {
        let server = Server::of(context.variant)?;
        let connections = context.params.get("connections")?;
        let payload = context.params.get("payload")? as usize;
        let threads = super::machine::cores().min(connections as usize);
        let placement =
            Placement::new(context.params.get("pinned_cores")?).map_err(anyhow::Error::msg)?;
        // Everything the server starts from here (handler threads, runtime
        // workers, forked children) inherits this thread's CPU.
        let server_pinned = placement.pin_second().map_err(anyhow::Error::msg)?;
        // What a connection costs is measured from here: the server is
        // running (runtime built, children forked) and the clients'
        // latency histograms are allocated and touched.
        let mut server = EchoServer::start(server, connections, payload)?;
        let recorders = (0..threads).map(|_| touched_recorder()).collect();
        super::machine::release_freed_memory();
        let baseline_rss = super::machine::rss_now();
        // The server was declared first so that, on an error, the client
        // ends close before it is dropped and every handler sees EOF.
        let mut streams = Vec::with_capacity(connections as usize);
        for _ in 0..connections {
            streams.push(server.connect()?);
        }
        server.wait_ready()?;
        drop(server_pinned);
        let clients_pinned = placement.pin_first().map_err(anyhow::Error::msg)?;
        let mut clients = Clients::new(streams, payload, recorders, context.cancel.clone())?;
        clients.run(1)?;
        Ok(EchoTrial {
            setup_rss: super::machine::rss_now(),
            children_private: server.children_private_bytes(),
            clients,
            server,
            connections,
            payload: payload as u64,
            rounds: 1,
            baseline_rss,
            _clients_pinned: clients_pinned,
        })
    }
}

/// A latency recorder whose pages are already resident, so that the
/// histogram does not count as memory the connections use.
fn touched_recorder() -> Recorder {
    let mut recorder = Recorder::new();
    recorder.clear();
    recorder
}

impl Trial for EchoTrial {
    fn run(&mut self, rounds: u64) -> anyhow::Result<Sample> {
        let started = Instant::now();
        self.rounds += rounds;
        self.clients.run(rounds)?;
        Ok(Sample {
            ops: rounds * self.connections,
            ns: started.elapsed().as_nanos() as u64,
        })
    }

    fn verify(&mut self) -> anyhow::Result<()> {
        let tally = self.clients.tally();
        let expected = self.rounds * self.connections;
        ensure!(
            tally.sent == expected && tally.verified == expected,
            "{} requests sent and {} echoes checked, {expected} expected",
            tally.sent,
            tally.verified
        );
        let bytes = expected * self.payload;
        ensure!(
            tally.bytes_verified == bytes,
            "{} echoed bytes checked, {bytes} expected",
            tally.bytes_verified
        );
        let echoed = self.server.echoed_bytes();
        ensure!(
            echoed == bytes,
            "the server read {echoed} bytes, the clients sent {bytes}"
        );
        Ok(())
    }

    fn metrics(&self, measured: &Measured<'_>) -> BTreeMap<String, f64> {
        let resources = measured.resources;
        let per_s = if measured.median_ns_per_op > 0.0 {
            1e9 / measured.median_ns_per_op
        } else {
            0.0
        };
        let requests = measured.total_ops().max(1) as f64;
        let peak = resources.max_rss_bytes.max(self.setup_rss);
        let grown = peak.saturating_sub(self.baseline_rss) + self.children_private;
        BTreeMap::from([
            ("requests_per_s".to_string(), per_s),
            (
                "echo_mb_per_s".to_string(),
                per_s * self.payload as f64 / 1e6,
            ),
            (
                "cpu_ns_per_request".to_string(),
                super::machine::cpu_ns(resources) as f64 / requests,
            ),
            (
                "rss_per_connection_bytes".to_string(),
                grown as f64 / self.connections as f64,
            ),
            ("client_threads".to_string(), self.clients.threads() as f64),
        ])
    }

    fn begin_measurement(&mut self) {
        self.clients.clear_latency();
    }

    fn latency(&self) -> Option<Latency> {
        self.clients.latency()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::CancelToken;

    fn context(variant: &'static str, model: Model, connections: u64) -> TrialContext {
        pinned_context(variant, model, connections, 0)
    }

    fn pinned_context(
        variant: &'static str,
        model: Model,
        connections: u64,
        pinned_cores: u64,
    ) -> TrialContext {
        let params = [
            ("connections", connections),
            ("payload", 100),
            ("pinned_cores", pinned_cores),
        ];
        TrialContext {
            variant,
            model,
            params: Params(params.iter().map(|(k, v)| (k.to_string(), *v)).collect()),
            cancel: CancelToken::default(),
            progress: Default::default(),
            worker_binary: crate::model::worker::worker_binary(),
            runtime: None,
        }
    }

    #[test]
    fn every_server_echoes_every_byte_and_verifies() {
        for (variant, model) in [
            (Server::ThreadPerConnection.name(), Model::Thread),
            (Server::Tokio.name(), Model::Async),
            (Server::Prefork.name(), Model::Process),
        ] {
            for connections in [1, 5] {
                let mut trial = ECHO
                    .build(&context(variant, model, connections))
                    .expect(variant);
                trial.begin_measurement();
                let sample = trial.run(3).expect("three rounds");
                assert_eq!(sample.ops, 3 * connections);
                trial.verify().expect(variant);
                let latency = trial.latency().expect("latencies were recorded");
                assert_eq!(latency.count, 3 * connections, "{variant}");
            }
        }
    }

    #[test]
    fn pinned_clients_stay_on_their_cpu_until_the_point_ends() {
        let cpus = crate::model::placement::allowed_cpus();
        let pinned = if cpus.len() >= 2 { 2 } else { 1 };
        for (variant, model) in [
            (Server::ThreadPerConnection.name(), Model::Thread),
            (Server::Tokio.name(), Model::Async),
            (Server::Prefork.name(), Model::Process),
        ] {
            let cpus = cpus.clone();
            std::thread::spawn(move || {
                let context = pinned_context(variant, model, 2, pinned);
                let mut trial = ECHO.build(&context).expect(variant);
                assert_eq!(crate::model::placement::allowed_cpus(), [cpus[0]]);
                trial.run(2).expect("two rounds");
                trial.verify().expect(variant);
                drop(trial);
                assert_eq!(crate::model::placement::allowed_cpus(), cpus, "unpinned");
            })
            .join()
            .expect(variant);
        }
    }

    #[test]
    fn a_missing_echo_fails_verification() {
        let context = context(Server::ThreadPerConnection.name(), Model::Thread, 2);
        let mut trial = EchoTrial::new(&context).expect("builds");
        trial.run(1).expect("a round");
        trial.verify().expect("all there");
        // Claim one more round than the clients did.
        trial.rounds += 1;
        let error = trial.verify().expect_err("a round is missing");
        assert!(error.to_string().contains("6 expected"), "{error}");
    }
}
