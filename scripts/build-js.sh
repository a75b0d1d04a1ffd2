#!/usr/bin/env bash
# Builds the JavaScript/TypeScript package of the core (the js/ crate) into js/pkg/:
#   sigmaplay.js, sigmaplay_bg.wasm, sigmaplay.d.ts, package.json, README.md  (ready for `npm pack`)
# wasm-bindgen's `web` target: an ES module for browsers (`await init()` fetches the .wasm next to it)
# and Node 20 (`initSync({ module: bytes })`). Uses the wasm-bindgen-cli scripts/setup.sh installs
# (Cargo.lock's version, ~/.cargo/bin); nothing is downloaded. Built with the `web` profile
# (opt-level z, LTO) and core's web features (regex-lite, the targets' tables only).
# Prints the package's gzipped size.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

die() { printf 'build-js: error: %s\n' "$*" >&2; exit 1; }

WB_VER=$(awk '$0=="name = \"wasm-bindgen\""{getline; gsub(/"/,"",$3); print $3}' Cargo.lock)
[ "$(wasm-bindgen --version 2>/dev/null || true)" = "wasm-bindgen $WB_VER" ] \
  || die "wasm-bindgen-cli $WB_VER not found (Cargo.lock's version): run bash scripts/setup.sh"
VERSION=$(awk -F'"' '/^version = /{print $2; exit}' js/Cargo.toml)
[ -n "$VERSION" ] || die "cannot read the version from js/Cargo.toml"

cargo build -p sigmaplay-js --target wasm32-unknown-unknown --profile web
WASM_IN=target/wasm32-unknown-unknown/web/sigmaplay_js.wasm

STAGE=$(mktemp -d "$ROOT/target/js-pkg.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
# No wasm-opt: `wasm-opt -Oz` makes the .wasm 6 % smaller but its gzip 2 KB larger, and takes
# 80 s (docs/size.md, "The JavaScript package"); the names and producers sections go here instead.
wasm-bindgen --target web --remove-name-section --remove-producers-section \
  --out-dir "$STAGE" --out-name sigmaplay "$WASM_IN"
# For bundlers only; the package's files are the five above.
rm -f "$STAGE/sigmaplay_bg.wasm.d.ts"

cp js/README.md "$STAGE/README.md"
node -e '
  const [version] = process.argv.slice(1);
  const pkg = {
    name: "sigmaplay",
    version,
    description: "Sigma rules in JavaScript: check, lint, convert to KQL, match events, run KQL (WebAssembly)",
    license: "MIT",
    type: "module",
    main: "./sigmaplay.js",
    types: "./sigmaplay.d.ts",
    exports: {
      ".": { types: "./sigmaplay.d.ts", default: "./sigmaplay.js" },
      "./sigmaplay_bg.wasm": "./sigmaplay_bg.wasm",
      "./package.json": "./package.json",
    },
    files: ["sigmaplay.js", "sigmaplay_bg.wasm", "sigmaplay.d.ts", "README.md"],
    sideEffects: ["./sigmaplay.js"],
    keywords: ["sigma", "kql", "detection", "siem", "webassembly"],
    engines: { node: ">=20" },
  };
  process.stdout.write(JSON.stringify(pkg, null, 2) + "\n");
' "$VERSION" >"$STAGE/package.json"

rm -rf js/pkg
mkdir -p js/pkg
cp "$STAGE"/* js/pkg/

gz() { gzip -9 -c "$1" | wc -c; }
W=$(stat -c %s js/pkg/sigmaplay_bg.wasm); WG=$(gz js/pkg/sigmaplay_bg.wasm)
J=$(stat -c %s js/pkg/sigmaplay.js); JG=$(gz js/pkg/sigmaplay.js)
echo "build-js: js/pkg/ sigmaplay $VERSION: wasm $W bytes ($WG gzip -9), js $J bytes ($JG gzip -9);" \
  "wasm + js $((WG + JG)) bytes gzip -9 = $(((WG + JG) / 1024)) KB"
