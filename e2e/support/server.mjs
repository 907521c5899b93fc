// Starts the real server (`metiers serve`) for the browser tests.
//
// Each server gets a fresh DATA_DIR (SQLite database under it, since
// DATABASE_URL is unset) and listens on a free loopback port.
import assert from 'node:assert/strict';
import { constants as fsConstants } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeExit, startProcess } from './process.mjs';

const STARTUP_TIMEOUT_MS = 120_000; // the first start migrates and seeds the demo catalogue
const SHUTDOWN_TIMEOUT_MS = 10_000;

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

  const proc = await startProcess({
    name: 'server',
    command: bin,
    args: ['serve'],
    env: childEnv,
    shutdownTimeout: SHUTDOWN_TIMEOUT_MS,
    cleanExit: true,
    cleanup: () => rm(dataDir, { recursive: true, force: true }),
  });

  // Wait for /healthz.
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let lastError = 'no answer yet';
  try {
    for (;;) {
      await sleep(0);
      if (proc.spawnError) throw new Error(`could not start ${bin}: ${proc.spawnError.message}`);
      if (proc.exitInfo) {
        throw new Error(`server exited during startup (${describeExit(proc.exitInfo)}); its output:\n${proc.logs()}`);
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
        throw new Error(`server not healthy after ${STARTUP_TIMEOUT_MS / 1000} s (${lastError}); its output:\n${proc.logs()}`);
      }
      await sleep(200);
    }
  } catch (error) {
    await proc.kill();
    throw error;
  }

  return { baseUrl, dataDir, stop: proc.stop, logs: proc.logs };
}
