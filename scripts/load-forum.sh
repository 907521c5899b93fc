#!/usr/bin/env bash
# The forum's busy minute against the release build (issue 14): see scripts/load-forum.mjs.
#   bash scripts/load-forum.sh
#   SKIP_BUILD=1 REGISTRATIONS=1500 SECONDS_SPREAD=60 bash scripts/load-forum.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v sqlite3 >/dev/null 2>&1; then
    SUDO=(); [[ "$(id -u)" -ne 0 ]] && SUDO=(sudo -n)
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q sqlite3
fi
[[ -n "${SKIP_BUILD:-}" ]] || cargo build --release --bin metiers
METIERS_BIN="${METIERS_BIN:-target/release/metiers}" exec node scripts/load-forum.mjs
