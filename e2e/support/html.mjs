// The Nu HTML Checker (npm vnu-jar, on the machine's Java) on the HTML the server sent.
//
// One checker per test process, started on first use as an HTTP service on a free loopback
// port (a JVM per page would cost a second each), and killed when the process exits. Each
// document is checked once (by its bytes): the same page seen twice costs nothing.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './server.mjs';

const STARTUP_TIMEOUT_MS = 60_000;
const require = createRequire(import.meta.url);

let checker = null;
const checked = new Map();

async function startChecker() {
  const jar = path.join(path.dirname(require.resolve('vnu-jar/package.json')), 'build/dist/vnu.jar');
  const port = await freePort();
  const child = spawn(
    process.env.JAVA || 'java',
    ['-Xss1m', '-Dnu.validator.servlet.bind-address=127.0.0.1', '-cp', jar, 'nu.validator.servlet.Main', String(port)],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  child.stderr.unref?.();
  child.unref();
  let exited = null;
  child.once('exit', (code, signal) => {
    exited = { code, signal };
  });
  child.once('error', (error) => {
    exited = { error };
  });
  process.once('exit', () => child.kill('SIGKILL'));
  const url = `http://127.0.0.1:${port}/?out=json`;
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`the Nu HTML Checker did not start (${JSON.stringify(exited)}):\n${stderr}`);
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<!doctype html><html lang="fr"><title>t</title>' });
      if (res.ok) return { url };
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  child.kill('SIGKILL');
  throw new Error(`the Nu HTML Checker did not answer within ${STARTUP_TIMEOUT_MS} ms:\n${stderr}`);
}

/**
 * The checker's errors on `html` (a whole document), as lines "line N: message «extract»".
 * @param {string} html
 * @returns {Promise<string[]>}
 */
export async function htmlErrors(html) {
  const key = createHash('sha256').update(html).digest('hex');
  if (checked.has(key)) return checked.get(key);
  checker ??= startChecker();
  const { url } = await checker;
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/html; charset=utf-8' }, body: html });
  if (!res.ok) throw new Error(`the Nu HTML Checker answered ${res.status}`);
  const { messages = [] } = await res.json();
  const errors = messages
    .filter((m) => m.type === 'error' || m.type === 'non-document-error' || m.subType === 'fatal')
    .map((m) => `line ${m.lastLine ?? '?'}: ${m.message}${m.extract ? ` «${m.extract.trim().slice(0, 160)}»` : ''}`);
  checked.set(key, errors);
  return errors;
}
