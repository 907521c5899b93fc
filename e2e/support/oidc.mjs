// A real OpenID Connect provider imitating ProConnect for the browser tests:
// scripts/oidc_provider.mjs (oidc-provider) on a free loopback port. Its login
// page takes any password; the login picks the account (see ACCOUNTS there).
import { fileURLToPath } from 'node:url';
import { startProcess } from './process.mjs';

const SCRIPT = fileURLToPath(new URL('../../scripts/oidc_provider.mjs', import.meta.url));
const STARTUP_TIMEOUT_MS = 20_000;
const SHUTDOWN_TIMEOUT_MS = 5_000;

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
  const proc = await startProcess({
    name: `the OIDC provider (${SCRIPT})`,
    command: process.execPath,
    args: [SCRIPT],
    env,
    ready: /^OIDC_ISSUER=(\S+)$/m,
    readyTimeout: STARTUP_TIMEOUT_MS,
    shutdownTimeout: SHUTDOWN_TIMEOUT_MS,
  });
  return { issuer: proc.ready[1], stop: proc.stop, logs: proc.logs };
}
