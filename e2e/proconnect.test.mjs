// Agents' sign-in with ProConnect, against a real OpenID Connect provider
// (scripts/oidc_provider.mjs, npm oidc-provider) started by the test: an
// administrator maps an employer by its SIRET; an agent without an account
// comes back from the provider to an access request naming that employer; the
// administrator approves it; the agent signs in again and lands in the
// recruiter space, signs out, then out of ProConnect too, and ends on the
// site's home page. A second test maps an employer by an e-mail domain and
// covers the unknown employer and the request already pending.
//
// Our pages are driven with the keyboard (Tab, Enter) and each one is
// axe-clean, without console errors, CSP violations nor requests to another
// host. The provider's pages are not ours: no axe there, but the browser may
// talk to nothing but the site and the provider.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { addStaff, signInWithLink } from './support/accounts.mjs';
import { auditCurrentPage, checkPage, launchBrowser, pageProblems, withContexts } from './support/browser.mjs';
import { assertFocusVisible, describeFocus, tabExpect, tabTo } from './support/keyboard.mjs';
import { startOidcProvider } from './support/oidc.mjs';
import { h1, notice, text } from './support/page.mjs';
import { stopAll } from './support/process.mjs';
import { escapeRegExp } from './support/regexp.mjs';
import { freePort, startServer } from './support/server.mjs';
import { startSmtp } from './support/smtp.mjs';

const NAV_TIMEOUT = 15_000;
const MAIL_TIMEOUT = 15_000;

const CLIENT_ID = 'metiers-du-numerique-e2e';
const CLIENT_SECRET = 'un-secret-de-test-assez-long-pour-le-navigateur';

// The provider's fixed accounts (scripts/oidc_provider.mjs).
const AGENT_A = { email: 'agent.a@numerique.gouv.fr', name: 'Alice Agent', siret: '13002526500013' };
const AGENT_B = { email: 'agent.b@interieur.gouv.fr', name: 'Bruno Bleu', domain: 'interieur.gouv.fr' };
const UNKNOWN = { email: 'inconnu@exemple.gouv.fr', name: 'Ines Connue', siret: '99999999999999' };

const CALLBACK_PATH = '/connexion/proconnect/retour';

let smtp;
let provider;
let server;
let browser;

before(async () => {
  smtp = await startSmtp();
  // The redirect URIs registered at the provider hold the site's address: its port first.
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  provider = await startOidcProvider({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [`${publicUrl}${CALLBACK_PATH}`],
    postLogoutRedirectUris: [`${publicUrl}/`],
  });
  server = await startServer({
    port,
    env: {
      PUBLIC_URL: publicUrl,
      PROCONNECT_ISSUER: provider.issuer,
      PROCONNECT_CLIENT_ID: CLIENT_ID,
      PROCONNECT_CLIENT_SECRET: CLIENT_SECRET,
      MAIL_URL: smtp.url,
      WORKER_TICK: '1',
    },
  });
  assert.equal(server.baseUrl, publicUrl);
  browser = await launchBrowser();
}, { timeout: 180_000 });

after(() => stopAll(browser, server, provider, smtp));

// ---------------------------------------------------------------------------
// Helpers

const ours = (url) => new URL(url).origin === server.baseUrl;
const providers = (url) => new URL(url).origin === provider.issuer;

/**
 * Makes `page` record its main-frame documents (`page.documents`: { url, status }) and every
 * request it makes (`page.requested`), which must all go to the site or the provider.
 */
function recordTraffic(page) {
  page.documents = [];
  page.requested = [];
  page.on('request', (request) => page.requested.push(request.url()));
  page.on('response', (response) => {
    const request = response.request();
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) {
      page.documents.push({ url: response.url(), status: response.status() });
    }
  });
}

/** Every request of the page went to the site or the provider (the guard blocks the rest; this names them). */
function assertOnlyLocalTraffic(page) {
  const elsewhere = page.requested.filter((url) => {
    const { protocol } = new URL(url);
    return ['http:', 'https:', 'ws:', 'wss:'].includes(protocol) && !ours(url) && !providers(url);
  });
  assert.deepEqual([...new Set(elsewhere)], [], 'the browser should talk to nothing but the site and the provider');
}

