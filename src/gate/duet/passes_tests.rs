//! The controller driven whole against simulated blocks on a simulated
//! clock: several suspects, the budget's passes, Benjamini-Hochberg, and
//! the rate of false verdicts near the threshold.

use std::collections::BTreeMap;
use std::time::Duration;

use super::*;
use crate::gate::duet::block::BlockEnd;
use crate::gate::duet::block::SideBlock;
use crate::gate::thresholds::Thresholds;
use crate::gate::verdict::Verdict;
use crate::plan::Point;
use crate::plan::Settings;
use crate::vocab::{Model, Params};

/// Each block takes this long on the simulated clock.
const BLOCK: Duration = Duration::from_millis(50);

/// What a simulated point's blocks say: block i of the point gives
/// `script(i)` as its log ratio.
type Script = Box<dyn Fn(usize) -> f64>;

struct Simulated {
    scripts: BTreeMap<String, Script>,
    blocks_of: BTreeMap<String, usize>,
    now: Duration,
}

impl Simulated {
    fn new(scripts: Vec<(Point, Script)>) -> (Simulated, Vec<Point>) {
        let points = scripts.iter().map(|(p, _)| p.clone()).collect();
        let scripts = scripts.into_iter().map(|(p, s)| (p.id(), s)).collect();
        let sim = Simulated {
            scripts,
            blocks_of: BTreeMap::new(),
            now: Duration::ZERO,
        };
        (sim, points)
    }
}

impl Blocks for Simulated {
    fn block(&mut self, point: &Point, _: &DuetRequest, _: &mut fastrand::Rng) -> BlockEnd {
        let id = point.id();
        let index = self.blocks_of.entry(id.clone()).or_default();
        let log_ratio = self.scripts[&id](*index);
        *index += 1;
        self.now += BLOCK;
        BlockEnd::Done {
            log_ratio,
            pairs: 4,
            set_aside: 0,
            sides: Box::new([SideBlock::default(), SideBlock::default()]),
        }
    }

    fn elapsed(&self) -> Duration {
        self.now
    }

    fn drawn(&self) -> Option<crate::gate::duet::sides::BlockDraw> {
        None
    }
}

/// A point of its own id (`work=n` tells them apart).
fn point(n: u64) -> Point {
    Point {
        scenario: crate::scenario::registry::find("cpu.split").expect("registered"),
        variant: "serial",
        model: Model::Serial,
        params: Params([("work".to_string(), n)].into()),
        settings: Settings::default(),
        expect: None,
        runtime: None,
    }
}

fn request(points: Vec<Point>, budget: Duration, seed: u64) -> DuetRequest {
    DuetRequest {
        base_bin: "base".into(),
        new_bin: "new".into(),
        points,
        thresholds: Thresholds {
            default: 0.05,
            ..Thresholds::default()
        },
        budget,
        new_slowdown_pct: 0,
        seed,
        shape: crate::gate::interleaved::SHAPE,
        most_confirmation_blocks: CONFIRMATION_MOST,
        extend_confirmations: true,
        progress: false,
        copies: 1,
    }
}

/// ln(1.05) + the i-th of 48 magnitudes 0.001..0.048, a third of them (and
/// one more) negative: alone, "no more than 5% slower" is rejected at
/// p = 0.042; as the third smallest p-value of four suspects,
/// Benjamini-Hochberg needs 3/4 of 5%, 0.0375.
fn just_beyond(i: usize) -> f64 {
    let i = i % 48;
    let magnitude = 0.001 * (i + 1) as f64;
    let sign = if i % 3 == 2 || i == 10 { -1.0 } else { 1.0 };
    1.05f64.ln() + sign * magnitude
}

/// Six screening blocks of +12% (a suspect), then `confirmation`.
fn suspect_then(confirmation: fn(usize) -> f64) -> Script {
    Box::new(move |i| {
        if i < 6 {
            1.12f64.ln()
        } else {
            confirmation(i - 6)
        }
    })
}

/// A small wobble around `centre`, the same every run.
fn around(centre: f64) -> Script {
    Box::new(move |i| centre + 0.003 * ((i * 7 % 11) as f64 - 5.0) / 5.0)
}

