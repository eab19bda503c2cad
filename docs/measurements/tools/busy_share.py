#!/usr/bin/env python3
"""Which points' medians move with how busy the machine was, over runs.

    python3 docs/measurements/tools/busy_share.py RUN1/results.json RUN2/results.json ...

For each run, the busy share: of its drift probes that timed the wide work
(`harness.drift[].wide_ns_per_step`), those at 1.2x the run's fastest
reading or slower (until 2026-12-07's evening, its median: the same in the
eleven runs it was first used on). For each point present and ok in every run, Spearman's rank
correlation between the runs' busy shares and the point's median ns per
operation (`summary.ns_per_op.median`). Prints the shares, how many points
correlate above 0.6 (and below -0.6), the same count with the shares
shuffled among the runs (200 seeded shuffles: median and 95th percentile),
those points by scenario, and their busy (share >= 25%) over quiet
(share <= 5%) median ratio. Medians of separate runs: not paired in time.
"""
import collections
import json
import random
import statistics
import sys


def busy_share(run):
    wide = [p["wide_ns_per_step"] for p in run["harness"]["drift"] if p.get("wide_ns_per_step")]
    fastest = min(wide)
    return sum(1 for w in wide if w >= 1.2 * fastest) / len(wide)


def medians(run):
    return {
        p["id"]: p["summary"]["ns_per_op"]["median"]
        for p in run["results"]
        if p["status"] == "ok" and p.get("summary")
    }


def ranks(values):
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0] * len(values)
    for rank, i in enumerate(order):
        out[i] = rank
    return out


def spearman(a, b):
    ra, rb, n = ranks(a), ranks(b), len(a)
    return 1 - 6 * sum((x - y) ** 2 for x, y in zip(ra, rb)) / (n * (n * n - 1))


def main(paths):
    runs = [json.load(open(p)) for p in paths]
    shares = [busy_share(r) for r in runs]
    per_run = [medians(r) for r in runs]
    points = [p for p in per_run[0] if all(p in m for m in per_run)]
    series = {p: [m[p] for m in per_run] for p in points}
    rho = {p: spearman(shares, v) for p, v in series.items()}
    print("busy share per run:", " ".join(f"{100 * s:.0f}%" for s in shares))
    high = [p for p in points if rho[p] > 0.6]
    low = sum(1 for p in points if rho[p] < -0.6)
    print(f"points: {len(points)}; rho > 0.6: {len(high)}; rho < -0.6: {low}")
    rng = random.Random(1)
    counts = []
    for _ in range(200):
        shuffled = shares[:]
        rng.shuffle(shuffled)
        counts.append(sum(1 for v in series.values() if spearman(shuffled, v) > 0.6))
    counts.sort()
    print(f"shuffled shares, rho > 0.6: median {statistics.median(counts)}, 95th percentile {counts[189]}")
    by = collections.Counter(p.split("/")[0] for p in high)
    of = collections.Counter(p.split("/")[0] for p in points)
    print("by scenario:", ", ".join(f"{s} {by[s]} of {of[s]}" for s in sorted(of, key=lambda s: -by[s]) if by[s]))
    quiet = [i for i, s in enumerate(shares) if s <= 0.05]
    busy = [i for i, s in enumerate(shares) if s >= 0.25]
    if quiet and busy and high:
        ratios = sorted(
            statistics.median([series[p][i] for i in busy]) / statistics.median([series[p][i] for i in quiet])
            for p in high
        )
        n = len(ratios)
        print(f"busy over quiet median, those points: 10th pct {ratios[n // 10]:.2f}, median {statistics.median(ratios):.2f}, 90th pct {ratios[9 * n // 10]:.2f}")


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit("usage: busy_share.py RUN1/results.json RUN2/results.json RUN3/results.json ...")
    main(sys.argv[1:])
