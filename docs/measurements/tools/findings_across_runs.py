#!/usr/bin/env python3
"""How far several runs' summaries agree: the measurement behind issue 25's
"five quick runs in a row" target.

    python3 docs/measurements/tools/findings_across_runs.py RUN1/summary.md RUN2/summary.md ...

Reads each summary.md (`concbench run` or `concbench report` writes it) and
prints:
- pairwise findings ("A is Nx faster per ... than B", "A takes Nx as long
  per ... as B"; the answers aside) stated per run, the pairs of runs that
  state one the other way round, and the share of run 1's findings stated
  the same way in each later run, with why the others were not;
- the answers: which variant each names, and whether any two runs named
  different ones;
- cpu.split at k = 2 (64 chunks): each model's parallel efficiency (its
  speed-up over serial, halved), whether each run's 95% interval holds the
  runs' median, and whether the run is within 0.05 of it.
"""
import collections
import itertools
import re
import statistics
import sys

PAIR = re.compile(r"^- (?P<ctx>[^:]+): (?P<a>\S+) (?P<verb>is [\d.]+x faster|takes [\d.]+x as long) .*? (?:than|as) (?P<b>\S+) \(")
NOTES = [
    (re.compile(r"^- (?P<ctx>[^:]+): (?P<a>\S+) and (?P<b>\S+) are within noise"), "within noise"),
    (re.compile(r"^- (?P<ctx>[^:]+): (?P<a>\S+) and (?P<b>\S+) are within 10%"), "within 10%"),
    (re.compile(r"^- (?P<ctx>[^:]+): (?P<a>\S+) against (?P<b>\S+) depends on where"), "depends on placement"),
    (re.compile(r"^- (?P<ctx>[^:]+): (?P<a>\S+) ran with its parties .*?, (?P<b>\S+) .*not like with like"), "unlike placements"),
    (re.compile(r"^- (?P<ctx>[^:]+): (?P<a>\S+) against (?P<b>\S+): no verdict"), "no verdict"),
    (re.compile(r"^- (?P<ctx>[^:]+): (?P<a>\S+) against (?P<b>\S+): earlier runs of this machine disagree"), "earlier runs disagree"),
]
# A verdict per placement ("By placement: on one CPU, a takes 1.24x as long
# as b (...); spread over CPUs, ..."), and the placement a stated finding
# was had in when both sides ran in the same one.
BY_PLACEMENT = re.compile(r"(?:By placement: |\); )(?P<cls>on one CPU|spread over CPUs), (?P<a>\S+) (?P<verb>is [\d.]+x faster than|takes [\d.]+x as long as) (?P<b>\S+) \(")
QUALIFIER = re.compile(r"placement: (on one CPU|spread over CPUs) against \1[;,)]")
HELD_IN = re.compile(r"the same way in every placement either observed \(([^)]*)\)")
SPLIT = re.compile(r"^- cpu\.split \(chunks=64,points=100000\): (\S+) at k=2 .*?(?:runs ([\d.]+)x as fast|beyond noise \(([\d.]+)x).*?95% interval ([\d.]+)–([\d.]+)")


def section(text, title):
    return text.split(f"## {title}", 1)[1].split("\n## ", 1)[0]


def key(m):
    return (m["ctx"], *sorted((m["a"], m["b"])))


def findings(text):
    """{(context, name, name): (whether the first name is the faster, line,
    the placement both sides ran in or None)}, {key: why not stated},
    {key: {placement: whether the first name is the faster}} (the verdicts
    per placement of a finding that states no one ratio)."""
    stated, notes, per_class = {}, {}, {}
    for line in section(text, "Findings").splitlines():
        m = PAIR.match(line)
        if m:
            faster = m["verb"].startswith("is")
            stated[key(m)] = (faster if m["a"] == key(m)[1] else not faster, line, held_in(line))
            continue
        for pattern, why in NOTES:
            m = pattern.match(line)
            if m:
                notes[key(m)] = why
                for v in BY_PLACEMENT.finditer(line):
                    faster = v["verb"].startswith("is")
                    first = key(m)[1]
                    per_class.setdefault(key(m), {})[v["cls"]] = faster if v["a"] == first else not faster
                break
    return stated, notes, per_class


def held_in(line):
    """The placements a stated finding holds in, as a tuple: those it lists
    ("the same way in every placement either observed (on one CPU and
    spread over CPUs)"), or the one both sides ran in ("placement: on one
    CPU against on one CPU"); None when it names none."""
    h = HELD_IN.search(line)
    if h:
        return tuple(c for c in ("on one CPU", "spread over CPUs") if c in h[1]) or None
    q = QUALIFIER.search(line)
    return (q[1],) if q else None