#[test]
fn several_suspects_go_through_confirmation_and_benjamini_hochberg() {
    let (mut sim, points) = Simulated::new(vec![
        (
            point(1),
            suspect_then(|i| 1.15f64.ln() + 0.001 * (i % 5) as f64),
        ),
        (point(2), suspect_then(just_beyond)),
        (
            point(3),
            suspect_then(|i| 1.03f64.ln() + 0.001 * (i % 5) as f64),
        ),
        (point(4), around(0.0)),
        (point(5), around(-0.2)),
    ]);
    let mut request = request(points, Duration::from_secs(1000), 1);
    // Point 2's blocks are calibrated for 48 confirmation blocks.
    request.most_confirmation_blocks = 48;
    request.extend_confirmations = false;
    // Point 2 alone would be a regression.
    let (alone, _) = paired::beyond_threshold(&(0..48).map(just_beyond).collect::<Vec<_>>(), 0.05);
    assert!(alone < 0.05 && alone > 0.0375, "{alone}");
    let (records, verdicts) = measure_and_judge(&mut sim, &request);
    let verdict: Vec<Verdict> = verdicts.iter().map(|v| v.verdict).collect();
    assert_eq!(
        verdict,
        [
            Verdict::Regressed,
            Verdict::Uncertain,
            Verdict::Unchanged,
            Verdict::Unchanged,
            Verdict::Improved
        ]
    );
    // Every suspect was confirmed in fresh blocks, as many as allowed.
    for i in [0, 1, 2, 4] {
        assert_eq!(records[i].screening.len(), 6, "point {}", i + 1);
        assert_eq!(records[i].confirmation.len(), 48, "point {}", i + 1);
    }
    // Point 2: significant alone, not after the suite's control (its
    // p-value carries the screened direction's weight, 0.9); point 3:
    // screened slower, but its fresh blocks put it inside the band.
    let note = |i: usize| verdicts[i].note.clone().unwrap_or_default();
    assert!(
        note(1).contains("did not show it slower (nor faster) beyond the 5.0%"),
        "{}",
        note(1)
    );
    assert!(
        verdicts[1]
            .p_value
            .is_some_and(|p| (p - alone / 0.9).abs() < 1e-12)
    );
    assert!(note(2).contains("inside the 5.0% band"), "{}", note(2));
    // The ratio shown is the confirmation's.
    let shown = verdicts[0].ratio.expect("a ratio");
    assert!((shown - 1.15).abs() < 0.01, "{shown}");
}

#[test]
fn the_second_pass_spends_what_the_confirmations_do_not_need() {
    // Three points that never settle (their blocks spread ±100% around no
    // change) and one suspect: the budget is 30 s of 50 ms blocks.
    let noisy = |i: usize| (fastrand::Rng::with_seed(i as u64).f64() - 0.5) * 2.0;
    let (mut sim, points) = Simulated::new(vec![
        (point(1), Box::new(noisy)),
        (point(2), suspect_then(|_| 1.2f64.ln())),
        (point(3), Box::new(noisy)),
        (point(4), Box::new(noisy)),
    ]);
    let budget = Duration::from_secs(30);
    let request = request(points, budget, 2);
    let (records, verdicts) = measure_and_judge(&mut sim, &request);
    // Pass 1 gave each point a quarter of 15 s (75 blocks); pass 2 gave the
    // undecided ones most of the rest.
    for i in [0, 2, 3] {
        let r = &records[i];
        assert!(
            r.screening.len() > 75,
            "{} {:?} {:?}",
            r.screening.len(),
            r.screen(),
            paired::analyse(&r.screening)
        );
        assert_eq!(verdicts[i].verdict, Verdict::Uncertain);
    }
    // The reserve kept the suspect's confirmation its 16 blocks at least.
    assert!(
        records[1].confirmation.len() >= 16,
        "{}",
        records[1].confirmation.len()
    );
    assert_eq!(verdicts[1].verdict, Verdict::Regressed);
    // Within the budget, give or take the block that crossed it.
    assert!(sim.elapsed() <= budget + BLOCK * 4, "{:?}", sim.elapsed());
}

#[test]
fn what_the_confirmations_leave_goes_to_the_points_still_undecided() {
    // A suspect that takes long to show itself (so its reserve counts on
    // 48 confirmation blocks, a fifth more), and a point that never
    // settles: the budget must not go unspent while a point is undecided.
    let noisy = |i: usize| (fastrand::Rng::with_seed(i as u64).f64() - 0.5) * 2.0;
    let late = move |i: usize| if i < 60 { noisy(i) } else { 0.3 };
    let (mut sim, points) = Simulated::new(vec![
        (point(1), Box::new(late)),
        (point(2), Box::new(noisy)),
    ]);
    let budget = Duration::from_secs(20);
    let request = request(points, budget, 3);
    let (records, verdicts) = measure_and_judge(&mut sim, &request);
    assert!(
        records[0].screening.len() > 48,
        "{} {:?} {:?} {:?}",
        records[0].screening.len(),
        records[0].screen(),
        records[0].ended.is_some(),
        paired::analyse(&records[0].screening)
    );
    assert!(records[0].confirmation.len() >= 48);
    assert_eq!(verdicts[0].verdict, Verdict::Regressed);
    assert_eq!(verdicts[1].verdict, Verdict::Uncertain);
    assert!(sim.elapsed() >= budget - BLOCK, "{:?}", sim.elapsed());
    assert!(sim.elapsed() <= budget + BLOCK * 4, "{:?}", sim.elapsed());
}

