#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and runs every Sigmaplay test suite, failing fast:
#   0. cargo fmt --check; cargo clippy -D warnings                (house rules; host, and wasm for web and js)
#   1. cargo test --workspace                                    (host: core, cli, web's pure code)
#      cargo test -p sigmaplay-core --no-default-features        (host: core on the web build's regex engine)
#   js. bash scripts/build-js.sh; node --test js/tests/           (the JavaScript package, in Node)
#   2. cargo test -p sigmaplay-web --target wasm32-unknown-unknown (wasm-bindgen-test, headless Chromium)
#   3. trunk build --release                                     (dist/, relative URLs via Trunk.toml)
#   4. npx playwright test                                       (end-to-end against dist/)
# Ends with a plain "N passed, M failed" line counting the tests of all suites.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh

export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
export CHROMEDRIVER=/usr/bin/chromedriver
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

LOGDIR="$ROOT/target/test-logs"
mkdir -p "$LOGDIR"
PASSED=0
FAILED=0
SUITE=""
T_ALL=$SECONDS

on_exit() {
  local rc=$?
  if [ $rc -ne 0 ]; then
    echo "test.sh: FAILED in suite '$SUITE' (exit $rc); tests counted before stopping: $PASSED passed, $FAILED failed (see $LOGDIR)" >&2
  fi
}
trap on_exit EXIT

# Adds up cargo's "test result: ok. X passed; Y failed; ..." lines of a log.
count_cargo() {
  local p f
  p=$(grep -Eo 'test result: [A-Za-z]+\. [0-9]+ passed; [0-9]+ failed' "$1" | awk '{s+=$4} END {print s+0}')
  f=$(grep -Eo 'test result: [A-Za-z]+\. [0-9]+ passed; [0-9]+ failed' "$1" | awk '{s+=$6} END {print s+0}')
  PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
  echo "== $SUITE: $p passed, $f failed"
}

# Runs a cargo test command with its output copied to a log, counts its tests (also when it fails).
cargo_suite() {
  local log=$1; shift
  local rc=0
  "$@" 2>&1 | tee "$log" || rc=$?
  count_cargo "$log"
  took
  return $rc
}

begin() { SUITE="$1"; T_SUITE=$SECONDS; echo; echo "== $SUITE"; }
took()  { echo "== $SUITE took $((SECONDS - T_SUITE)) s"; }

# House rules first: formatting (rustfmt.toml) and clippy, host and web targets.
begin "style: cargo fmt --check, cargo clippy -D warnings"
cargo fmt --check
for target in "" "--target wasm32-unknown-unknown -p sigmaplay-web -p sigmaplay-js"; do
  # shellcheck disable=SC2086
  cargo clippy ${target:---workspace} --all-targets -- -D warnings >"$LOGDIR/clippy.log" 2>&1 \
    || { cat "$LOGDIR/clippy.log"; exit 1; }
done
echo "== $SUITE: clean"
took

begin "host: cargo test --workspace"
cargo_suite "$LOGDIR/host.log" cargo test --workspace

# The web build's engine configuration (regex-lite, no aho-corasick), natively:
# the same corpus, differential and hostile suites must hold with it.
begin "host, web engines: cargo test -p sigmaplay-core --no-default-features"
cargo_suite "$LOGDIR/host-lite.log" cargo test -p sigmaplay-core --no-default-features

# The JavaScript package (js/pkg/), in Node. After the host tests: js/tests/cli_shapes.test.mjs
# compares its objects with the JSON of the CLI they built (target/debug/sigmaplay).
begin "js: bash scripts/build-js.sh; node --test js/tests/"
bash scripts/build-js.sh 2>&1 | tee "$LOGDIR/build-js.log"
rc=0
node --test --test-reporter=tap js/tests/ >"$LOGDIR/js.log" 2>&1 || rc=$?
grep -E '^(not )?ok |^# (tests|pass|fail|skipped) ' "$LOGDIR/js.log" || true
[ $rc -eq 0 ] || cat "$LOGDIR/js.log"
p=$(awk '/^# pass /{n=$3} END {print n+0}' "$LOGDIR/js.log")
f=$(awk '/^# fail /{n=$3} END {print n+0}' "$LOGDIR/js.log")
PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
echo "== $SUITE: $p passed, $f failed"
took
[ $rc -eq 0 ] || exit $rc

begin "wasm: cargo test -p sigmaplay-web --target wasm32-unknown-unknown"
cargo_suite "$LOGDIR/wasm.log" cargo test -p sigmaplay-web --target wasm32-unknown-unknown

begin "build: trunk build --release"
trunk build --release 2>&1 | tee "$LOGDIR/trunk.log"
WASM=$(ls dist/*.wasm)
echo "== wasm: $(stat -c %s "$WASM") bytes, $(gzip -9 -c "$WASM" | wc -c) bytes gzip -9 ($WASM)"
SITE_GZ=0
for f in dist/*.wasm dist/*.js dist/*.css; do SITE_GZ=$((SITE_GZ + $(gzip -9 -c "$f" | wc -c))); done
echo "== site (wasm + js + css): $SITE_GZ bytes gzip -9 = $((SITE_GZ / 1024)) KB (budget 520 KB; the e2e perf test enforces its limit)"
took

begin "e2e: npx playwright test"
E2E_JSON="$LOGDIR/e2e.json"
rm -f "$E2E_JSON"
rc=0
PLAYWRIGHT_JSON_OUTPUT_FILE="$E2E_JSON" npx --no-install playwright test --reporter=list,json || rc=$?
if [ -f "$E2E_JSON" ]; then
  read -r p f < <(node -e '
    const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).stats;
    console.log(s.expected + s.flaky, s.unexpected);' "$E2E_JSON")
  PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
  echo "== $SUITE: $p passed, $f failed"
fi
took
[ $rc -eq 0 ] || exit $rc

echo
echo "test.sh: all suites passed in $((SECONDS - T_ALL)) s (including set-up)"
echo "$PASSED passed, $FAILED failed"
