#!/usr/bin/env bash
# Import benchmark: generates a ~100 MB Choisir le service public CSV, imports it with the
# release binary into a fresh SQLite database (and PostgreSQL when METIERS_BENCH_POSTGRES
# names a database), and prints rows/s and peak memory (GNU time's maximum resident size).
#
#   bash scripts/bench-import.sh [SIZE_MB]
set -euo pipefail
cd "$(dirname "$0")/.."
size="${1:-100}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
command -v /usr/bin/time >/dev/null || { echo "GNU time is needed: apt-get install time" >&2; exit 1; }
cargo build --release --bin metiers
python3 scripts/gen-csp.py "$work/offres.csv" "$size"
rows=$(python3 -c "import csv,sys; csv.field_size_limit(1<<30); print(sum(1 for _ in csv.reader(open(sys.argv[1], encoding='utf-8'), delimiter=';'))-1)" "$work/offres.csv")
echo "file: $(du -m "$work/offres.csv" | cut -f1) MB, $rows rows"

run() {
    local label="$1"; shift
    local start end
    start=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$work/rss" "$@" import --format csp-csv "$work/offres.csv" > "$work/out"
    end=$(date +%s.%N)
    head -1 "$work/out"
    python3 - "$label" "$rows" "$start" "$end" "$(cat "$work/rss")" <<'PY'
import sys
label, rows, start, end, rss = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
secs = end - start
print(f"{label}: {rows} rows in {secs:.1f} s = {rows / secs:,.0f} rows/s, peak RSS {rss / 1024:.0f} MiB")
PY
}

DATA_DIR="$work/data" run "SQLite, first import" env DATA_DIR="$work/data" target/release/metiers
DATA_DIR="$work/data" run "SQLite, second import (unchanged)" env DATA_DIR="$work/data" target/release/metiers
if [[ -n "${METIERS_BENCH_POSTGRES:-}" ]]; then
    run "PostgreSQL, first import" env DATABASE_URL="$METIERS_BENCH_POSTGRES" target/release/metiers
    run "PostgreSQL, second import (unchanged)" env DATABASE_URL="$METIERS_BENCH_POSTGRES" target/release/metiers
fi