/// Over `trials` single-point gates of 4 s, blocks spread 3% (normal noise
/// on the log ratio) around a true slowdown `true_ratio`, threshold 5%: how
/// often the gate says regressed, and how often the old rule would have
/// (significantly slower than no change, with the estimate beyond 5%), on
/// the same blocks.
fn regressed_rate(true_ratio: f64, trials: usize) -> (usize, usize) {
    let (mut regressed, mut old_rule) = (0, 0);
    for trial in 0..trials {
        let mut rng = fastrand::Rng::with_seed(trial as u64);
        let noise: Vec<f64> = (0..200).map(|_| normal(&mut rng) * 0.03).collect();
        let true_log = true_ratio.ln();
        let (mut sim, points) = Simulated::new(vec![(
            point(1),
            Box::new(move |i| true_log + noise[i % noise.len()]),
        )]);
        let request = request(points, Duration::from_secs(4), trial as u64);
        let (records, verdicts) = measure_and_judge(&mut sim, &request);
        regressed += usize::from(verdicts[0].verdict == Verdict::Regressed);
        let confirmation = paired::analyse(&records[0].confirmation);
        old_rule += usize::from(
            records[0].suspect()
                && confirmation.blocks > 0
                && confirmation.p_slower < 0.05
                && confirmation.ratio >= 1.05,
        );
    }
    (regressed, old_rule)
}

#[test]
fn a_true_slowdown_of_nine_tenths_the_threshold_is_rarely_called_regressed() {
    let trials = 200;
    let (regressed, old_rule) = regressed_rate(1.045, trials);
    eprintln!(
        "a true 0.9 t slowdown called regressed: {regressed} of {trials} (the old rule: {old_rule})"
    );
    assert!(regressed * 20 <= trials, "{regressed} of {trials}");
    assert!(old_rule > regressed, "the old rule erred more: {old_rule}");
}

#[test]
fn a_true_slowdown_of_twice_the_threshold_is_found() {
    let trials = 100;
    let (regressed, old_rule) = regressed_rate(1.10, trials);
    eprintln!(
        "a true 2 t slowdown called regressed: {regressed} of {trials} (the old rule: {old_rule})"
    );
    assert!(regressed * 10 >= trials * 8, "{regressed} of {trials}");
}

/// A standard normal draw (Box-Muller).
fn normal(rng: &mut fastrand::Rng) -> f64 {
    let (u, v) = (rng.f64().max(1e-12), rng.f64());
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

#[test]
fn once_nothing_is_undecided_the_confirmations_spend_what_is_left() {
    // Two suspects, one clear and one slow to show itself (blocks spread
    // ±100% around +10%), a point that settles unchanged, and a budget far
    // beyond what the passes need: the confirmations go on past their most
    // blocks until the budget is spent, and the slow one is then found.
    fn spread(i: usize) -> f64 {
        (fastrand::Rng::with_seed(i as u64).f64() - 0.5) * 2.0
    }
    let (mut sim, points) = Simulated::new(vec![
        (
            point(1),
            suspect_then(|i| 1.2f64.ln() + 0.001 * (i % 5) as f64),
        ),
        (point(2), suspect_then(|i| 1.1f64.ln() + spread(i))),
        (point(3), around(0.0)),
    ]);
    let budget = Duration::from_secs(120);
    let mut request = request(points, budget, 4);
    let (records, verdicts) = measure_and_judge(&mut sim, &request);
    assert!(sim.elapsed() >= budget - BLOCK, "{:?}", sim.elapsed());
    assert!(sim.elapsed() <= budget + BLOCK * 4, "{:?}", sim.elapsed());
    for i in [0, 1] {
        let n = records[i].confirmation.len();
        assert!(n > 2 * CONFIRMATION_MOST, "point {}: {n} blocks", i + 1);
    }
    assert_eq!(verdicts[1].verdict, Verdict::Regressed);
    assert_eq!(verdicts[2].verdict, Verdict::Unchanged);

    // Without the extension, the same blocks stop at the most blocks and
    // leave the slow suspect uncertain, with most of the budget unspent.
    let (mut sim, points) = Simulated::new(vec![
        (
            point(1),
            suspect_then(|i| 1.2f64.ln() + 0.001 * (i % 5) as f64),
        ),
        (point(2), suspect_then(|i| 1.1f64.ln() + spread(i))),
        (point(3), around(0.0)),
    ]);
    request.points = points;
    request.extend_confirmations = false;
    let (records, verdicts) = measure_and_judge(&mut sim, &request);
    assert_eq!(records[1].confirmation.len(), CONFIRMATION_MOST);
    assert_eq!(verdicts[1].verdict, Verdict::Uncertain);
    assert!(sim.elapsed() < budget / 2, "{:?}", sim.elapsed());
}
