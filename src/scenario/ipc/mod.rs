//! The ipc family: a one-byte ping-pong (round-trip latency) and a stream of
//! messages (bandwidth) between two processes, over each of the classic
//! inter-process transports, and the same hand-off between two threads for
//! contrast. Every byte is checked on arrival.

mod end;
pub mod link;
mod mqueue;
mod pattern;
mod peer;
pub mod pingpong;
mod shm_ring;
mod stream;
#[cfg(test)]
mod tests;

use super::{Scenario, ScenarioInfo, Trial, TrialContext};
use crate::model::placement::{PINNED_CORES, Placement};
use crate::vocab::{Family, Model, ParamSpec, Params};
use link::{TRANSPORTS, Transport};

const MESSAGE_BYTES: ParamSpec = ParamSpec {
    name: "message_bytes",
    default: 4096,
    min: 1,
    max: 1 << 20,
    help: "bytes per message (1 B to 1 MiB)",
};

const ROUND_BYTES: ParamSpec = ParamSpec {
    name: "round_bytes",
    default: 1 << 20,
    min: 1,
    max: 1 << 30,
    help: "bytes streamed per round before the peer acknowledges (rounded up to whole messages)",
};

/// `ipc.pingpong`: round-trip latency of a one-byte message.
pub static PINGPONG: IpcScenario = IpcScenario {
    info: ScenarioInfo {
        id: "ipc.pingpong",
        family: Family::Ipc,
        summary: "one byte there and back between two processes (or threads): round-trip latency",
        unit: "round_trip",
        variants: TRANSPORTS,
        params: &[PINNED_CORES],
        throughput_vs: None,
    },
    streams: false,
};

/// `ipc.stream`: one-way bandwidth by message size.
pub static STREAM: IpcScenario = IpcScenario {
    info: ScenarioInfo {
        id: "ipc.stream",
        family: Family::Ipc,
        summary: "a stream of messages to a peer that checks every byte: bandwidth (mb_per_s)",
        unit: "message",
        variants: TRANSPORTS,
        params: &[MESSAGE_BYTES, ROUND_BYTES],
        throughput_vs: None,
    },
    streams: true,
};

/// The family's scenarios, in listing order.
pub fn scenarios() -> Vec<&'static dyn Scenario> {
    vec![&PINGPONG, &STREAM]
}

pub struct IpcScenario {
    info: ScenarioInfo,
    streams: bool,
}

/// Operations in one round of `ipc.pingpong`: its one round trip.
const PINGPONG_OPS_PER_ROUND: u64 = 1;

impl Scenario for IpcScenario {
    fn info(&self) -> &ScenarioInfo {
        &self.info
    }

    fn build(&self, context: &TrialContext) -> anyhow::Result<Box<dyn Trial>> {
        let transport = Transport::of(context.variant)?;
        let params = &context.params;
        if self.streams {
            let message_bytes = params.get("message_bytes")? as usize;
            let round_bytes = params.get("round_bytes")?;
            let trial = stream::Stream::build(context, transport, message_bytes, round_bytes)?;
            Ok(Box::new(trial))
        } else {
            let placement =
                Placement::new(params.get("pinned_cores")?).map_err(anyhow::Error::msg)?;
            let trial =
                pingpong::PingPong::build(context, transport, placement, PINGPONG_OPS_PER_ROUND)?;
            Ok(Box::new(trial))
        }
    }

    /// A ping-pong round is one round trip; a stream's messages per round
    /// are the trial's own rounding of `round_bytes`.
    fn ops_per_round(&self, _params: &Params) -> anyhow::Result<Option<u64>> {
        Ok((!self.streams).then_some(PINGPONG_OPS_PER_ROUND))
    }

    fn check_limits(&self, _model: Model, params: &Params) -> Result<(), String> {
        if let Some(&pinned) = params.0.get("pinned_cores") {
            Placement::new(pinned)?;
        }
        Ok(())
    }

    /// Points of the mqueue variant are skipped, with the reason, where the
    /// system has no POSIX message queues.
    fn check_variant_limits(
        &self,
        variant: &str,
        model: Model,
        params: &Params,
    ) -> Result<(), String> {
        if matches!(Transport::of(variant), Ok(Transport::Mqueue)) {
            let largest = params.0.get("message_bytes").copied().unwrap_or(1);
            mqueue::check_available(largest as usize)?;
        }
        self.check_limits(model, params)
    }
}
