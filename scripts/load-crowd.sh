#!/usr/bin/env bash
# A busy day against the release build (issue 11): see scripts/load-crowd.mjs.
#   bash scripts/load-crowd.sh
#   SKIP_BUILD=1 SIGNUPS=200 GUESSES=100 APPLICATIONS=500 bash scripts/load-crowd.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v sqlite3 >/dev/null 2>&1; then
    SUDO=(); [[ "$(id -u)" -ne 0 ]] && SUDO=(sudo -n)
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q sqlite3
fi
[[ -n "${SKIP_BUILD:-}" ]] || cargo build --release --bin metiers
METIERS_BIN="${METIERS_BIN:-target/release/metiers}" exec node scripts/load-crowd.mjs
