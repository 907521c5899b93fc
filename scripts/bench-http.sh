#!/usr/bin/env bash
# HTTP benchmark: a release build holding ~100k offers against nginx serving the same bytes.
#
# Generates a Choisir le service public CSV (scripts/gen-csp.py), imports it into a fresh data
# folder, starts `metiers serve` on a free loopback port, saves the exact bytes of the search
# page (/offres-emploi?q=developpeur&region=11) and of the first offer it links to into the root
# of a private nginx instance (its own config in a temp dir, never the system service), then
# runs `wrk -t2 -c64 --latency` against each page on both servers and prints the ratios.
# The showcase pages (`/projets` with a facet, `/temoignages`) and the forum's programme
# (`/evenements`, the demo edition's 28 sessions) come from the demo catalogue
# (`metiers seed`, plus the real beta.gouv.fr catalogue when CATALOGUE names its folder; by
# default ../shared/data/betagouv if it exists); they are measured uncached: wrk sends a cookie,
# and a request with a cookie never reaches the page cache.
#
# Targets: search page ≥ 25 % of nginx's requests per second, offer page ≥ 60 %,
# p99 ≤ 20 ms at 64 connections, resident memory ≤ 150 MiB. The showcase pages have no target
# yet: their figures are the baseline.
#
#   bash scripts/bench-http.sh
#   OFFERS=100000 DURATION=20s CONNECTIONS=64 SKIP_BUILD=1 bash scripts/bench-http.sh
#
# Installs wrk and nginx from Debian when missing. Exits 0 when targets are missed (it is a
# measurement); non-zero only when something fails.
set -euo pipefail
cd "$(dirname "$0")/.."

OFFERS="${OFFERS:-100000}"
DURATION="${DURATION:-20s}"
CONNECTIONS="${CONNECTIONS:-64}"
SEARCH_PATH='/offres-emploi?q=developpeur&region=11'
PRODUCTS_PATH='/projets?phase=construction'
STORIES_PATH='/temoignages'
PROGRAMME_PATH='/evenements'
CATALOGUE="${CATALOGUE:-../shared/data/betagouv}"
BIN=target/release/metiers

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'Erreur : %s\n' "$*" >&2; exit 1; }

