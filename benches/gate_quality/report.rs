//! What the gate_quality bench prints after its comparisons: each point's
//! verdicts, and the budget a 10% slowdown would need at 90% power.

use super::Tally;

/// The time a point needs to see `slowdown_pct` at 90% power, from the
/// spread of its blocks (A/A when there are any) and their length: blocks
/// for a one-sided 5% signed-rank test, ((1.645 + 1.282) sd / ln(1 + s))^2
/// / 0.955, screened (6 at least) and then confirmed afresh (16 at least).
/// Summed over the points, a floor on the budget the power target needs.
pub fn print_power_floor(tally: &Tally, slowdown_pct: f64, budget_s: f64) {
    let effect = (1.0 + slowdown_pct / 100.0).ln();
    let mut needs: Vec<(f64, f64, f64, &String)> = Vec::new();
    for (id, ratios) in &tally.log_ratios {
        let (blocks, spent) = tally.time[id];
        if ratios.len() < 2 || blocks == 0 {
            continue;
        }
        let mean = ratios.iter().sum::<f64>() / ratios.len() as f64;
        let var =
            ratios.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (ratios.len() - 1) as f64;
        let sd = var.sqrt();
        let block_s = spent / blocks as f64;
        let n = (((1.645 + 1.282) * sd / effect).powi(2) / 0.955).ceil();
        let seconds = (n.max(6.0) + n.max(16.0)) * block_s;
        needs.push((seconds, sd, block_s, id));
    }
    needs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let floor = |share: f64| -> f64 {
        let keep = (needs.len() as f64 * share).ceil() as usize;
        let powered: f64 = needs[..keep.min(needs.len())].iter().map(|n| n.0).sum();
        let rest: f64 = needs[keep.min(needs.len())..]
            .iter()
            .map(|n| 6.0 * n.2)
            .sum();
        powered + rest
    };
    println!(
        "\nPower floor for a {slowdown_pct}% slowdown at 90% power per point (from {} points' block spread):",
        needs.len()
    );
    println!(
        "  all points: {:.0} s; the cheapest 90%: {:.0} s; the cheapest half: {:.0} s; budget {budget_s:.0} s",
        floor(1.0),
        floor(0.9),
        floor(0.5)
    );
    println!("  the points that need the most:");
    for (seconds, sd, block_s, id) in needs.iter().rev().take(15) {
        println!("  {seconds:>8.0} s  block sd {sd:.3}, {block_s:.2} s/block  {id}");
    }
}

pub fn print_points(aa: &Tally, slowed: &Tally, aa_done: usize, slowed_done: usize) {
    println!(
        "\n{:<78} {:>9} {:>9} {:>9} {:>9} {:>14}",
        "point", "A/A flag", "A/A unch", "S regr", "S uncert", "S more rounds"
    );
    let ids: std::collections::BTreeSet<&String> =
        aa.counts.keys().chain(slowed.counts.keys()).collect();
    for id in ids {
        let more = slowed.more.get(id).map_or(String::new(), |m| {
            let mut m = m.clone();
            m.sort_unstable();
            format!("~{}", m[m.len() / 2])
        });
        println!(
            "{id:<78} {:>5}/{aa_done:<3} {:>5}/{aa_done:<3} {:>5}/{slowed_done:<3} {:>5}/{slowed_done:<3} {more:>14}",
            aa.count(id, "regressed") + aa.count(id, "improved"),
            aa.count(id, "unchanged"),
            slowed.count(id, "regressed"),
            slowed.count(id, "uncertain"),
        );
    }
}
