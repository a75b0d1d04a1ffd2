#!/usr/bin/env bash
# Fuzzes sigmaplay-core with cargo-fuzz (libFuzzer), every target in turn.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET=600] [TARGET...]
#
# Not run in CI. Needs the nightly toolchain and cargo-fuzz (installed here
# with `cargo install cargo-fuzz --locked` when missing). Seeds fuzz/corpus/
# from shared/corpus/sigmahq (rules, their conditions, regression events);
# corpus/, artifacts/ and target/ under fuzz/ are gitignored. Set
# SIGMAHQ_CORPUS to use another copy of the SigmaHQ repository.
#
# Each target runs in libFuzzer's fork mode with one worker, so it keeps
# going after a crash, timeout or OOM and counts them. Per target it prints
# the executions and the crashes/timeouts/OOMs (0 expected) and lists the
# artifacts to reproduce with
#   cd fuzz && cargo +nightly fuzz run -a TARGET artifacts/TARGET/crash-...
# and to minimise with
#   cd fuzz && cargo +nightly fuzz tmin -a TARGET artifacts/TARGET/crash-...
# Exits 1 when anything was found.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FUZZ="$ROOT/fuzz"
SECS="${1:-600}"
shift || true
ALL_TARGETS=(parse_rule parse_condition parse_events rule_and_event kql_parse kql_eval regex_engines sources)
if [ $# -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi
SIGMAHQ="${SIGMAHQ_CORPUS:-$ROOT/../shared/corpus/sigmahq}"
export PATH="$HOME/.cargo/bin:$PATH"
# The fuzz project has its own workspace and its own target dir, so it never
# waits for the lock on the root workspace's target/.
export CARGO_TARGET_DIR="$FUZZ/target"

say() { printf 'fuzz: %s\n' "$*"; }

case "$SECS" in ''|*[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]" >&2; exit 2 ;; esac

if ! rustup toolchain list | grep -q '^nightly'; then
  say "rustup toolchain install nightly"
  rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  say "cargo install cargo-fuzz --locked"
  cargo install cargo-fuzz --locked
fi

max_len() {
  case "$1" in
    parse_condition) echo 4096 ;;
    rule_and_event) echo 8192 ;;
    kql_parse|kql_eval) echo 16384 ;;
    regex_engines) echo 512 ;;
    *) echo 65536 ;;
  esac
}

