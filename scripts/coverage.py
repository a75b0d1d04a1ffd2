#!/usr/bin/env python3
"""Coverage of SigmaHQ's rules/ per target: how many rules convert (`ok`), per logsource.

    scripts/coverage.py                      # totals and per-logsource table, Markdown
    scripts/coverage.py --save now.json      # also keep the counts
    scripts/coverage.py --baseline old.json  # show before -> after per logsource
    scripts/coverage.py --baseline old.json --changed  # only the logsources that moved

Uses the release CLI (`cargo build --release -p sigmaplay-cli`):
`sigmaplay convert ../shared/corpus/sigmahq/rules --pipeline P --format jsonl`.
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RULES = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus", "sigmahq", "rules"))
BIN = os.environ.get("SIGMAPLAY_BIN") or os.path.join(ROOT, "target", "release", "sigmaplay")
TARGETS = ["sentinel_asim", "microsoft_xdr", "azure_monitor"]


def logsource(path):
    """product/category/service of a rule file, read from its `logsource:` block."""
    keys = {}
    inside = False
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if re.match(r"^logsource:\s*$", line):
                inside = True
                continue
            if inside:
                if not line.startswith((" ", "\t")) and line.strip():
                    break
                m = re.match(r"^\s+(product|category|service):\s*['\"]?([^'\"#\s]+)", line)
                if m:
                    keys[m.group(1)] = m.group(2)
    return "/".join(keys.get(k, "-") for k in ("product", "category", "service"))


def convert(target):
    out = subprocess.run([BIN, "convert", RULES, "--pipeline", target, "--format", "jsonl"],
                         capture_output=True, text=True, check=False)
    if out.returncode not in (0, 1):
        sys.exit(out.stderr)
    return {json.loads(l)["path"]: json.loads(l)["ok"] for l in out.stdout.splitlines()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--save")
    ap.add_argument("--baseline")
    ap.add_argument("--top", type=int, default=40, help="logsources shown (largest gaps first)")
    ap.add_argument("--changed", action="store_true", help="with --baseline: only the logsources whose counts moved")
    args = ap.parse_args()

    counts = {}  # target -> logsource -> [ok, total]
    for t in TARGETS:
        per = collections.defaultdict(lambda: [0, 0])
        for path, ok in convert(t).items():
            c = per[logsource(path)]
            c[0] += int(ok)
            c[1] += 1
        counts[t] = dict(per)
    base = json.load(open(args.baseline)) if args.baseline else None

    def total(cs):
        return sum(v[0] for v in cs.values()), sum(v[1] for v in cs.values())

    print("| target | rules converted | share |" + (" before |" if base else ""))
    print("|---|---:|---:|" + ("---:|" if base else ""))
    for t in TARGETS:
        ok, n = total(counts[t])
        row = f"| {t} | {ok} / {n} | {100 * ok / n:.1f}% |"
        if base:
            bok, bn = total(base[t])
            row += f" {bok} ({100 * bok / bn:.1f}%) |"
        print(row)
    print()
    sources = set()
    for t in TARGETS:
        sources |= set(counts[t])
    gap = lambda s: sum(counts[t].get(s, [0, 0])[1] - counts[t].get(s, [0, 0])[0] for t in TARGETS)
    print("| logsource (product/category/service) | rules | " + " | ".join(TARGETS) + " |")
    print("|---|---:|" + "---:|" * len(TARGETS))
    moved = lambda s: any(base[t].get(s, [0, 0])[0] != counts[t].get(s, [0, 0])[0] for t in TARGETS)
    shown = [s for s in sorted(sources, key=lambda s: (-gap(s), s)) if not (args.changed and base) or moved(s)]
    for s in shown if args.changed and base else shown[: args.top]:
        n = max(counts[t].get(s, [0, 0])[1] for t in TARGETS)
        cells = []
        for t in TARGETS:
            ok = counts[t].get(s, [0, 0])[0]
            if base:
                cells.append(f"{base[t].get(s, [0, 0])[0]} → {ok}")
            else:
                cells.append(str(ok))
        print(f"| {s} | {n} | " + " | ".join(cells) + " |")
    if args.save:
        json.dump(counts, open(args.save, "w"), indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
