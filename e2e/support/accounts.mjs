// Accounts for the browser tests: fresh addresses, staff accounts made with the
// CLI (`metiers user add`) and signed in with the one-time link it prints, and
// candidates signed up through the site, their address verified with the link
// the SMTP catcher received.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { h1, navigation } from './page.mjs';
import { escapeRegExp } from './regexp.mjs';

const execFileAsync = promisify(execFile);

/** A password the sign-up form accepts (long, not a common one). */
export const STRONG_PASSWORD = 'cheval-agrafe-lune-brique';

let addressCounter = 0;

/**
 * A fresh address for each account (the accounts of a test file live in one database).
 * @param {string} label the local part's beginning, e.g. a first name or a role
 * @returns {string}
 */
export function newAddress(label) {
  addressCounter += 1;
  return `${label}.${process.pid}.${Date.now()}.${addressCounter}@exemple.fr`;
}

/**
 * Creates a staff account with the CLI ($METIERS_BIN, else target/debug/metiers), against the
 * running server's data folder, and checks what it prints: a first line naming the account, a
 * second with the one-time sign-in link to the server.
 * @param {{ baseUrl: string, dataDir: string }} server from startServer()
 * @param {string} role `recruiter` or `administrator`
 * @param {{ institution?: string | null, label?: string, env?: Record<string, string> }} [options]
 *   `institution`: the employer's slug (recruiters); `label`: the address's beginning (the role by
 *   default); `env`: more environment for the CLI (the server's shifted clock, so that the link
 *   is valid at the server's time)
 * @returns {Promise<{ email: string, link: string }>}
 */
export async function addStaff(server, role, { institution = null, label = role, env: extraEnv = {} } = {}) {
  const bin = path.resolve(process.env.METIERS_BIN || 'target/debug/metiers');
  const email = newAddress(label);
  const args = ['user', 'add', '--role', role, ...(institution ? ['--institution', institution] : []), email];
  const env = { ...process.env, DATA_DIR: server.dataDir, PUBLIC_URL: server.baseUrl, RUST_LOG: 'warn', ...extraEnv };
  delete env.DATABASE_URL;
  let stdout;
  try {
    ({ stdout } = await execFileAsync(bin, args, { env, timeout: 60_000 }));
  } catch (error) {
    assert.fail(`metiers ${args.join(' ')} failed: ${error.message}\n${error.stdout || ''}${error.stderr || ''}`);
  }
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 2, `\`metiers user add\` should print two lines:\n${stdout}`);
  assert.ok(lines[0].includes(email), `the first line should name the account:\n${stdout}`);
  const match = lines[1].match(/^Lien de connexion à usage unique, valable 24 heures : (\S+)$/);
  assert.ok(match, `the second line should hold the one-time link:\n${stdout}`);
  const link = match[1];
  assert.match(link, new RegExp(`^${escapeRegExp(server.baseUrl)}/connexion/lien/[A-Za-z0-9_-]{20,}$`));
  return { email, link };
}

/**
 * Opens the one-time link (as from a mail client) and asserts it answers 200 at `home`,
 * signed in, whose main heading is `heading`.
 * @param {import('playwright-core').Page} page
 * @param {string} link
 * @param {string} home the path the link should lead to, e.g. /recruteur
 * @param {string} heading e.g. «Espace recruteur»
 */
export async function signInWithLink(page, link, home, heading) {
  const response = await page.goto(link, { waitUntil: 'load' });
  assert.equal(response.status(), 200, `GET ${link}`);
  assert.equal(new URL(page.url()).pathname, home, `the one-time link should lead to ${home}`);
  assert.equal(await h1(page), heading);
}

/**
 * The verification link of the «Confirmez votre adresse e-mail» message sent to `email`: the
 * one link to the server in its text part, which its HTML part links to as well.
 * @param {{ server: { baseUrl: string }, smtp: { waitForMessage: Function } }} site
 * @param {string} email
 * @param {{ timeout?: number }} [options] how long to wait for the message, in ms
 * @returns {Promise<string>}
 */
export async function verificationLink({ server, smtp }, email, { timeout = 15_000 } = {}) {
  const message = await smtp.waitForMessage({ to: email, subject: 'Confirmez votre adresse e-mail', timeout });
  const pattern = new RegExp(`${escapeRegExp(server.baseUrl)}/verification-email/[A-Za-z0-9_-]{20,}`, 'g');
  const inText = [...new Set(message.text.match(pattern) || [])];
  assert.equal(inText.length, 1, `the text part should hold one verification link to ${server.baseUrl}:\n${message.text}`);
  assert.ok(
    message.html.includes(`href="${inText[0]}"`),
    `the HTML part should link to the same address ${inText[0]}:\n${message.html}`,
  );
  return inText[0];
}

/**
 * Signs a new candidate up on `page` (with STRONG_PASSWORD), verifies the address with the
 * link from the e-mail, which signs in: the page ends in the candidate space.
 * @param {{ server: { baseUrl: string }, smtp: { waitForMessage: Function } }} site
 * @param {import('playwright-core').Page} page
 * @param {string} label the address's beginning
 * @param {string} prenom
 * @param {string} nom
 * @returns {Promise<{ email: string, page: import('playwright-core').Page, prenom: string, nom: string }>}
 */
export async function newCandidate(site, page, label, prenom, nom) {
  const { server } = site;
  const email = newAddress(label);
  await page.goto(`${server.baseUrl}/inscription`);
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel(/^Mot de passe/).fill(STRONG_PASSWORD);
  await page.locator('label[for="cgu"]').click({ position: { x: 5, y: 5 } });
  await navigation(page, () => page.getByRole('button', { name: 'Créer mon compte' }).click(), `sign-up ${email}`);
  assert.equal(await h1(page), 'Vérifiez votre boîte e-mail');
  await page.goto(await verificationLink(site, email));
  await assertVerifiedAndSignedIn(page, email);
  return { email, page, prenom, nom };
}

/**
 * After the verification link: the candidate space, signed in, with the one-time notice that
 * says the address is confirmed.
 * @param {import('playwright-core').Page} page
 * @param {string} email
 */
export async function assertVerifiedAndSignedIn(page, email) {
  assert.equal(new URL(page.url()).pathname, '/espace-candidat', `following the link should sign ${email} in`);
  assert.equal(await h1(page), 'Mon espace candidat');
  const notice = (await page.locator('main .fr-alert--success').textContent()) || '';
  assert.match(notice, /votre adresse est confirmée et vous êtes connecté·e/);
  const logout = page.locator('header[role="banner"]').getByRole('button', { name: /Se déconnecter/ });
  assert.match((await logout.getAttribute('title')) || '', new RegExp(escapeRegExp(email)));
}

/**
 * Signs out with the header's button.
 * @param {import('playwright-core').Page} page
 */
export async function signOut(page) {
  const logout = page.locator('header[role="banner"]').getByRole('button', { name: /Se déconnecter/ });
  await navigation(page, () => logout.click(), 'sign-out');
  assert.equal(await page.locator('header[role="banner"]').getByRole('link', { name: 'Se connecter', exact: true }).count(), 1);
}
