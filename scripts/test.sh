#!/usr/bin/env bash
# The project's one test command: bash scripts/test.sh
#
# Installs what is missing (npm packages, Debian's chromium and Java, libfaketime, aiosmtpd,
# PostgreSQL), starts
# a throwaway PostgreSQL cluster, builds the server, runs the Rust tests
# (cargo nextest), checks clippy's disallowed methods, again with the system clock five years ahead (libfaketime, to find
# time bombs), then the browser tests (node --test e2e/). Works as root (CI)
# or as a user (sudo is used for apt-get when available). Exits non-zero when
# any step fails; the PostgreSQL cluster is stopped in every case.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
if [[ "${CI:-}" == "true" ]]; then
    export CARGO_TERM_COLOR=never
fi

step() { printf '\n==> %s\n' "$*"; }
die() { printf 'test.sh: error: %s\n' "$*" >&2; exit 1; }

SUDO=()
if [[ "$(id -u)" -ne 0 ]] && command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
fi

APT_UPDATED=0
apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "apt-get is unavailable; install $* by hand"
    if [[ "$(id -u)" -ne 0 && ${#SUDO[@]} -eq 0 ]]; then
        die "need root or sudo to install $* (apt-get); install it by hand"
    fi
    if [[ "$APT_UPDATED" -eq 0 ]]; then
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
        APT_UPDATED=1
    fi
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

FAILED=()

# --- a. npm packages ---------------------------------------------------------
step "npm packages"
command -v npm >/dev/null 2>&1 || die "npm is not installed"
if [[ ! -f node_modules/.package-lock.json ||
      package-lock.json -nt node_modules/.package-lock.json ||
      package.json -nt node_modules/.package-lock.json ]]; then
    npm ci --no-audit --no-fund
else
    echo "node_modules is up to date"
fi

# --- b. Chromium (Debian's, never a Playwright download) ----------------------
step "chromium"
if [[ ! -x /usr/bin/chromium ]]; then
    apt_install chromium
fi
/usr/bin/chromium --version 2>/dev/null || die "/usr/bin/chromium does not run"

# --- b1. Java, for the Nu HTML Checker (npm vnu-jar) of the browser tests --------
step "java (Nu HTML Checker)"
if ! command -v java >/dev/null 2>&1; then
    apt_install default-jre-headless
fi
java -version 2>&1 | head -1

# --- b2. A real SMTP server for the mail tests (PyPI aiosmtpd, in a venv) -----
step "SMTP test server (aiosmtpd)"
SMTP_VENV="${CARGO_TARGET_DIR:-target}/smtp-venv"
[[ "$SMTP_VENV" == /* ]] || SMTP_VENV="$(pwd)/$SMTP_VENV"
# The same venv holds a real iCalendar parser, which reads the forum's calendar files.
if ! "$SMTP_VENV/bin/python" -c 'import aiosmtpd, icalendar' >/dev/null 2>&1; then
    [[ -x "$SMTP_VENV/bin/python" ]] || python3 -m venv "$SMTP_VENV" || { apt_install python3-venv && python3 -m venv "$SMTP_VENV"; }
    "$SMTP_VENV/bin/python" -m pip install --quiet --disable-pip-version-check aiosmtpd==1.4.6 icalendar==7.3.0
fi
METIERS_SMTP_PYTHON="$SMTP_VENV/bin/python"
export METIERS_SMTP_PYTHON
"$METIERS_SMTP_PYTHON" -c 'import aiosmtpd, icalendar; print("aiosmtpd", aiosmtpd.__version__, "icalendar", icalendar.__version__)'

# --- c. PostgreSQL -----------------------------------------------------------
step "PostgreSQL test cluster"
stop_cluster() { bash scripts/pg-cluster.sh stop || echo "test.sh: warning: could not stop the PostgreSQL cluster" >&2; }
trap stop_cluster EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
METIERS_TEST_POSTGRES="$(bash scripts/pg-cluster.sh start)"
export METIERS_TEST_POSTGRES
echo "METIERS_TEST_POSTGRES=$METIERS_TEST_POSTGRES"

# --- d. Rust build and tests -------------------------------------------------
step "cargo build --bin metiers"
command -v cargo >/dev/null 2>&1 || die "cargo is not installed"
cargo build --bin metiers

step "cargo nextest run --workspace"
if ! cargo nextest --version >/dev/null 2>&1; then
    echo "cargo-nextest is missing: installing it"
    cargo install cargo-nextest --locked
fi
if ! cargo nextest run --workspace --no-fail-fast; then
    FAILED+=("cargo nextest")
fi

# --- d1. The rules clippy enforces (clippy.toml) -------------------------------
# One clock (no system time read outside domain::SystemClock) and one unit of work (no
# transaction opened outside the service layer and the jobs): broken, they fail the run.
step "cargo clippy: one clock, one unit of work"
if ! cargo clippy --version >/dev/null 2>&1; then
    rustup component add clippy
fi
if ! cargo clippy --workspace --all-targets -- -D clippy::disallowed_methods; then
    FAILED+=("cargo clippy (disallowed methods)")
fi

# --- d2. The same Rust tests with the system clock five years ahead ------------
# The tests fix the application's clock; production reads the system's. Any code that reads
# the system time instead of the injected clock behaves differently here (libfaketime shifts
# the system time of the test processes only; the build is not redone).
step "cargo nextest run --workspace, system clock five years ahead (faketime)"
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
if [[ ! -f "$FAKETIME_LIB" ]]; then
    apt_install libfaketime
fi
if ! CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER="$(pwd)/scripts/faketime-runner.sh" \
    cargo nextest run --workspace --no-fail-fast; then
    FAILED+=("cargo nextest (clock five years ahead)")
fi

# --- e. Browser tests --------------------------------------------------------
step "browser tests (node --test e2e/)"
METIERS_BIN="${CARGO_TARGET_DIR:-target}/debug/metiers"
export METIERS_BIN
[[ -x "$METIERS_BIN" ]] || die "$METIERS_BIN was not built"
shopt -s nullglob
e2e_files=(e2e/*.test.mjs)
shopt -u nullglob
[[ ${#e2e_files[@]} -gt 0 ]] || die "no browser test found (e2e/*.test.mjs)"
if ! node --test --test-concurrency=1 "${e2e_files[@]}"; then
    FAILED+=("browser tests")
fi

if [[ ${#FAILED[@]} -gt 0 ]]; then
    printf '\ntest.sh: FAILED: %s\n' "$(IFS=,; echo "${FAILED[*]}")" >&2
    exit 1
fi
printf '\ntest.sh: all steps passed\n'