# --- seed corpora ------------------------------------------------------------
seed() {
  local dir
  for t in "${ALL_TARGETS[@]}"; do mkdir -p "$FUZZ/corpus/$t" "$FUZZ/artifacts/$t"; done
  if [ ! -d "$SIGMAHQ" ]; then
    say "no SigmaHQ corpus at $SIGMAHQ: starting from empty corpora"
    return
  fi
  # A few hundred rules: every 8th file (sorted, so the sample is stable), small enough for max_len.
  dir="$FUZZ/corpus/parse_rule"
  find "$SIGMAHQ" -path "$SIGMAHQ/regression_data" -prune -o -name '*.yml' -size -64k -print | sort | awk 'NR % 8 == 1' |
    while IFS= read -r f; do cp -n "$f" "$dir/seed_$(basename "$f")"; done || true
  # The specification's correlation and filter examples (multi-document files).
  local spec="$ROOT/../shared/spec/sigma-specification/tests/schema"
  if [ -d "$spec" ]; then
    find "$spec/correlation" "$spec/filter" -name '*.yml' 2>/dev/null |
      while IFS= read -r f; do cp -n "$f" "$dir/seed_spec_$(basename "$(dirname "$f")")_$(basename "$f")"; done || true
  fi
  # Their conditions, one per file.
  dir="$FUZZ/corpus/parse_condition"
  find "$SIGMAHQ" -path "$SIGMAHQ/regression_data" -prune -o -name '*.yml' -print | sort | awk 'NR % 4 == 1' |
    xargs -d '\n' grep -h -E '^[[:space:]]+condition:[[:space:]]*[^[:space:]]' 2>/dev/null |
    sed -E 's/^[[:space:]]+condition:[[:space:]]*//; s/^'"'"'(.*)'"'"'$/\1/; s/^"(.*)"$/\1/' | sort -u | head -n 400 |
    awk -v d="$dir" '{ f = sprintf("%s/seed_cond_%04d", d, NR); printf "%s", $0 > f; close(f) }' || true
  # Regression events as pasted (pretty JSON), plus NDJSON of a few of them.
  dir="$FUZZ/corpus/parse_events"
  find "$SIGMAHQ/regression_data" -name '*.json' -size -64k | sort |
    while IFS= read -r f; do cp -n "$f" "$dir/seed_$(basename "$(dirname "$f")")_$(basename "$f")"; done || true
  if command -v python3 >/dev/null; then
    find "$SIGMAHQ/regression_data" -name '*.json' -size -8k | sort | head -n 40 | python3 -c '
import json, sys
paths = [l.strip() for l in sys.stdin if l.strip()]
for i in range(0, len(paths), 4):
    lines = []
    for p in paths[i:i + 4]:
        try:
            lines.append(json.dumps(json.load(open(p, encoding="utf-8"))))
        except Exception:
            pass
    open(sys.argv[1] + "/seed_ndjson_%02d" % (i // 4), "w", encoding="utf-8").write("\n".join(lines) + "\n")
' "$dir" || true
  fi
  # Source adapters: the same events (evtx-JSON and NDJSON of Sysmon records).
  cp -n "$dir"/* "$FUZZ/corpus/sources/" 2>/dev/null || true
  # KQL: the queries our backend writes for a sample of rules, and kql-run's self-test queries.
  if command -v python3 >/dev/null && [ -d "$ROOT/../shared/tools/kql-run/tests" ]; then
    cat "$ROOT/../shared/tools/kql-run/tests/"*.jsonl | python3 -c '
import json, sys
for i, l in enumerate(sys.stdin):
    try:
        q = json.loads(l)["query"]
    except Exception:
        continue
    for t in sys.argv[1:]:
        open("%s/seed_kql_%03d" % (t, i), "w", encoding="utf-8").write(q)
' "$FUZZ/corpus/kql_parse" "$FUZZ/corpus/kql_eval" || true
  fi
  if [ -x "$ROOT/target/debug/sigmaplay" ] || [ -x "$ROOT/target/release/sigmaplay" ]; then
    bin="$ROOT/target/release/sigmaplay"; [ -x "$bin" ] || bin="$ROOT/target/debug/sigmaplay"
    find "$SIGMAHQ/rules" -name '*.yml' 2>/dev/null | sort | awk 'NR % 40 == 1' | head -n 80 |
      while IFS= read -r f; do
        "$bin" convert "$f" --pipeline sentinel_asim --format json 2>/dev/null |
          python3 -c 'import json,sys
d=json.load(sys.stdin)
for q in d.get("queries", []): sys.stdout.write(q)' > "$FUZZ/corpus/kql_parse/seed_conv_$(basename "$f" .yml)" || true
      done
    find "$FUZZ/corpus/kql_parse" -name 'seed_conv_*' -empty -delete || true
  fi
  # The corpus's `|re` values, case-sensitive and folded (a leading '!'), over a text with
  # Greek, Kelvin sign and long s, where the engines' case folding differs most.
  find "$SIGMAHQ/rules" -name '*.yml' 2>/dev/null | sort | xargs -d '\n' grep -h -E '\|re(\|[a-z]+)*:' 2>/dev/null |
    sed -E "s/^[^:]*\\|re[^:]*:[[:space:]]*//; s/^'(.*)'\$/\\1/" | grep -v '^$' | sort -u | head -n 300 |
    awk -v d="$FUZZ/corpus/regex_engines" '{ printf "%s\nCmd.EXE σς ΣΑΣ \xe2\x84\xaa \xc5\xbf\n", $0 > sprintf("%s/seed_re_%03d", d, NR);
      printf "!%s\nCMD.exe\n", $0 > sprintf("%s/seed_rei_%03d", d, NR) }' || true
  # rule_and_event takes arbitrary's bytes, not text: libFuzzer starts it from nothing.
  for t in "${ALL_TARGETS[@]}"; do say "corpus $t: $(find "$FUZZ/corpus/$t" -type f | wc -l) files"; done
}

seed

say "cargo +nightly fuzz build -O -a (release, debug assertions on: overflow is a finding too)"
(cd "$FUZZ" && cargo +nightly fuzz build -O -a)

# --- run ---------------------------------------------------------------------
FOUND=0
SUMMARY=()
for t in "${TARGETS[@]}"; do
  log="$FUZZ/artifacts/$t.log"
  before=$(find "$FUZZ/artifacts/$t" -type f | wc -l)
  stamp="$FUZZ/artifacts/.$t.start"
  touch "$stamp"
  say "run $t for ${SECS}s (log: $log)"
  start=$SECONDS
  rc=0
  (cd "$FUZZ" && cargo +nightly fuzz run -O -a "$t" "corpus/$t" -- \
    -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time="$SECS" -max_len="$(max_len "$t")" -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="artifacts/$t/" -print_final_stats=1) >"$log" 2>&1 || rc=$?
  took=$((SECONDS - start))
  # Fork mode prints "#<execs>: cov: ... oom/timeout/crash: O/T/C time: ..." lines.
  stats=$(grep -E '^#[0-9]+: cov:' "$log" | tail -n 1 || true)
  runs=$(printf '%s' "$stats" | sed -nE 's/^#([0-9]+):.*/\1/p')
  read -r ooms timeouts crashes < <(printf '%s' "$stats" | sed -nE 's#.*oom/timeout/crash: ([0-9]+)/([0-9]+)/([0-9]+).*#\1 \2 \3#p'; echo)
  after=$(find "$FUZZ/artifacts/$t" -type f | wc -l)
  new=$((after - before))
  line="$t: ${took}s, runs ${runs:-?}, crashes ${crashes:-?}, timeouts ${timeouts:-?}, ooms ${ooms:-?}, new artifacts $new (exit $rc)"
  SUMMARY+=("$line")
  say "$line"
  if [ "${crashes:-1}" != 0 ] || [ "${timeouts:-1}" != 0 ] || [ "${ooms:-1}" != 0 ] || [ "$new" -gt 0 ]; then
    FOUND=1
    find "$FUZZ/artifacts/$t" -type f -newer "$stamp" -printf '  %p\n' 2>/dev/null | head -n 20 || true
  fi
done

echo
say "summary (${SECS}s per target):"
for l in "${SUMMARY[@]}"; do echo "  $l"; done
exit $FOUND
