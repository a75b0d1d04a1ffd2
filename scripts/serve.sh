#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and serves the playground at http://127.0.0.1:8080/ (Trunk.toml),
# rebuilding on changes to index.html, static/, web/ and core/. Extra arguments go to `trunk serve`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh

export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
echo "serve: http://127.0.0.1:8080/ (Ctrl-C stops)"
exec trunk serve "$@"
