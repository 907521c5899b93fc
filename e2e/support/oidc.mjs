// A real OpenID Connect provider imitating ProConnect for the browser tests:
// scripts/oidc_provider.mjs (oidc-provider) on a free loopback port. Its login
// page takes any password; the login picks the account (see ACCOUNTS there).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../scripts/oidc_provider.mjs', import.meta.url));
const STARTUP_TIMEOUT_MS = 20_000;
const SHUTDOWN_TIMEOUT_MS = 5_000;
const LOG_LIMIT = 64 * 1024;

/**
 * Starts the provider with one confidential client (client_secret_post).
 * @param {{ clientId: string, clientSecret: string, redirectUris: string[], postLogoutRedirectUris?: string[],
 *   accounts?: Record<string, Record<string, string>> }} options `accounts`: extra test accounts, login → claims
 * @returns {Promise<{ issuer: string, stop: () => Promise<void>, logs: () => string }>}
 */
export async function startOidcProvider({ clientId, clientSecret, redirectUris, postLogoutRedirectUris = [], accounts = {} }) {
  const env = {
    ...process.env,
    OIDC_PORT: '0',
    OIDC_CLIENT_ID: clientId,
    OIDC_CLIENT_SECRET: clientSecret,
    OIDC_REDIRECT_URIS: redirectUris.join(','),
    OIDC_POST_LOGOUT_REDIRECT_URIS: postLogoutRedirectUris.join(','),
    OIDC_ACCOUNTS: JSON.stringify(accounts),
  };
  const child = spawn(process.execPath, [SCRIPT], { env, stdio: ['ignore', 'pipe', 'pipe'] });

  let stdout = '';
  let stderr = '';
  const logs = () => stderr;
  child.stderr.on('data', (chunk) => {
    stderr += chunk.toString();
    if (stderr.length > LOG_LIMIT) stderr = stderr.slice(-LOG_LIMIT);
  });

  let exitInfo = null;
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  });
  const killOnExit = () => {
    if (!exitInfo) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const issuer = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${SCRIPT} printed no OIDC_ISSUER= line within ${STARTUP_TIMEOUT_MS / 1000} s; its stderr:\n${stderr}`));
    }, STARTUP_TIMEOUT_MS);
    child.stdout.on('data', (chunk) => {
      stdout += chunk.toString();
      const ready = stdout.match(/^OIDC_ISSUER=(\S+)$/m);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]);
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start node ${SCRIPT}: ${error.message}`));
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${SCRIPT} exited before OIDC_ISSUER= (${signal || `code ${code}`}); its stderr:\n${stderr}`));
    });
  }).catch(async (error) => {
    process.removeListener('exit', killOnExit);
    if (!exitInfo) child.kill('SIGKILL');
    await exited;
    throw error;
  });

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    if (exitInfo) {
      assert.fail(`the OIDC provider exited before stop() (${exitInfo.signal || `code ${exitInfo.code}`}); its stderr:\n${stderr}`);
    }
    child.kill('SIGTERM');
    const result = await Promise.race([exited, sleep(SHUTDOWN_TIMEOUT_MS, null)]);
    if (!result) {
      child.kill('SIGKILL');
      await exited;
      assert.fail(`the OIDC provider did not exit within ${SHUTDOWN_TIMEOUT_MS / 1000} s of SIGTERM; its stderr:\n${stderr}`);
    }
  }

  return { issuer, stop, logs };
}