/**
 * withContexts() options for the tests here: each page (in its own context, its own cookies
 * here and at the provider) records its traffic, which is checked once the test has run.
 */
const RECORDED_CONTEXTS = { timeout: NAV_TIMEOUT, setup: recordTraffic, check: assertOnlyLocalTraffic };

/** The last main-frame document the page loaded, which must be ours with `status`. */
function assertLastDocument(page, status, what) {
  const last = page.documents.at(-1);
  assert.ok(last, `${what}: no document loaded`);
  assert.ok(ours(last.url), `${what}: the page should be the site's, it is ${last.url}`);
  assert.equal(last.status, status, `${what}: HTTP status of ${last.url}`);
}

/**
 * auditCurrentPage() on one of our pages as it is now (reached by a key press, a redirect, a
 * POST), whose document answered `status`. The guards' records cover every document the page
 * loaded so far, the provider's included.
 */
async function auditSitePage(page, what, { status = 200 } = {}) {
  assert.ok(ours(page.url()), `${what}: expected one of the site's pages, the browser is on ${page.url()}`);
  assertLastDocument(page, status, what);
  await auditCurrentPage(page, what);
}

/** The console/CSP/network guards only, for a provider's page (not ours: no axe). */
async function assertProviderPageClean(page, what) {
  assert.ok(providers(page.url()), `${what}: expected the provider's page, the browser is on ${page.url()}`);
  const problems = await pageProblems(page);
  if (problems.length) assert.fail(`${what} (${page.url()}):\n${problems.join('\n')}`);
}

/**
 * Runs `action` (a key press, a click) and waits for the first navigation it causes to a URL
 * that `predicate` accepts (the current URL does not count), through any redirects and
 * intermediate pages, until that page has loaded.
 */
async function navigateUntil(page, action, predicate, what) {
  try {
    await Promise.all([
      page.waitForNavigation({ url: (url) => predicate(url), waitUntil: 'load', timeout: NAV_TIMEOUT }),
      action(),
    ]);
  } catch (error) {
    assert.fail(
      `${what}: did not arrive (${error.message.split('\n')[0]}); the page is ${page.url()} after ${JSON.stringify(page.documents.slice(-6))}`,
    );
  }
}

/** Selects the field's text and types `value` over it, keyboard only. */
async function typeOver(page, value) {
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(value);
}

/** From /admin/employeurs, the employer of row `index` (0-based): { id, name }. */
async function employerRow(page, index) {
  const link = page.locator('main table tbody tr').nth(index).locator('td:first-child a');
  const href = await link.getAttribute('href');
  const match = href?.match(/^\/admin\/employeurs\/(\d+)$/);
  assert.ok(match, `row ${index} of /admin/employeurs should link to /admin/employeurs/{id}: ${href}`);
  return { id: match[1], name: await text(link) };
}

/** Opens /admin/employeurs (checked) and the employer of row `index` with Tab and Enter; returns it. */
async function openEmployerWithKeyboard(page, index) {
  await checkPage(page, `${server.baseUrl}/admin/employeurs`);
  assert.equal(await h1(page), 'Employeurs');
  const employer = await employerRow(page, index);
  const href = `/admin/employeurs/${employer.id}`;
  await tabTo(page, `main a[href="${href}"]`, { max: 300 });
  await assertFocusVisible(page, `/admin/employeurs: the link to ${employer.name}`);
  await navigateUntil(page, () => page.keyboard.press('Enter'), (url) => url.pathname === href, `${employer.name} (Enter)`);
  await auditSitePage(page, `${href}`);
  assert.equal(await h1(page), employer.name);
  return employer;
}

/**
 * On /connexion (checked), Tab to the ProConnect button and Enter: to the provider's login
 * page (not ours: the guards only), which is filled with `email` and sent with the mouse.
 * Returns once the browser is back on the site, past the callback.
 */
