#!/usr/bin/env bash
# Wall time of converting the SigmaHQ `rules/` folder to KQL (sentinel_asim):
# pySigma (sigma-cli + pySigma-backend-kusto 1.0.1) vs `sigmaplay convert`,
# same files, same run. Prints both times and the ratio. Not run in CI.
#
#   scripts/bench_pysigma.sh                 # rules/ folder, sentinel_asim
#   RULES=/path/to/rules PIPELINE=microsoft_xdr scripts/bench_pysigma.sh
#
# The venv lives in ~/.cache/sigmaplay-pysigma and is created once (needs
# PyPI); our binary is built with `cargo build --release -p sigmaplay-cli`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RULES="${RULES:-$ROOT/../shared/corpus/sigmahq/rules}"
PIPELINE="${PIPELINE:-sentinel_asim}"
VENV="${SIGMAPLAY_PYSIGMA_VENV:-$HOME/.cache/sigmaplay-pysigma}"
PY="${PYTHON:-python3}"

if [ ! -d "$RULES" ]; then
  echo "bench_pysigma: rules folder not found: $RULES" >&2
  exit 2
fi
RULES="$(cd "$RULES" && pwd)"

# 1. pySigma venv (idempotent: only installs when `sigma` is missing or the backend version differs).
if [ ! -x "$VENV/bin/sigma" ] || ! "$VENV/bin/python" -c \
    'import importlib.metadata as m, sys; sys.exit(m.version("pysigma-backend-kusto") != "1.0.1")' 2>/dev/null; then
  echo "bench_pysigma: creating venv in $VENV" >&2
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --upgrade pip >&2
  "$VENV/bin/pip" install --quiet "pysigma-backend-kusto==1.0.1" sigma-cli >&2
fi

# 2. Our binary, by default from the `release` profile (opt-level 3 throughout;
#    PROFILE=web measures the size-optimised build of the web app).
PROFILE="${PROFILE:-release}"
(cd "$ROOT" && cargo build --quiet --profile "$PROFILE" -p sigmaplay-cli)
BIN="$ROOT/target/$PROFILE/sigmaplay"

# pySigma stops the whole run on a rule its backend raises NotImplementedError
# for (fieldref: 2 rules in rules/), even with --skip-unsupported. Both tools
# get a copy of the folder without those rules (the list comes from the
# reference output, shared/corpus/reference-kql/<pipeline>.jsonl).
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$PY" - "$RULES" "$ROOT/../shared/corpus/reference-kql/$PIPELINE.jsonl" "$WORK/rules" <<'PY'
import json, os, shutil, sys
rules, ref, dst = sys.argv[1:]
skip = set()
if os.path.exists(ref):
    for line in open(ref):
        d = json.loads(line)
        if d.get("error_type") == "NotImplementedError":
            skip.add(os.path.basename(d["rule_path"]))
n = 0
for dirpath, _, files in os.walk(rules):
    for f in files:
        if f.endswith((".yml", ".yaml")) and f not in skip:
            out = os.path.join(dst, os.path.relpath(dirpath, rules))
            os.makedirs(out, exist_ok=True)
            shutil.copyfile(os.path.join(dirpath, f), os.path.join(out, f))
            n += 1
print(f"bench_pysigma: {n} files, {len(skip)} left out (pySigma NotImplementedError): {sorted(skip)}", file=sys.stderr)
PY
ORIG_RULES="$RULES"
RULES="$WORK/rules"
FILES=$(find "$RULES" -type f \( -name '*.yml' -o -name '*.yaml' \) | wc -l)
now() { date +%s.%N; }

echo "rules: $ORIG_RULES ($FILES files), pipeline: $PIPELINE" >&2
echo "pySigma: $("$VENV/bin/python" -c 'import importlib.metadata as m; print("pySigma", m.version("pysigma"), "backend-kusto", m.version("pysigma-backend-kusto"), "sigma-cli", m.version("sigma-cli"))')" >&2

# 3. pySigma. --skip-unsupported: keep going past rules it cannot convert (as we do).
# CPU time (user + sys) too: on a busy machine wall time says little.
TIME=(/usr/bin/time -f "%U %S")
[ -x /usr/bin/time ] || TIME=()
t0=$(now)
"${TIME[@]}" -o "$WORK/py.cpu" "$VENV/bin/sigma" convert -t kusto -p "$PIPELINE" --skip-unsupported \
  "$RULES" -o /dev/null >/dev/null 2>"$WORK/pysigma.err" || { echo "bench_pysigma: sigma convert failed:" >&2; tail -3 "$WORK/pysigma.err" >&2; }
t1=$(now)

# 4. sigmaplay: same files, RUNS times (a run takes ~0.1 s, so one run is
#    mostly noise); the median wall and CPU times are reported. Exit 1 only
#    means some rules did not convert.
RUNS="${RUNS:-5}"
: > "$WORK/us.times"
for _ in $(seq "$RUNS"); do
  t2=$(now)
  "${TIME[@]}" -o "$WORK/us.cpu" "$BIN" convert "$RULES" --pipeline "$PIPELINE" --format jsonl >/dev/null 2>&1 || true
  t3=$(now)
  echo "$t2 $t3 $(tail -n1 "$WORK/us.cpu" 2>/dev/null)" >> "$WORK/us.times"
done

"$PY" - "$t0" "$t1" "$WORK/us.times" "$FILES" "$WORK/py.cpu" "$(nproc 2>/dev/null || echo '?')" "$PROFILE" <<'PY'
import os, statistics, sys
t0, t1 = float(sys.argv[1]), float(sys.argv[2])
files = float(sys.argv[4])
def cpu(path):
    try:
        return sum(float(x) for x in open(path).read().split()[-2:])
    except (OSError, ValueError):
        return None
pc = cpu(sys.argv[5])
walls, cpus = [], []
for line in open(sys.argv[3]):
    f = line.split()
    walls.append(float(f[1]) - float(f[0]))
    if len(f) >= 4:
        cpus.append(float(f[2]) + float(f[3]))
uc = statistics.median(cpus) if cpus else None
py, ours = t1 - t0, statistics.median(walls)
print(f"sigmaplay: median of {len(walls)} runs, profile {sys.argv[7]} (walls: {' '.join(f'{w:.3f}' for w in walls)})")
print(f"files            {int(files)}   (cores: {sys.argv[6]}, load average: {os.getloadavg()[0]:.1f})")
print(f"                 {'wall':>9} {'files/s':>9} {'cpu (user+sys)':>15}")
print(f"pySigma          {py:8.3f}s {files / py:9.0f} {pc if pc is None else f'{pc:14.3f}s'}")
print(f"sigmaplay        {ours:8.3f}s {files / ours:9.0f} {uc if uc is None else f'{uc:14.3f}s'}")
print(f"ratio (wall)     {py / ours:8.1f}x  (goal >= 100x)")
if pc and uc:
    print(f"ratio (cpu)      {pc / uc:8.1f}x")
PY