# --- tools ------------------------------------------------------------------------------------
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo -n "$@"; fi; }

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
if ((${#missing[@]})); then
    log "installing ${missing[*]} from Debian"
    # Keep the package's postinst from starting the system nginx on port 80.
    policy_created=0
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d'
        policy_created=1
    fi
    install_rc=0
    { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } ||
        install_rc=$?
    if ((policy_created)); then as_root rm -f /usr/sbin/policy-rc.d; fi
    ((install_rc == 0)) || die "apt-get install ${missing[*]} a échoué"
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
command -v curl >/dev/null || die "curl est nécessaire"

# --- temp dirs and cleanup --------------------------------------------------------------------
work=$(mktemp -d)           # data folder, CSV, logs
ngx=$(mktemp -d)            # nginx prefix: config, pid, logs, root
server_pid=""
cleanup() {
    local rc=$?
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [[ -s "$ngx/nginx.pid" ]]; then
        "$NGINX" -c "$ngx/nginx.conf" -p "$ngx/" -s quit 2>/dev/null || kill "$(cat "$ngx/nginx.pid")" 2>/dev/null || true
        for _ in $(seq 50); do [[ -e "$ngx/nginx.pid" ]] || break; sleep 0.1; done
    fi
    rm -rf "$work" "$ngx"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# --- build, data, import ----------------------------------------------------------------------
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    log "cargo build --release --bin metiers"
    cargo build --release --bin metiers
fi
[[ -x "$BIN" ]] || die "$BIN introuvable (lancer sans SKIP_BUILD=1)"

size_mb=$(( (OFFERS * 11 + 9999) / 10000 ))   # ~1.1 KB a row, rounded up
log "generating ~$OFFERS offers ($size_mb MB CSV)"
python3 scripts/gen-csp.py "$work/offres.csv" "$size_mb"
log "importing (takes a minute or two)"
mkdir -p "$work/data"
DATA_DIR="$work/data" RUST_LOG=warn "$BIN" import --format csp-csv "$work/offres.csv" > "$work/import.out" \
    || { cat "$work/import.out" >&2; die "l'import a échoué"; }
head -1 "$work/import.out"
DATA_DIR="$work/data" RUST_LOG=warn "$BIN" seed > "$work/seed.out" || { cat "$work/seed.out" >&2; die "metiers seed a échoué"; }
head -1 "$work/seed.out"
if [[ -d "$CATALOGUE/startups" ]]; then
    log "importing the product catalogue $CATALOGUE"
    DATA_DIR="$work/data" RUST_LOG=warn "$BIN" import --format betagouv "$CATALOGUE" > "$work/catalogue.out" \
        || { cat "$work/catalogue.out" >&2; die "l'import du catalogue a échoué"; }
    head -1 "$work/catalogue.out"
fi

# --- metiers ----------------------------------------------------------------------------------
app_port=$(free_port)
app="http://127.0.0.1:$app_port"
log "starting metiers on $app (first start indexes the offers)"
DATA_DIR="$work/data" BIND="127.0.0.1:$app_port" RUST_LOG=warn NO_DEMO=true "$BIN" serve > "$work/serve.log" 2>&1 &
server_pid=$!
deadline=$((SECONDS + 300))
until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$app/healthz" || true) == 200 ]]; do
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; die "metiers s'est arrêté au démarrage"; }
    ((SECONDS < deadline)) || { tail -20 "$work/serve.log" >&2; die "/healthz n'a pas répondu 200 en 5 minutes"; }
    sleep 1
done

# --- pages and nginx --------------------------------------------------------------------------
mkdir -p "$ngx/www/emploi" "$ngx/logs" "$ngx/tmp"
code=$(curl -s -o "$ngx/www/offres-emploi" -w '%{http_code}' "$app$SEARCH_PATH")
[[ $code == 200 ]] || die "$SEARCH_PATH a répondu $code"
offer_path=$(grep -o 'href="/emploi/[^"]*"' "$ngx/www/offres-emploi" | head -1 | sed 's/^href="//; s/"$//' || true)
[[ -n "$offer_path" ]] || die "aucun lien /emploi/… dans la page de recherche"
[[ $offer_path =~ ^/emploi/[A-Za-z0-9._~-]+$ ]] || die "lien d'offre inattendu : $offer_path"
code=$(curl -s -o "$ngx/www$offer_path" -w '%{http_code}' "$app$offer_path")
[[ $code == 200 ]] || die "$offer_path a répondu $code"
mkdir -p "$ngx/www/projets-page" "$ngx/www/temoignages-page" "$ngx/www/evenements-page"
code=$(curl -s -o "$ngx/www/evenements-page/index.html" -w '%{http_code}' "$app$PROGRAMME_PATH")
[[ $code == 200 ]] || die "$PROGRAMME_PATH a répondu $code"
code=$(curl -s -o "$ngx/www/projets-page/index.html" -w '%{http_code}' "$app$PRODUCTS_PATH")
[[ $code == 200 ]] || die "$PRODUCTS_PATH a répondu $code"
code=$(curl -s -o "$ngx/www/temoignages-page/index.html" -w '%{http_code}' "$app$STORIES_PATH")
[[ $code == 200 ]] || die "$STORIES_PATH a répondu $code"

ngx_port=$(free_port)
ngx_url="http://127.0.0.1:$ngx_port"
cat > "$ngx/nginx.conf" <<EOF
worker_processes 2;
daemon on;
pid $ngx/nginx.pid;
error_log $ngx/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    types {}
    default_type text/html;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path $ngx/tmp/body;
    proxy_temp_path $ngx/tmp/proxy;
    fastcgi_temp_path $ngx/tmp/fastcgi;
    uwsgi_temp_path $ngx/tmp/uwsgi;
    scgi_temp_path $ngx/tmp/scgi;
    server {
        listen 127.0.0.1:$ngx_port;
        root $ngx/www;
        # The search page: one file, whatever the query string.
        location = /offres-emploi { }
        location = /projets { alias $ngx/www/projets-page/index.html; }
        location = /temoignages { alias $ngx/www/temoignages-page/index.html; }
        location = /evenements { alias $ngx/www/evenements-page/index.html; }
        location / { }
    }
}
EOF
# Workers may run as an unprivileged user: let them read the root.
chmod 755 "$ngx"
chmod -R a+rX "$ngx/www"
"$NGINX" -t -q -c "$ngx/nginx.conf" -p "$ngx/" || die "configuration nginx invalide"
"$NGINX" -c "$ngx/nginx.conf" -p "$ngx/"
for _ in $(seq 50); do curl -s -o /dev/null "$ngx_url/" && break; sleep 0.1; done
cmp -s <(curl -s "$ngx_url$SEARCH_PATH") "$ngx/www/offres-emploi" || die "nginx ne sert pas la page de recherche"
cmp -s <(curl -s "$ngx_url$offer_path") "$ngx/www$offer_path" || die "nginx ne sert pas la page d'offre"
cmp -s <(curl -s "$ngx_url$PRODUCTS_PATH") "$ngx/www/projets-page/index.html" || die "nginx ne sert pas /projets"
cmp -s <(curl -s "$ngx_url$STORIES_PATH") "$ngx/www/temoignages-page/index.html" || die "nginx ne sert pas /temoignages"
cmp -s <(curl -s "$ngx_url$PROGRAMME_PATH") "$ngx/www/evenements-page/index.html" || die "nginx ne sert pas /evenements"

# --- wrk --------------------------------------------------------------------------------------
# Prints "req_per_s p99_ms errors" for one run.
# A second argument is sent as a header (the uncached runs send a cookie).
run_wrk() {
    local url=$1 out
    local extra=()
    [[ -n "${2:-}" ]] && extra=(-H "$2")
    out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "${extra[@]}" "$url") || { echo "$out" >&2; die "wrk a échoué sur $url"; }
    printf '%s\n' "$out" >> "$work/wrk.log"
    awk '
        function ms(v) {
            if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
            if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
            if (v ~ /m$/)  return substr(v, 1, length(v) - 1) * 60000
            if (v ~ /s$/)  return substr(v, 1, length(v) - 1) * 1000
            return v + 0
        }
        $1 == "Requests/sec:" { rps = $2 }
        $1 == "99%" { p99 = ms($2) }
        /Non-2xx or 3xx responses:/ { errors += $NF }
        /Socket errors:/ { gsub(/,/, ""); errors += $4 + $6 + $8 + $10 }
        END {
            if (rps == "" || p99 == "") exit 1
            printf "%s %.2f %d\n", rps, p99, errors
        }' <<<"$out" || { echo "$out" >&2; die "sortie de wrk illisible pour $url"; }
}

declare -A res
PAGES=(search offer products stories programme)
path_of() {
    case $1 in
        search) echo "$SEARCH_PATH" ;;
        offer) echo "$offer_path" ;;
        products) echo "$PRODUCTS_PATH" ;;
        stories) echo "$STORIES_PATH" ;;
        programme) echo "$PROGRAMME_PATH" ;;
    esac
}
for page in "${PAGES[@]}"; do
    path=$(path_of "$page")
    header=""
    [[ $page == products || $page == stories || $page == programme ]] && header="Cookie: banc=sans-cache"
    log "wrk $DURATION, $CONNECTIONS connections: metiers $path${header:+ (uncached)}"
    res[$page.app]=$(run_wrk "$app$path" "$header")
    log "wrk $DURATION, $CONNECTIONS connections: nginx $path"
    res[$page.ngx]=$(run_wrk "$ngx_url$path")
