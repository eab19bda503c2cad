//! The experiment's tables: found steps and false changes per noise band
//! and kind of history, the worst points, and where missed steps went.

use std::collections::BTreeMap;

use super::{BANDS, Kind, Outcome, Point, SIZES, band};

/// Counts per (band, kind): histories, found, changes elsewhere.
type Tally = BTreeMap<(usize, Kind), (usize, usize, usize)>;

fn tally(outcomes: &[Outcome], band_filter: impl Fn(usize) -> bool) -> Tally {
    let mut t = Tally::new();
    for o in outcomes.iter().filter(|o| band_filter(o.band)) {
        let e = t.entry((o.band, o.kind)).or_default();
        e.0 += 1;
        e.1 += usize::from(o.found);
        e.2 += o.elsewhere;
    }
    t
}

/// The counts per band and kind, then for all bands together.
pub fn print_table(outcomes: &[Outcome], points: &[Point]) {
    println!("| band (points) | kind | step | histories | found ±1 | share | changes elsewhere |");
    println!("|---|---|---|---|---|---|---|");
    let t = tally(outcomes, |_| true);
    let mut all: Tally = BTreeMap::new();
    for (&(_, kind), &c) in &t {
        let e = all.entry((usize::MAX, kind)).or_default();
        (e.0, e.1, e.2) = (e.0 + c.0, e.1 + c.1, e.2 + c.2);
    }
    for (&(b, kind), &(n, found, elsewhere)) in t.iter().chain(all.iter()) {
        let in_band = points
            .iter()
            .filter(|p| b == usize::MAX || band(p.spread) == b)
            .count();
        let name = if b == usize::MAX { "all" } else { BANDS[b] };
        let (what, step) = match kind {
            Kind::Inside(s) => ("inside", format!("{:.0}%", SIZES[s] * 100.0)),
            Kind::Newest(s) => ("newest alone", format!("{:.0}%", SIZES[s] * 100.0)),
            Kind::Recent(s) => ("newest 2-6", format!("{:.0}%", SIZES[s] * 100.0)),
            Kind::Untouched => ("untouched", "-".to_string()),
            Kind::UnseenNewest => ("untouched, unseen newest run", "-".to_string()),
        };
        let share = if matches!(kind, Kind::Inside(_) | Kind::Newest(_) | Kind::Recent(_)) {
            format!("{:.1}%", 100.0 * found as f64 / n as f64)
        } else {
            format!("{:.2} per 100", 100.0 * elsewhere as f64 / n as f64)
        };
        println!(
            "| {name} ({in_band}) | {what} | {step} | {n} | {found} | {share} | {elsewhere} |"
        );
    }
}

/// What a listing counts of a history, if it counts it at all.
type Count = dyn Fn(&Outcome) -> Option<usize>;

/// The points that cried wolf on untouched histories, and those that
/// missed steps of 10 or 20% inside, the most first.
pub fn print_worst(outcomes: &[Outcome], points: &[Point]) {
    let wolf =
        |o: &Outcome| matches!(o.kind, Kind::Untouched | Kind::UnseenNewest).then_some(o.elsewhere);
    let missed = |o: &Outcome| {
        (o.band <= 1 && matches!(o.kind, Kind::Inside(1 | 2))).then_some(usize::from(!o.found))
    };
    let counts: [(&str, &Count); 2] = [
        ("false changes", &wolf),
        ("missed steps of 10 or 20% inside, spread under 5%", &missed),
    ];
    for (what, count) in counts {
        let mut per_point: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
        for o in outcomes {
            if let Some(c) = count(o) {
                let e = per_point.entry(o.point).or_default();
                (e.0, e.1) = (e.0 + c, e.1 + 1);
            }
        }
        let mut worst: Vec<_> = per_point.into_iter().filter(|p| p.1.0 > 0).collect();
        worst.sort_by_key(|p| std::cmp::Reverse(p.1.0));
        println!("{what}, the worst points:");
        for (p, (count, of)) in worst.iter().take(8) {
            let point = &points[*p];
            println!(
                "  {count} of {of}: {} (spread {:.1}%)",
                point.id,
                point.spread * 100.0
            );
        }
    }
}

/// Where the nearest change lay, for the steps inside of 10 and 20%.
pub fn print_distances(outcomes: &[Outcome]) {
    for size in [1, 2] {
        let mut buckets = [0usize; 5];
        for o in outcomes
            .iter()
            .filter(|o| o.band <= 1 && o.kind == Kind::Inside(size))
        {
            buckets[match o.nearest {
                Some(0..=1) => 0,
                Some(2..=3) => 1,
                Some(4..=10) => 2,
                Some(_) => 3,
                None => 4,
            }] += 1;
        }
        println!(
            "  spread < 5%, inside {:.0}%: nearest change 0-1, 2-3, 4-10, farther, none: {buckets:?}",
            SIZES[size] * 100.0
        );
    }
}