def restates(later, k, d, classes):
    """Whether a later run states finding k the same way: as a finding, or
    (run 1's named the placements it held in) in its verdict for each of
    those placements."""
    stated, _, per_class = later
    by = per_class.get(k, {})
    return (k in stated and stated[k][0] == d) or (classes is not None and all(by.get(c) == d for c in classes))


def claims(run):
    """{(key, placement or None): direction} of a run's findings and verdicts per placement."""
    stated, _, per_class = run
    out = {(k, cls): d for k, (d, _, classes) in stated.items() for cls in (classes or (None,))}
    out.update({(k, cls): d for k, by in per_class.items() for cls, d in by.items()})
    return out


def report_findings(runs):
    print("pairwise findings stated per run:", [len(r[0]) for r in runs])
    print("  and verdicts per placement:", [sum(len(v) for v in r[2].values()) for r in runs])
    reversals = [
        (i + 1, j + 1, k)
        for (i, ri), (j, rj) in itertools.combinations(enumerate(runs), 2)
        for k, (d, _, _) in ri[0].items()
        if k in rj[0] and rj[0][k][0] != d
    ] + [
        (i + 1, j + 1, kc)
        for (i, ri), (j, rj) in itertools.combinations(enumerate(runs), 2)
        for kc, d in claims(ri).items()
        if kc[1] is not None and kc in claims(rj) and claims(rj)[kc] != d
        and not (kc[0] in ri[0] and kc[0] in rj[0])
    ]
    print("pairs of runs stating a finding the other way round:", len(reversals))
    for i, j, k in reversals:
        print(f"  runs {i} and {j}: {k}")
    first = runs[0][0]
    same, why, missed = 0, collections.Counter(), collections.Counter()
    for k, (d, _, cls) in first.items():
        for later in runs[1:]:
            if restates(later, k, d, cls):
                same += 1
            elif k not in later[0]:
                why[later[1].get(k, "absent")] += 1
                missed[k] += 1
    total = len(first) * (len(runs) - 1)
    print(f"run 1's findings stated the same way in each later run: {same} of {total} ({100 * same / max(total, 1):.0f}%)")
    each = [sum(1 for k, (d, _, cls) in first.items() if restates(later, k, d, cls)) for later in runs[1:]]
    print("  per later run:", ", ".join(f"{n} of {len(first)} ({100 * n / max(len(first), 1):.0f}%)" for n in each))
    print("  why not:", dict(why))
    for k, n in missed.most_common():
        print(f"  {n}x {k}")


def report_answers(texts):
    named = collections.defaultdict(list)
    for text in texts:
        for line in section(text, "Answers").splitlines():
            m = re.match(r"\d+\. \*\*(.+?)\*\* (.*)", line)
            if not m:
                continue
            lead = m[2].split(" is fastest")[0]
            winner = re.search(r"(\S+)$", lead) if " is fastest" in m[2] and "not clearly apart" not in lead else None
            named[m[1]].append(winner[1] if winner else "none")
    agree = sum(len({w for w in ws if w != "none"}) <= 1 for ws in named.values())
    print(f"answers naming one winner or none in every run: {agree} of {len(named)}")
    for question, ws in named.items():
        print(f"  {question[:60]}: {ws}")


def report_split(texts):
    by_model = collections.defaultdict(list)
    for text in texts:
        for line in text.splitlines():
            m = SPLIT.match(line)
            if m:
                speedup = float(m[2] or m[3])
                by_model[m[1]].append((speedup / 2, float(m[4]) / 2, float(m[5]) / 2))
    print("cpu.split k=2 efficiency | median | the runs | interval holds the median | within 0.05")
    for model, runs in by_model.items():
        median = statistics.median(e for e, _, _ in runs)
        held = sum(lo <= median <= hi for _, lo, hi in runs)
        near = sum(abs(e - median) <= 0.05 for e, _, _ in runs)
        figures = " ".join(f"{e:.2f}" for e, _, _ in runs)
        print(f"  {model} | {median:.2f} | {figures} | {held}/{len(runs)} | {near}/{len(runs)}")


def main(paths):
    if len(paths) < 2:
        sys.exit("give two or more summary.md files, run 1 first")
    texts = [open(p, encoding="utf-8").read() for p in paths]
    report_findings([findings(t) for t in texts])
    report_answers(texts)
    report_split(texts)


if __name__ == "__main__":
    main(sys.argv[1:])