done

rss_kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status")
hwm_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$server_pid/status")

# --- report -----------------------------------------------------------------------------------
echo
echo "wrk -t2 -c$CONNECTIONS -d$DURATION --latency ; recherche : $(stat -c %s "$ngx/www/offres-emploi") octets ; offre $offer_path : $(stat -c %s "$ngx/www$offer_path") octets ; produits : $(stat -c %s "$ngx/www/projets-page/index.html") octets ; témoignages : $(stat -c %s "$ngx/www/temoignages-page/index.html") octets ; programme : $(stat -c %s "$ngx/www/evenements-page/index.html") octets"
echo
echo "| page | metiers req/s | nginx req/s | ratio (%) | target | metiers p99 (ms) | target p99 20 ms | verdict |"
echo "|---|---:|---:|---:|---:|---:|---|---|"
notes=()
for page in "${PAGES[@]}"; do
    read -r app_rps app_p99 app_err <<<"${res[$page.app]}"
    read -r ngx_rps _ ngx_err <<<"${res[$page.ngx]}"
    case $page in
        search) label="recherche \`$SEARCH_PATH\`"; target=25 ;;
        offer) label="offre \`/emploi/…\`"; target=60 ;;
        products) label="produits \`$PRODUCTS_PATH\` (sans cache)"; target=0 ;;
        stories) label="témoignages \`$STORIES_PATH\` (sans cache)"; target=0 ;;
        programme) label="programme du forum \`$PROGRAMME_PATH\` (sans cache)"; target=0 ;;
    esac
    python3 - "$label" "$app_rps" "$ngx_rps" "$target" "$app_p99" <<'PY'
import sys
label, app, ngx, target, p99 = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
ratio = 100 * app / ngx if ngx else 0.0
ok_ratio, ok_p99 = ratio >= target, p99 <= 20
verdict = "OK" if ok_ratio and ok_p99 else "NON (" + ", ".join(
    x for x, ok in (("débit", ok_ratio), ("p99", ok_p99)) if not ok) + ")"
n = lambda x: f"{x:,.0f}".replace(",", " ")
# Pages without a target yet (0) are measured, not judged.
shown_target, verdict = (f"≥ {target} %", verdict) if target else ("—", "mesure")
print(f"| {label} | {n(app)} | {n(ngx)} | {ratio:.1f} | {shown_target} | {p99:.2f} | {'oui' if ok_p99 else 'non'} | {verdict} |")
PY
    ((app_err == 0)) || notes+=("metiers, $page : $app_err réponses non-2xx/3xx ou erreurs de socket")
    ((ngx_err == 0)) || notes+=("nginx, $page : $ngx_err réponses non-2xx/3xx ou erreurs de socket")
done
echo
awk -v r="$rss_kb" -v h="$hwm_kb" 'BEGIN {
    printf "Mémoire résidente : %.0f MiB (pic %.0f MiB), objectif ≤ 150 MiB — %s\n", r / 1024, h / 1024, (h / 1024 <= 150 ? "OK" : "NON")
}'
for n in "${notes[@]}"; do echo "Attention : $n"; done
echo
cpu=$(lscpu 2>/dev/null | awk -F: '/^Model name/ { gsub(/^[ \t]+/, "", $2); print $2; exit }')
mem=$(free -g | awk '/^Mem:/ { print $2 }')
echo "Machine : $(nproc) cœurs, ${cpu:-CPU inconnu}, $mem GiB de mémoire ; wrk, metiers et nginx sur la même machine."