async function signInWithProConnect(page, email, what) {
  await checkPage(page, `${server.baseUrl}/connexion`);
  assert.equal(await h1(page), 'Se connecter');
  const button = page.locator('main a.fr-connect.fr-connect--pro', { max: 120 });
  assert.equal(await button.count(), 1, '/connexion should show one ProConnect button');
  assert.equal(await text(button), 'S’identifier avec ProConnect');
  assert.equal(await button.getAttribute('href'), '/connexion/proconnect');
  await tabTo(page, 'main a.fr-connect.fr-connect--pro', { max: 120 });
  await assertFocusVisible(page, '/connexion: the ProConnect button');
  await navigateUntil(page, () => page.keyboard.press('Enter'), (url) => providers(url.href), `${what}: the ProConnect button (Enter)`);

  // The provider's login page.
  assert.match(new URL(page.url()).pathname, /^\/interaction\/[\w-]+$/, `${what}: the provider's login page`);
  assert.equal(await h1(page), 'Connexion');
  await assertProviderPageClean(page, `${what}: the provider's login page`);
  await page.getByLabel('Adresse électronique').fill(email);
  await page.getByLabel('Mot de passe').fill('un mot de passe quelconque');
  await navigateUntil(
    page,
    () => page.getByRole('button', { name: 'Se connecter' }).click(),
    (url) => ours(url.href),
    `${what}: back from the provider`,
  );
  // Through the callback, which holds the code and the state.
  const callback = page.documents.findLast((d) => ours(d.url) && new URL(d.url).pathname === CALLBACK_PATH);
  assert.ok(callback, `${what}: the provider should send the browser to ${CALLBACK_PATH}: ${JSON.stringify(page.documents)}`);
  const params = new URL(callback.url).searchParams;
  assert.ok(params.get('code') && params.get('state'), `${what}: the callback should carry a code and the state: ${callback.url}`);
}

/** The access request card of `email` on /admin, and its id (from the form). */
async function requestCard(page, agent) {
  const card = page
    .locator('#demandes ~ .fr-card')
    .filter({ has: page.locator('h3', { hasText: `${agent.name} — ${agent.email}` }) });
  assert.equal(await card.count(), 1, `/admin should list ${agent.name}’s request once`);
  const action = await card.locator('form').getAttribute('action');
  const match = action?.match(/^\/admin\/demandes\/(\d+)\/decision$/);
  assert.ok(match, `the request form should post to /admin/demandes/{id}/decision: ${action}`);
  return { card, id: match[1] };
}

/** The row of `email` in the accounts table of /admin. */
function accountRow(page, email) {
  return page
    .locator('main table')
    .filter({ has: page.locator('caption', { hasText: /^Comptes$/ }) })
    .locator('tbody tr')
    .filter({ has: page.locator('td:first-child', { hasText: email }) });
}

// ---------------------------------------------------------------------------
// 1. SIRET mapping, access request, approval, sign-in, sign-out (here and at ProConnect).

