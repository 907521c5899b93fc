// The forum's busy minute against the release build (issue 14): 1,500 registrations arriving
// within a minute (each from its own address, as behind a reverse proxy: TRUST_PROXY and
// X-Forwarded-For), every one by e-mail alone, spread over the demo edition's sessions;
// then the 1,500 confirmation links followed at once, which hands out the seats and fills the
// waiting lists; then the programme page read by 64 clients at once, uncached (the forum's
// pages never are). Prints what it saw, with latencies and the server's resident memory;
// exits non-zero only when something fails to run (the assertions live in the test suite).
//
//   bash scripts/load-forum.sh                  (builds the release binary, installs sqlite3)
//   SKIP_BUILD=1 REGISTRATIONS=1500 SECONDS_SPREAD=60 bash scripts/load-forum.sh
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from '../e2e/support/server.mjs';

const run = promisify(execFile);
const bin = path.resolve(process.env.METIERS_BIN || 'target/release/metiers');
const REGISTRATIONS = Number(process.env.REGISTRATIONS || 1500);
const SPREAD = Number(process.env.SECONDS_SPREAD || 60);
const READERS = Number(process.env.READERS || 64);
const READ_SECONDS = Number(process.env.READ_SECONDS || 20);

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'metiers-forum-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const env = { ...process.env, DATA_DIR: dataDir, BIND: `127.0.0.1:${port}`, PUBLIC_URL: base, TRUST_PROXY: 'true', RUST_LOG: 'error', WORKER_TICK: '3600' };
delete env.DATABASE_URL;
const server = spawn(bin, ['serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
let serverErrors = '';
server.stderr.on('data', (d) => { serverErrors += d; });

async function rss() {
  const status = await readFile(`/proc/${server.pid}/status`, 'utf8');
  return Number(status.match(/VmRSS:\s+(\d+) kB/)[1]) / 1024;
}
let peak = 0;
const sampler = setInterval(async () => {
  try { peak = Math.max(peak, await rss()); } catch { /* gone */ }
}, 25);

async function sql(query) {
  const { stdout } = await run('sqlite3', [path.join(dataDir, 'metiers.db'), query]);
  return stdout.trim();
}

let client = 0;
const from = () => ({ 'x-forwarded-for': `10.${(++client >> 16) & 255}.${(client >> 8) & 255}.${client & 255}` });
const tally = (xs) => Object.entries(xs.reduce((t, s) => ({ ...t, [s]: (t[s] || 0) + 1 }), {})).map(([s, n]) => `${n} × ${s}`).join(', ');
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))]; };
const ms = (x) => `${x.toFixed(1)} ms`;

try {
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${base}/healthz`)).status === 200) break; } catch { /* not yet */ }
    if (i > 600) throw new Error(`the server did not start:\n${serverErrors}`);
    await sleep(200);
  }
  const { sessions } = await (await fetch(`${base}/api/v1/evenements`)).json();
  const open = sessions.filter((s) => s.etat === 'published');
  console.log(`# The forum's busy minute on ${bin} (${os.cpus().length} cores, SQLite), ${open.length} sessions, server RSS at rest ${(await rss()).toFixed(0)} MiB`);

  // 1. Registrations arriving evenly over the minute, each on its own task.
  let start = performance.now();
  const latencies = [];
  const pending = [];
  for (let i = 0; i < REGISTRATIONS; i++) {
    const due = (i * SPREAD * 1000) / REGISTRATIONS;
    const wait = due - (performance.now() - start);
    if (wait > 0) await sleep(wait);
    const session = open[i % open.length];
    const t0 = performance.now();
    pending.push(fetch(`${base}/evenements/${session.slug}/inscription`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...from() },
      body: new URLSearchParams({ email: `foule${i}@exemple.fr` }).toString(),
    }).then(async (r) => { await r.arrayBuffer(); latencies.push(performance.now() - t0); return r.status; }));
  }
  const statuses = await Promise.all(pending);
  let seconds = (performance.now() - start) / 1000;
  const rows = await sql("select count(*) from forum_registrations where status = 'pending'");
  const mails = await sql("select count(*) from outbox where subject like 'Confirmez votre inscription%'");
  console.log(`\n## ${REGISTRATIONS} registrations by e-mail within ${SPREAD} s\nanswers: ${tally(statuses)} in ${seconds.toFixed(1)} s\nlatency p50 ${ms(pct(latencies, 0.5))}, p99 ${ms(pct(latencies, 0.99))}, max ${ms(Math.max(...latencies))}\nregistrations waiting for their link: ${rows}; confirmation e-mails queued: ${mails}`);

  // 2. Every confirmation link at once: seats, then the waiting lists.
  const tokens = (await sql("select token from forum_registrations where status = 'pending'")).split('\n').filter(Boolean);
  start = performance.now();
  const confirmLatencies = [];
  const confirmed = await Promise.all(tokens.map((t) => {
    const t0 = performance.now();
    return fetch(`${base}/forum/confirmer/${t}`, { method: "POST", headers: from() }).then(async (r) => { await r.arrayBuffer(); confirmLatencies.push(performance.now() - t0); return r.status; });
  }));
  seconds = (performance.now() - start) / 1000;
  const registered = await sql("select count(*) from forum_registrations where status = 'registered'");
  const waiting = await sql("select count(*) from forum_registrations where status = 'waiting'");
  const over = await sql('select count(*) from forum_sessions where taken > capacity');
  const mismatch = await sql("select count(*) from forum_sessions s where taken <> (select count(*) from forum_registrations r where r.session_id = s.id and r.status = 'registered')");
  console.log(`\n## ${tokens.length} confirmation links followed at once\nanswers: ${tally(confirmed)} in ${seconds.toFixed(1)} s, p50 ${ms(pct(confirmLatencies, 0.5))}, p99 ${ms(pct(confirmLatencies, 0.99))}\nregistered ${registered}, waiting ${waiting}; sessions over capacity: ${over}; sessions whose counter differs from their rows: ${mismatch}`);

  // 3. The programme page read by many at once, uncached.
  const readLatencies = [];
  let reads = 0;
  const until = performance.now() + READ_SECONDS * 1000;
  await Promise.all(Array.from({ length: READERS }, async () => {
    while (performance.now() < until) {
      const t0 = performance.now();
      const r = await fetch(`${base}/evenements`, { headers: { cookie: 'metiers_session=aucune' } });
      await r.arrayBuffer();
      if (r.status !== 200) throw new Error(`/evenements answered ${r.status}`);
      readLatencies.push(performance.now() - t0);
      reads++;
    }
  }));
  console.log(`\n## /evenements read by ${READERS} clients for ${READ_SECONDS} s (uncached; the client is Node's fetch on the same 2 cores)\n${(reads / READ_SECONDS).toFixed(0)} pages/s, p50 ${ms(pct(readLatencies, 0.5))}, p99 ${ms(pct(readLatencies, 0.99))}`);
  console.log(`\nserver RSS peak ${peak.toFixed(0)} MiB; server errors logged: ${serverErrors.trim() ? serverErrors.trim().split('\n').length : 0}`);
} finally {
  clearInterval(sampler);
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  await rm(dataDir, { recursive: true, force: true });
}
