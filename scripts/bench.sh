#!/usr/bin/env bash
# Runs the engine comparison benchmark (core/benches/engines.rs: ours vs RSigma
# vs sigma-rust) and prints, per group, each engine's throughput and the ratio
# ours/peer of the mean times (> 1: we are slower).
#   scripts/bench.sh            full run (~4 min)
#   BENCH_QUICK=1 scripts/bench.sh   short smoke run
#   scripts/bench.sh --report   only print the table of the last run
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [ "${1:-}" != "--report" ]; then
  cargo bench -p sigmaplay-core --bench engines
fi
python3 - "$ROOT/target/criterion" <<'PY'
import json, os, sys
root = sys.argv[1]
rows = {}
for dirpath, _, files in os.walk(root):
    if os.path.basename(dirpath) == "new" and "benchmark.json" in files and "estimates.json" in files:
        b = json.load(open(os.path.join(dirpath, "benchmark.json")))
        e = json.load(open(os.path.join(dirpath, "estimates.json")))
        elems = (b.get("throughput") or {}).get("Elements")
        # Only this bench's groups (engine comparison): other benches share the
        # criterion folder and some have no function id.
        engine = b.get("function_id")
        if engine is None:
            continue
        rows.setdefault(b["group_id"], {})[engine] = (e["mean"]["point_estimate"], elems)
if not rows:
    sys.exit("no criterion results under " + root)
def fmt_time(ns):
    for unit, d in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= d:
            return f"{ns / d:.3g} {unit}"
    return f"{ns:.3g} ns"
print(f"\n{'group':<58} {'engine':<14} {'mean time':>11} {'elements/s':>12} {'ours/peer':>10}")
for group in sorted(rows):
    engines = rows[group]
    ours = engines.get("ours")
    for name in sorted(engines, key=lambda n: (n != "ours", n)):
        t, n = engines[name]
        rate = f"{n / (t / 1e9):,.0f}" if n else "-"
        # Engines compare with engines, per-rule loops with per-rule loops.
        mine = engines.get("ours_engine") if name.endswith("_engine") else ours
        ratio = "" if name.startswith("ours") or not mine else f"{mine[0] / t:.2f}x"
        print(f"{group:<58} {name:<14} {fmt_time(t):>11} {rate:>12} {ratio:>10}")
print("\nours/peer = our mean time / the peer's: above 1 we are slower, below 1 faster.")
PY