test('an agent without an account signs in with ProConnect: access request, approval, recruiter space, sign-out of both', { timeout: 120_000 }, () =>
  withContexts(browser, async (open) => {
    // The administrator maps the first employer to agent A's SIRET, keyboard only.
    const admin = await addStaff(server, 'administrator', { label: 'admin' });
    const adminPage = await open();
    await signInWithLink(adminPage, admin.link, '/admin', 'Administration');
    const employer = await openEmployerWithKeyboard(adminPage, 0);
    const employerPath = `/admin/employeurs/${employer.id}`;
    await tabTo(adminPage, 'main input#siret', { max: 120 });
    await assertFocusVisible(adminPage, `${employerPath}: «SIRET (facultatif)»`);
    assert.equal(await adminPage.getByLabel(/^SIRET \(facultatif\)/).getAttribute('id'), 'siret', '«SIRET (facultatif)» should label #siret');
    await typeOver(adminPage, AGENT_A.siret);
    await tabExpect(adminPage, `main form[action="${employerPath}"] button[type="submit"]`, `${employerPath}: from «SIRET»`);
    assert.equal((await describeFocus(adminPage)).text, 'Enregistrer');
    await navigateUntil(
      adminPage,
      () => adminPage.keyboard.press('Enter'),
      (url) => url.pathname === employerPath,
      '«Enregistrer» (Enter)',
    );
    await auditSitePage(adminPage, `${employerPath} after saving`);
    assert.equal(await text(notice(adminPage)), 'Employeur enregistré.');
    assert.equal(await adminPage.locator('#siret').inputValue(), AGENT_A.siret, 'the SIRET is kept');
    await checkPage(adminPage, `${server.baseUrl}/admin/employeurs`);
    const listed = adminPage.locator('main table tbody tr').filter({ has: adminPage.locator(`a[href="${employerPath}"]`) });
    assert.match(await text(listed.locator('td').first()), new RegExp(`SIRET ${AGENT_A.siret}`), 'the list shows the SIRET');

    // Agent A, without an account: ProConnect, then the access request page.
    const agentPage = await open();
    await signInWithProConnect(agentPage, AGENT_A.email, 'agent A, first time');
    assert.equal(new URL(agentPage.url()).pathname, CALLBACK_PATH, 'the answer is the callback page itself');
    await auditSitePage(agentPage, 'agent A: the access request page');
    assert.equal(await h1(agentPage), 'Demande d’accès envoyée');
    const requestText = await text(agentPage.locator('main'));
    assert.ok(
      requestText.includes(`Votre demande pour ${employer.name} est transmise`) && requestText.includes(AGENT_A.email),
      `the page should name ${employer.name} and the address: ${requestText}`,
    );
    // Agent A is told by e-mail that the request is filed (waitForMessage fails otherwise).
    await smtp.waitForMessage({ to: AGENT_A.email, subject: 'Votre demande d’accès recruteur est enregistrée', timeout: MAIL_TIMEOUT });
    // Not signed in: the recruiter space sends to the sign-in page.
    await agentPage.goto(`${server.baseUrl}/recruteur`);
    assert.equal(new URL(agentPage.url()).pathname, '/connexion', 'an access request signs nobody in');

    // The administrator sees the request, the employer preselected, and approves it with the keyboard.
    await checkPage(adminPage, `${server.baseUrl}/admin`);
    assert.equal(await accountRow(adminPage, AGENT_A.email).count(), 0, 'a request creates no account');
    const { card, id: requestId } = await requestCard(adminPage, AGENT_A);
    assert.match(await text(card.locator('.fr-card__desc')), new RegExp(`^Agent connecté avec ProConnect, ${escapeRegExp(employer.name)} — demandé le `));
    const select = card.getByLabel('Employeur de rattachement');
    assert.equal(await select.inputValue(), employer.id, 'the employer found by SIRET is preselected');
    assert.equal(await text(select.locator('option:checked')), employer.name);
    await tabTo(adminPage, `main form[action="/admin/demandes/${requestId}/decision"] button[value="approuver"]`, { max: 300 });
    await assertFocusVisible(adminPage, '/admin: «Approuver»');
    await navigateUntil(adminPage, () => adminPage.keyboard.press('Enter'), (url) => url.pathname === '/admin', '«Approuver» (Enter)');
    await auditSitePage(adminPage, '/admin after the approval');
    assert.equal(await text(notice(adminPage)), 'Demande approuvée : un lien de connexion a été envoyé.');
    assert.equal(await adminPage.locator(`form[action="/admin/demandes/${requestId}/decision"]`).count(), 0, 'the request is no longer pending');
    assert.equal(await accountRow(adminPage, AGENT_A.email).getByLabel(`Rôle de ${AGENT_A.email}`).inputValue(), 'recruiter');
    const approved = await smtp.waitForMessage({ to: AGENT_A.email, subject: 'Votre accès recruteur est ouvert', timeout: MAIL_TIMEOUT });
    assert.ok(approved.text.includes(employer.name), `the approval e-mail should name the employer:\n${approved.text}`);

    // Agent A again, in a fresh browser: ProConnect leads to the recruiter space.
    const recruiterPage = await open();
    await signInWithProConnect(recruiterPage, AGENT_A.email, 'agent A, approved');
    assert.equal(new URL(recruiterPage.url()).pathname, '/recruteur', 'an approved agent lands in the recruiter space');
    await auditSitePage(recruiterPage, '/recruteur after ProConnect');
    assert.equal(await h1(recruiterPage), 'Espace recruteur');
    assert.ok(
      (await recruiterPage.locator(`form[action="/deconnexion"] button[title="Se déconnecter (${AGENT_A.email})"]`).count()) > 0,
      'the header names the signed-in agent',
    );

    // Sign-out with the header button, keyboard only.
    await tabTo(recruiterPage, 'header form[action="/deconnexion"] button', { max: 120 });
    await assertFocusVisible(recruiterPage, 'header: «Se déconnecter»');
    await navigateUntil(
      recruiterPage,
      () => recruiterPage.keyboard.press('Enter'),
      (url) => url.pathname === '/deconnexion',
      '«Se déconnecter» (Enter)',
    );
    await auditSitePage(recruiterPage, 'the sign-out page');
    assert.equal(await h1(recruiterPage), 'Vous êtes déconnecté·e');
    const logoutLink = recruiterPage.getByRole('link', { name: 'Me déconnecter aussi de ProConnect' });
    assert.equal(await logoutLink.count(), 1, 'the page offers to sign out of ProConnect too');
    const logoutUrl = new URL(await logoutLink.getAttribute('href'));
    assert.equal(`${logoutUrl.origin}${logoutUrl.pathname}`, `${provider.issuer}/session/end`, 'the link goes to the provider’s end_session endpoint');
    assert.ok(logoutUrl.searchParams.get('id_token_hint'), `the link carries the ID token: ${logoutUrl}`);
    assert.equal(logoutUrl.searchParams.get('client_id'), CLIENT_ID);
    assert.equal(logoutUrl.searchParams.get('post_logout_redirect_uri'), `${server.baseUrl}/`);
    // Signed out of the site already.
    const anonymous = await recruiterPage.request.get(`${server.baseUrl}/recruteur`, { maxRedirects: 0 });
    assert.equal(anonymous.headers().location, '/connexion?suivant=%2Frecruteur', 'the site session is closed');

    // Out of ProConnect too: the provider's page submits itself and sends the browser home.
    await tabTo(recruiterPage, 'main a[href^="http"]', { max: 120 });
    assert.equal((await describeFocus(recruiterPage)).text, 'Me déconnecter aussi de ProConnect');
    await assertFocusVisible(recruiterPage, 'the sign-out page: «Me déconnecter aussi de ProConnect»');
    await navigateUntil(
      recruiterPage,
      () => recruiterPage.keyboard.press('Enter'),
      (url) => ours(url.href) && url.pathname === '/',
      '«Me déconnecter aussi de ProConnect» (Enter)',
    );
    assert.ok(
      recruiterPage.documents.some((d) => providers(d.url) && new URL(d.url).pathname.startsWith('/session/end')),
      `the browser should go through the provider’s logout: ${JSON.stringify(recruiterPage.documents.slice(-4))}`,
    );
    await auditSitePage(recruiterPage, 'the home page after signing out of ProConnect');
    assert.equal(await recruiterPage.locator('header form[action="/deconnexion"]').count(), 0, 'nobody is signed in');

    // The provider's session is over: ProConnect asks for the login again.
    await checkPage(recruiterPage, `${server.baseUrl}/connexion`);
    await tabTo(recruiterPage, 'main a.fr-connect.fr-connect--pro', { max: 120 });
    await navigateUntil(recruiterPage, () => recruiterPage.keyboard.press('Enter'), (url) => providers(url.href), 'ProConnect after its sign-out');
    assert.match(new URL(recruiterPage.url()).pathname, /^\/interaction\/[\w-]+$/, 'the provider should show its login page again');
    assert.equal(await recruiterPage.getByLabel('Adresse électronique').count(), 1);
    await assertProviderPageClean(recruiterPage, 'the provider’s login page after its sign-out');

    // The administrator's journal records that the account is now tied to that ProConnect identity.
    await adminPage.goto(`${server.baseUrl}/admin`);
    const journal = adminPage.locator('#journal ~ .fr-table tbody tr').filter({ hasText: 'Compte relié à ProConnect' });
    assert.equal(await journal.count(), 1, 'the audit log records the ProConnect link once');
    assert.match(await text(journal), new RegExp(`${escapeRegExp(AGENT_A.email)}.*identité ProConnect [0-9a-f]{64}`));
    await checkPage(adminPage, `${server.baseUrl}/admin`);
  }, RECORDED_CONTEXTS),
);

