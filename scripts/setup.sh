#!/usr/bin/env bash
# Idempotent set-up of everything Sigmaplay needs on a fresh Debian machine (run as root).
# Every step is guarded: whatever is already present at the right version is skipped.
#   - Rust target wasm32-unknown-unknown (rustup)
#   - chromium + chromium-driver (apt; skipped entirely when both binaries exist)
#   - trunk 0.21.14 and wasm-bindgen-cli = Cargo.lock's wasm-bindgen (cargo install, version-checked)
#   - npm ci: @playwright/test, playwright-core, binaryen 132 (wasm-opt), esbuild (Trunk.toml's hook minifies
#     the release build's JS with it); skipped when node_modules is current
# See shared/design/TOOLCHAIN.md for why each version/flag is what it is.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

TRUNK_VER=0.21.14
WASM_OPT_VER=version_132   # npm binaryen@132.0.0, pinned in package-lock.json and Trunk.toml

say()  { printf 'setup: %s\n' "$*"; }
skip() { printf 'setup: skip: %s\n' "$*"; }
die()  { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

T0=$SECONDS

# --- Rust toolchain + wasm target ---------------------------------------------------------
command -v cargo >/dev/null || die "cargo not found (expected rustup's toolchain in ~/.cargo/bin)"
command -v rustup >/dev/null || die "rustup not found (expected in ~/.cargo/bin)"
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  skip "rust target wasm32-unknown-unknown (installed)"
else
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# rustfmt and clippy (the test suite checks formatting and lints first): part of the
# machine's toolchain; added through rustup only if missing.
if cargo fmt --version >/dev/null 2>&1 && cargo clippy --version >/dev/null 2>&1; then
  skip "rustfmt, clippy (installed)"
else
  say "rustup component add rustfmt clippy"
  rustup component add rustfmt clippy
fi

# --- Debian packages -----------------------------------------------------------------------
apt_pkgs=()
[ -x /usr/bin/chromium ]     || apt_pkgs+=(chromium)
[ -x /usr/bin/chromedriver ] || apt_pkgs+=(chromium-driver)
command -v python3 >/dev/null || apt_pkgs+=(python3)          # static server for e2e tests
command -v npm >/dev/null     || apt_pkgs+=(nodejs npm)       # preinstalled on this machine kind
if [ ${#apt_pkgs[@]} -eq 0 ]; then
  skip "apt (chromium, chromedriver, python3, node/npm all present)"
else
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  say "apt-get install ${apt_pkgs[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${apt_pkgs[@]}" </dev/null
fi

# --- trunk ---------------------------------------------------------------------------------
# --locked is required: unlocked resolution picks crates that need a newer rustc.
if [ "$(trunk --version 2>/dev/null || true)" = "trunk $TRUNK_VER" ]; then
  skip "trunk $TRUNK_VER (installed)"
else
  say "cargo install trunk $TRUNK_VER (6 to 13 min on 2 cores)"
  cargo install trunk --version "$TRUNK_VER" --locked
fi

# --- wasm-bindgen-cli (must equal the wasm-bindgen crate in Cargo.lock) ----------------------
WB_VER=$(awk '$0=="name = \"wasm-bindgen\""{getline; gsub(/"/,"",$3); print $3}' Cargo.lock)
[ -n "$WB_VER" ] || die "cannot read the wasm-bindgen version from Cargo.lock"
if [ "$(wasm-bindgen --version 2>/dev/null || true)" = "wasm-bindgen $WB_VER" ] \
   && command -v wasm-bindgen-test-runner >/dev/null; then
  skip "wasm-bindgen-cli $WB_VER (installed)"
else
  # No --locked: its lockfile pins a webpki-roots version missing from the registry mirror.
  say "cargo install wasm-bindgen-cli $WB_VER (2 to 8 min on 2 cores)"
  cargo install wasm-bindgen-cli --version "$WB_VER"
fi

# --- npm packages (Playwright, binaryen's wasm-opt, esbuild) ------------------------------------
command -v npm >/dev/null || die "npm not found"
STAMP=node_modules/.sigmaplay-npm-stamp
want_stamp=$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want_stamp" ] \
   && [ -x node_modules/.bin/wasm-opt ] && [ -x node_modules/.bin/playwright ] \
   && [ -x node_modules/.bin/esbuild ]; then
  skip "npm ci (node_modules matches package-lock.json)"
else
  say "npm ci"
  npm ci --no-audit --no-fund </dev/null
  echo "$want_stamp" > "$STAMP"
fi

# --- final checks ----------------------------------------------------------------------------
got_opt=$(node_modules/.bin/wasm-opt --version 2>/dev/null || true)
case "$got_opt" in
  *"($WASM_OPT_VER)"*) ;;
  *) die "node_modules/.bin/wasm-opt reports '$got_opt', Trunk.toml wants $WASM_OPT_VER" ;;
esac
grep -q "^wasm_bindgen = \"$WB_VER\"" Trunk.toml \
  || die "Trunk.toml [tools] wasm_bindgen does not match Cargo.lock's wasm-bindgen $WB_VER"

say "ready in $((SECONDS - T0)) s: $(trunk --version), $(wasm-bindgen --version), wasm-opt $WASM_OPT_VER, $(/usr/bin/chromium --version 2>/dev/null | head -n1)"
