// Starts the real server (`metiers serve`) for the browser tests.
//
// Each server gets a fresh DATA_DIR (SQLite database under it, since
// DATABASE_URL is unset) and listens on a free loopback port.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const STARTUP_TIMEOUT_MS = 120_000; // the first start migrates and seeds the demo catalogue
const SHUTDOWN_TIMEOUT_MS = 10_000;
const LOG_LIMIT = 64 * 1024;

/** A TCP port that is free on 127.0.0.1 right now. */
export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts `metiers serve` and waits until GET /healthz answers 200.
 * @param {{ env?: Record<string, string>, port?: number }} [options] extra environment variables;
 *   `port`: listen there instead of a free port picked here (for a base URL that must be known
 *   before the server starts, e.g. registered at an OpenID provider; `freePort()` gives one)
 * @returns {Promise<{ baseUrl: string, dataDir: string, stop: () => Promise<void>, logs: () => string }>}
 */
export async function startServer({ env = {}, port: wantedPort } = {}) {
  const bin = path.resolve(process.env.METIERS_BIN || 'target/debug/metiers');
  try {
    await access(bin, fsConstants.X_OK);
  } catch {
    throw new Error(`server binary not found at ${bin}: build it with \`cargo build --bin metiers\` or set METIERS_BIN`);
  }

  if (wantedPort !== undefined) {
    assert.ok(Number.isInteger(wantedPort) && wantedPort > 0 && wantedPort < 65536, `invalid port: ${wantedPort}`);
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'metiers-e2e-'));
  const port = wantedPort ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;

  const childEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    BIND: `127.0.0.1:${port}`,
    RUST_LOG: 'warn',
    RUST_BACKTRACE: '1',
    ...env,
  };
  delete childEnv.DATABASE_URL;

  let output = '';
  const record = (chunk) => {
    output += chunk.toString();
    if (output.length > LOG_LIMIT) output = output.slice(-LOG_LIMIT);
  };

  const child = spawn(bin, ['serve'], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', record);
  child.stderr.on('data', record);

  let exitInfo = null;
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  });
  const spawnError = new Promise((resolve) => child.once('error', resolve));

  // Never leave a server behind if the test runner dies.
  const killOnExit = () => {
    if (!exitInfo) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const logs = () => output;
  const describeExit = ({ code, signal }) => (signal ? `signal ${signal}` : `code ${code}`);

  // Wait for /healthz.
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let lastError = 'no answer yet';
  for (;;) {
    const early = await Promise.race([spawnError, exited, sleep(0, null)]);
    if (early instanceof Error) {
      await rm(dataDir, { recursive: true, force: true });
      throw new Error(`could not start ${bin}: ${early.message}`);
    }
    if (exitInfo) {
      await rm(dataDir, { recursive: true, force: true });
      throw new Error(`server exited during startup (${describeExit(exitInfo)}); its output:\n${output}`);
    }
    try {
      const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      if (response.status === 200) break;
      lastError = `GET /healthz answered ${response.status}`;
    } catch (error) {
      lastError = error.cause?.code || error.message;
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      await rm(dataDir, { recursive: true, force: true });
      throw new Error(
        `server not healthy after ${STARTUP_TIMEOUT_MS / 1000} s (${lastError}); its output:\n${output}`,
      );
    }
    await sleep(200);
  }

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    try {
      if (exitInfo) {
        assert.fail(`server exited before stop() (${describeExit(exitInfo)}); its output:\n${output}`);
      }
      child.kill('SIGTERM');
      const result = await Promise.race([exited, sleep(SHUTDOWN_TIMEOUT_MS, null)]);
      if (!result) {
        child.kill('SIGKILL');
        await exited;
        assert.fail(`server did not exit within ${SHUTDOWN_TIMEOUT_MS / 1000} s of SIGTERM; its output:\n${output}`);
      }
      assert.ok(
        result.code === 0 && result.signal === null,
        `server should exit with code 0 on SIGTERM, got ${describeExit(result)}; its output:\n${output}`,
      );
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  };

  return { baseUrl, dataDir, stop, logs };
}
