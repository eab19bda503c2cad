//! The harness's own checks: scenarios that fail on purpose (panic, hang,
//! miscount) so that tests can prove every failure is recorded and the run
//! goes on. They measure nothing and are left out of the shipped suites.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure};

use super::{Scenario, ScenarioInfo, Trial, TrialContext};
use crate::vocab::{Family, ParamSpec, Sample};

crate::variant_table! {
    /// `selftest.fault`'s variants: how the loop fails.
    enum Fault in FAULTS {
        Ok = "ok", [Serial], "bumps a counter; verifies";
        Panic = "panic", [Serial], "panics inside the timed loop";
        Hang = "hang", [Serial], "never returns until the watchdog cancels it";
        Miscount = "miscount", [Serial], "skips an operation, so verification fails";
    }
}

/// `selftest.fault`: a counter loop that fails the way its variant says.
pub static FAULT: FaultScenario = FaultScenario;

static FAULT_INFO: ScenarioInfo = ScenarioInfo {
    id: "selftest.fault",
    family: Family::Selftest,
    summary: "harness check: a loop that succeeds, panics, hangs or miscounts on purpose",
    unit: "op",
    variants: FAULTS,
    params: &[ParamSpec {
        name: "ops",
        default: 1000,
        min: 1,
        max: 1_000_000_000,
        help: "counter increments per round",
    }],
    throughput_vs: None,
};

pub struct FaultScenario;

impl Scenario for FaultScenario {
    fn info(&self) -> &ScenarioInfo {
        &FAULT_INFO
    }

    fn build(&self, context: &TrialContext) -> anyhow::Result<Box<dyn Trial>> {
        Ok(Box::new(FaultTrial {
            fault: Fault::of(context.variant)?,
            context: context.clone(),
            ops: context.params.get("ops")?,
            counter: AtomicU64::new(0),
            expected: 0,
        }))
    }
}

struct FaultTrial {
    fault: Fault,
    context: TrialContext,
    ops: u64,
    counter: AtomicU64,
    expected: u64,
}

impl Trial for FaultTrial {
    fn run(&mut self, rounds: u64) -> anyhow::Result<Sample> {
        let started = Instant::now();
        let skip = match self.fault {
            Fault::Panic => panic!("selftest.fault/{} panics on purpose", Fault::Panic.name()),
            Fault::Hang => {
                while !self.context.cancel.is_cancelled() {
                    std::thread::sleep(Duration::from_millis(5));
                }
                bail!("cancelled by the watchdog");
            }
            Fault::Ok => 0,
            Fault::Miscount => 1,
        };
        for _ in 0..(rounds * self.ops - skip) {
            self.counter.fetch_add(1, Ordering::Relaxed);
        }
        self.expected += rounds * self.ops;
        Ok(Sample {
            ops: rounds * self.ops,
            ns: started.elapsed().as_nanos() as u64,
        })
    }

    fn verify(&mut self) -> anyhow::Result<()> {
        let counted = self.counter.load(Ordering::Relaxed);
        ensure!(
            counted == self.expected,
            "counter is {counted}, expected {}",
            self.expected
        );
        Ok(())
    }
}
