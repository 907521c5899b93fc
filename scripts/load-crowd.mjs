// A busy day against the release build (issue 11): 200 sign-ups at once, 100 parallel wrong
// passwords on one account, 500 applications with a CV to one offer at once, the server's
// resident memory sampled throughout. Prints what it saw; exits non-zero only when something
// fails to run (it is a measurement; the assertions live in the test suite).
//
//   bash scripts/load-crowd.sh            (builds the release binary, installs sqlite3)
//   METIERS_BIN=target/release/metiers node scripts/load-crowd.mjs
//
// Each simulated person comes from their own address: the server runs with TRUST_PROXY and
// every request names its client in X-Forwarded-For, as a reverse proxy would, so the limits
// per IP see a crowd and not one machine. Everything stays on loopback.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from '../e2e/support/server.mjs';
import { buildPdf } from '../e2e/support/pdf.mjs';

const run = promisify(execFile);
const bin = path.resolve(process.env.METIERS_BIN || 'target/release/metiers');
const SIGNUPS = Number(process.env.SIGNUPS || 200);
const GUESSES = Number(process.env.GUESSES || 100);
const APPLICATIONS = Number(process.env.APPLICATIONS || 500);
const PASSWORD = 'cheval-agrafe-lune-brique';

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'metiers-load-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const env = { ...process.env, DATA_DIR: dataDir, BIND: `127.0.0.1:${port}`, PUBLIC_URL: base, TRUST_PROXY: 'true', RUST_LOG: 'error' };
delete env.DATABASE_URL;
const server = spawn(bin, ['serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
let serverErrors = '';
server.stderr.on('data', (d) => { serverErrors += d; });

async function rss() {
  const status = await readFile(`/proc/${server.pid}/status`, 'utf8');
  return Number(status.match(/VmRSS:\s+(\d+) kB/)[1]) / 1024;
}
let peak = 0;
let phasePeak = 0;
const sampler = setInterval(async () => {
  try {
    const mb = await rss();
    peak = Math.max(peak, mb);
    phasePeak = Math.max(phasePeak, mb);
  } catch { /* the server is gone */ }
}, 25);

async function sql(query) {
  const { stdout } = await run('sqlite3', [path.join(dataDir, 'metiers.db'), query]);
  return stdout.trim();
}

let client = 0;
/** A request from a new client address. */
function from(ip = `10.${(++client >> 16) & 255}.${(client >> 8) & 255}.${client & 255}`) {
  return { 'x-forwarded-for': ip };
}

function tally(statuses) {
  const t = {};
  for (const s of statuses) t[s] = (t[s] || 0) + 1;
  return Object.entries(t).map(([s, n]) => `${n} × ${s}`).join(', ');
}

async function phase(name, fn) {
  phasePeak = await rss();
  const start = performance.now();
  const out = await fn();
  const seconds = ((performance.now() - start) / 1000).toFixed(1);
  console.log(`\n## ${name}\n${out.join('\n')}\n(${seconds} s; server RSS peak in this phase ${phasePeak.toFixed(0)} MiB)`);
}

function form(fields) {
  return new URLSearchParams(fields).toString();
}

try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).status === 200) break;
    } catch { /* not yet */ }
    if (i > 600) throw new Error(`the server did not start:\n${serverErrors}`);
    await sleep(200);
  }
  console.log(`# A crowd on ${bin} (${os.cpus().length} cores, SQLite), server RSS at rest ${(await rss()).toFixed(0)} MiB`);

  await phase(`${SIGNUPS} sign-ups at once`, async () => {
    const statuses = await Promise.all(Array.from({ length: SIGNUPS }, (_, i) => fetch(`${base}/inscription`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...from() },
      body: form({ email: `foule${i}@exemple.fr`, password: PASSWORD, cgu: 'on' }),
    }).then(async (r) => { await r.arrayBuffer(); return r.status; })));
    const accounts = await sql("select count(*) from users where email like 'foule%'");
    return [`answers: ${tally(statuses)}`, `accounts created: ${accounts} (expected ${SIGNUPS})`];
  });

  await phase(`${GUESSES} parallel wrong passwords on one account`, async () => {
    const bodies = await Promise.all(Array.from({ length: GUESSES }, (_, i) => fetch(`${base}/connexion`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...from() },
      body: form({ email: 'foule0@exemple.fr', password: `essai-${i}` }),
    }).then(async (r) => ({ status: r.status, body: await r.text() }))));
    const checked = bodies.filter((b) => b.body.includes('Adresse e-mail ou mot de passe incorrect.')).length;
    const locked = bodies.filter((b) => b.body.includes('Trop de tentatives')).length;
    return [`answers: ${tally(bodies.map((b) => b.status))}`, `passwords checked: ${checked} (the lock is 5), refused by the lock: ${locked}`];
  });

  await phase('password reset: known and unknown addresses, one after the other', async () => {
    const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const times = { known: [], unknown: [] };
    for (let i = 1; i <= Math.min(100, SIGNUPS - 1); i++) {
      for (const [kind, email] of [['known', `foule${i}@exemple.fr`], ['unknown', `personne${i}@exemple.fr`]]) {
        const start = performance.now();
        const r = await fetch(`${base}/mot-de-passe-oublie`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...from() },
          body: form({ email }),
        });
        await r.arrayBuffer();
        times[kind].push(performance.now() - start);
      }
    }
    return [`median answer: known address ${median(times.known).toFixed(2)} ms, unknown address ${median(times.unknown).toFixed(2)} ms (${times.known.length} each)`];
  });

  await phase(`${APPLICATIONS} applications with a CV to one offer at once`, async () => {
    const { offres } = await (await fetch(`${base}/api/v1/offres?par_page=100`)).json();
    let offer;
    for (const o of offres) {
      const detail = await (await fetch(`${base}/api/v1/offres/${o.slug}`)).json();
      if (!detail.url_candidature) { offer = o.slug; break; }
    }
    // Candidates made with the CLI, signed in with their one-time link (which also verifies
    // the address), a few at a time: this is the set-up, not the load.
    const cookies = [];
    for (let i = 0; i < APPLICATIONS; i += 8) {
      const batch = await Promise.all(Array.from({ length: Math.min(8, APPLICATIONS - i) }, async (_, k) => {
        const { stdout } = await run(bin, ['user', 'add', `candidat${i + k}@exemple.fr`], { env });
        const link = stdout.trim().split('\n').pop().split(' : ').pop();
        const res = await fetch(link, { redirect: 'manual', headers: from() });
        return res.headers.get('set-cookie').split(';')[0];
      }));
      cookies.push(...batch);
    }
    const boundary = '----foule';
    const pdf = buildPdf('CV de la foule');
    const body = Buffer.concat([
      Buffer.from(['prenom', 'nom', 'lettre'].map((k) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\nFoule\r\n`).join('')),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="cv"; filename="cv.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
      pdf,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    phasePeak = await rss();
    const start = performance.now();
    const statuses = await Promise.all(cookies.map((cookie) => fetch(`${base}/candidature/${offer}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, cookie, ...from() },
      body,
    }).then(async (r) => { await r.arrayBuffer(); return r.status; })));
    const seconds = ((performance.now() - start) / 1000).toFixed(1);
    const applications = await sql(`select count(*) from applications a join offers o on o.id = a.offer_id where o.slug = '${offer}'`);
    const rows = await sql('select count(*) from files');
    const orphans = await sql('select count(*) from files f where not exists (select 1 from applications a where a.cv_file_id = f.id) and not exists (select 1 from candidate_profiles p where p.cv_file_id = f.id)');
    const stored = (await readdir(path.join(dataDir, 'files', 'cv')).catch(() => [])).length;
    return [
      `answers: ${tally(statuses)} (the applications themselves took ${seconds} s)`,
      `applications: ${applications} (expected ${APPLICATIONS}); file rows: ${rows}; files stored: ${stored}; rows without an application: ${orphans}`,
    ];
  });
  console.log(`\nserver RSS peak over the whole run: ${peak.toFixed(0)} MiB`);
  if (serverErrors.trim()) console.log(`\nserver errors:\n${serverErrors.trim().split('\n').slice(0, 20).join('\n')}`);
} finally {
  clearInterval(sampler);
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  await rm(dataDir, { recursive: true, force: true });
}