// ---------------------------------------------------------------------------
// 2. E-mail domain mapping, unknown employer, a request already pending.

test('ProConnect maps an agent by e-mail domain, files an unknown employer as such, and never files twice', { timeout: 90_000 }, () =>
  withContexts(browser, async (open) => {
    // The administrator adds agent B's domain to the second employer, keyboard only.
    const admin = await addStaff(server, 'administrator', { label: 'admin-domaines' });
    const adminPage = await open();
    await signInWithLink(adminPage, admin.link, '/admin', 'Administration');
    const employer = await openEmployerWithKeyboard(adminPage, 1);
    const employerPath = `/admin/employeurs/${employer.id}`;
    await tabTo(adminPage, 'main input#domaine', { max: 120 });
    await assertFocusVisible(adminPage, `${employerPath}: «Ajouter un domaine»`);
    assert.equal(await adminPage.getByLabel(/^Ajouter un domaine/).getAttribute('id'), 'domaine');
    await adminPage.keyboard.type(AGENT_B.domain);
    await tabExpect(adminPage, `main form[action="${employerPath}/domaines"] button[type="submit"]`, `${employerPath}: from «Ajouter un domaine»`);
    await navigateUntil(adminPage, () => adminPage.keyboard.press('Enter'), (url) => url.pathname === employerPath, '«Ajouter le domaine» (Enter)');
    await auditSitePage(adminPage, `${employerPath} after adding a domain`);
    assert.equal(await text(notice(adminPage)), `Domaine ${AGENT_B.domain} ajouté.`);
    const domains = adminPage.locator('#domaines ~ ul').first();
    assert.match(await text(domains), new RegExp(escapeRegExp(AGENT_B.domain)));

    // Agent B (an unknown SIRET): the employer of the domain.
    const agentB = await open();
    await signInWithProConnect(agentB, AGENT_B.email, 'agent B');
    await auditSitePage(agentB, 'agent B: the access request page');
    assert.equal(await h1(agentB), 'Demande d’accès envoyée');
    assert.ok((await text(agentB.locator('main'))).includes(`Votre demande pour ${employer.name} est transmise`), 'the employer of the domain is named');

    // Agent B once more (the provider remembers them): the request is already pending.
    await checkPage(agentB, `${server.baseUrl}/connexion`);
    await tabTo(agentB, 'main a.fr-connect.fr-connect--pro', { max: 120 });
    await navigateUntil(agentB, () => agentB.keyboard.press('Enter'), (url) => ours(url.href) && url.pathname === CALLBACK_PATH, 'agent B, again (single sign-on)');
    await auditSitePage(agentB, 'agent B: the pending request page');
    assert.equal(await h1(agentB), 'Demande en cours');

    // An agent whose employer the platform does not know.
    const unknown = await open();
    await signInWithProConnect(unknown, UNKNOWN.email, 'an unknown employer’s agent');
    await auditSitePage(unknown, 'unknown employer: the access request page');
    assert.equal(await h1(unknown), 'Demande d’accès envoyée');
    assert.ok((await text(unknown.locator('main'))).includes('votre employeur n’est pas encore connu de la plateforme'));

    // The administrator's view of both requests.
    await checkPage(adminPage, `${server.baseUrl}/admin`);
    const b = await requestCard(adminPage, AGENT_B);
    assert.equal(await b.card.getByLabel('Employeur de rattachement').inputValue(), employer.id, 'the employer of the domain is preselected');
    const u = await requestCard(adminPage, UNKNOWN);
    assert.equal(await u.card.getByLabel('Employeur de rattachement').inputValue(), '', 'nothing is preselected for an unknown employer');
    assert.match(await text(u.card.locator('.fr-card__desc')), new RegExp(`Employeur non reconnu \\(SIRET ${UNKNOWN.siret}\\)`));
    const pendingB = adminPage.locator('#demandes ~ .fr-card h3', { hasText: AGENT_B.email });
    assert.equal(await pendingB.count(), 1, 'agent B’s second visit filed no second request');
  }, RECORDED_CONTEXTS),
);
