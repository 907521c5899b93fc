// The candidate's path: sign-up, e-mail verification through a real SMTP
// server, sign-in, applying to an offer with a PDF CV, the confirmation page
// and e-mail, the candidate space, withdrawing. Every page is axe-clean
// without console errors nor CSP violations (error states included); the core
// path works with the keyboard only; signing up twice with one address gives
// nothing away (the owner is told by e-mail).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { STRONG_PASSWORD, assertVerifiedAndSignedIn, newAddress, signOut, verificationLink } from './support/accounts.mjs';
import { assertPageClean, auditCurrentPage, checkPage, launchBrowser, withPage } from './support/browser.mjs';
import { assertFocusVisible, describeFocus, tabExpect, tabTo } from './support/keyboard.mjs';
import { findInternalOffer } from './support/offers.mjs';
import { h1, navigation, text } from './support/page.mjs';
import { buildPdf } from './support/pdf.mjs';
import { stopAll } from './support/process.mjs';
import { escapeRegExp } from './support/regexp.mjs';
import { startServer } from './support/server.mjs';
import { startSmtp } from './support/smtp.mjs';

const TEST_TIMEOUT = 60_000;
const NAV_TIMEOUT = 10_000;
const MAIL_TIMEOUT = 15_000;

const WEAK_PASSWORD = 'motdepasse123';

let smtp;
let server;
let browser;
let offer; // { slug, title, employer }

before(async () => {
  smtp = await startSmtp();
  server = await startServer({ env: { MAIL_URL: smtp.url, WORKER_TICK: '1' } });
  browser = await launchBrowser();
  offer = await findInternalOffer(server);
}, { timeout: 180_000 });

after(() => stopAll(browser, server, smtp));

// ---------------------------------------------------------------------------
// Helpers

/** Types `value` into the focused element (the keyboard, no fill()). */
async function typeText(page, value) {
  await page.keyboard.type(value);
}

/** A 1×1 PNG: not a PDF, whatever its name says. */
const PNG_BYTES = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** Asserts the header shows a signed-in candidate: "Mon espace" and "Se déconnecter". */
async function assertSignedIn(page, email) {
  const header = page.locator('header[role="banner"]');
  assert.equal(await header.getByRole('link', { name: 'Mon espace', exact: true }).getAttribute('href'), '/espace-candidat');
  const logout = header.getByRole('button', { name: /Se déconnecter/ });
  assert.equal(await logout.count(), 1, 'the header should offer «Se déconnecter» when signed in');
  if (email) assert.match((await logout.getAttribute('title')) || '', new RegExp(escapeRegExp(email)));
  assert.equal(await header.getByRole('link', { name: 'Se connecter', exact: true }).count(), 0, 'no «Se connecter» link once signed in');
}

/** The stage badge of the application page. */
function stageBadge(page) {
  return page.locator('main .fr-badge').first();
}

// ---------------------------------------------------------------------------
// 1. The whole path, with the mouse, every page audited.

test('sign-up, e-mail verification, sign-in, applying with a PDF: every page is axe-clean', { timeout: 90_000 }, () =>
  withPage(browser, async ({ page }) => {
    const email = newAddress('camille');

    // Sign-up page.
    await checkPage(page, `${server.baseUrl}/inscription`);
    assert.equal(await h1(page), 'Créer un compte');

    // A weak password: the error is shown, the address is kept.
    await page.getByLabel('Adresse e-mail').fill(email);
    await page.getByLabel(/^Mot de passe/).fill(WEAK_PASSWORD);
    await page.locator('label[for="cgu"]').click({ position: { x: 5, y: 5 } });
    assert.ok(await page.locator('#cgu').isChecked(), 'the consent checkbox should be checked');
    let response = await navigation(page, () => page.getByRole('button', { name: 'Créer mon compte' }).click(), 'sign-up (weak password)');
    assert.equal(response.status(), 422, 'a sign-up with errors answers the form again');
    assert.equal(new URL(page.url()).pathname, '/inscription');
    assert.equal(await h1(page), 'Créer un compte');
    assert.match(await page.title(), /erreur/, 'the title should say the form has errors');
    const summary = page.locator('#erreurs');
    assert.equal(await summary.getAttribute('role'), 'alert');
    assert.match(await text(summary), /trop courant/, 'the error summary should hold the password error');
    assert.equal(await summary.locator('a[href="#password"]').count(), 1, 'the summary should link to the password field');
    assert.match(await text(page.locator('#password-erreur')), /trop courant/);
    assert.equal(await page.locator('#password').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#password').getAttribute('aria-describedby'), 'password-erreur');
    assert.equal(await page.locator('#email').inputValue(), email, 'the typed address should be kept');
    assert.equal(await page.locator('#password').inputValue(), '', 'the password should not be sent back');
    assert.equal(await page.locator('#email').getAttribute('aria-invalid'), null, 'the address itself is valid');
    assert.ok(await page.locator('#cgu').isChecked(), 'the consent checkbox should stay checked');
    await auditCurrentPage(page, 'sign-up with a weak password');

    // A strong password: "Vérifiez votre boîte e-mail".
    await page.getByLabel(/^Mot de passe/).fill(STRONG_PASSWORD);
    response = await navigation(page, () => page.getByRole('button', { name: 'Créer mon compte' }).click(), 'sign-up');
    assert.equal(response.status(), 200);
    assert.equal(await h1(page), 'Vérifiez votre boîte e-mail');
    assert.ok((await text(page.locator('main'))).includes(email), 'the page should name the address the e-mail went to');
    await auditCurrentPage(page, 'sign-up done');

    // The verification link, read from the SMTP server.
    const link = await verificationLink({ server, smtp }, email);
    await checkPage(page, link);
    await assertVerifiedAndSignedIn(page, email);
    // Signed out again, to go through the sign-in page from an offer.
    await signOut(page);

    // The offer page sends to the sign-in page, which brings back to the form.
    await checkPage(page, `${server.baseUrl}/emploi/${offer.slug}`);
    const apply = page.getByRole('link', { name: 'Candidater', exact: true });
    assert.equal(await apply.getAttribute('href'), `/candidature/${offer.slug}`);
    response = await navigation(page, () => apply.click(), '«Candidater» signed out');
    assert.equal(response.status(), 200);
    const loginUrl = new URL(page.url());
    assert.equal(loginUrl.pathname, '/connexion');
    assert.equal(loginUrl.searchParams.get('suivant'), `/candidature/${offer.slug}`);
    assert.equal(await h1(page), 'Se connecter');
    assert.match(await text(page.locator('main .fr-alert--info')), /Connectez-vous pour continuer/);
    assert.equal(await page.locator('input[name="suivant"]').inputValue(), `/candidature/${offer.slug}`);
    await auditCurrentPage(page, 'sign-in page');

    await page.getByLabel('Adresse e-mail').fill(email);
    await page.getByLabel('Mot de passe', { exact: true }).fill(STRONG_PASSWORD);
    response = await navigation(page, () => page.getByRole('button', { name: 'Se connecter' }).click(), 'sign-in');
    assert.equal(response.status(), 200);
    assert.equal(new URL(page.url()).pathname, `/candidature/${offer.slug}`, 'the sign-in should return to the application form');
    assert.equal(await h1(page), `Candidater : ${offer.title}`);
    await assertSignedIn(page, email);
    assert.equal(await page.locator('main .fr-alert--warning').count(), 0, 'no «confirm your address» warning once verified');
    const send = page.getByRole('button', { name: 'Envoyer ma candidature' });
    assert.ok(await send.isEnabled(), 'the submit button should be enabled for a verified address');
    await auditCurrentPage(page, 'application form');

    // A PNG named cv.pdf: refused, the letter is kept.
    const letter = 'Madame, Monsieur,\nJe souhaite rejoindre votre équipe : développeuse depuis huit ans, j’aime le service public.';
    await page.getByLabel('Prénom').fill('Camille');
    await page.getByLabel('Nom', { exact: true }).fill('Martin');
    await page.getByLabel(/^Lettre de motivation/).fill(letter);
    await page.getByLabel(/^Déposer un CV/).setInputFiles({ name: 'cv.pdf', mimeType: 'application/pdf', buffer: PNG_BYTES });
    await page.getByLabel(/^Liens/).fill('https://github.com/camille-martin');
    response = await navigation(page, () => send.click(), 'application with a PNG');
    assert.equal(response.status(), 422);
    assert.equal(new URL(page.url()).pathname, `/candidature/${offer.slug}`);
    assert.match(await page.title(), /erreur/);
    assert.match(await text(page.locator('#cv-erreur')), /n’est pas un PDF/);
    assert.match(await text(page.locator('#erreurs')), /n’est pas un PDF/);
    assert.equal(await page.locator('#erreurs a[href="#cv"]').count(), 1, 'the summary should link to the file field');
    assert.equal(await page.locator('#cv').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#cv').getAttribute('aria-describedby'), 'cv-erreur');
    assert.equal(await page.locator('#lettre').inputValue(), letter, 'the letter should be kept');
    assert.equal(await page.locator('#prenom').inputValue(), 'Camille');
    assert.equal(await page.locator('#nom').inputValue(), 'Martin');
    assert.equal(await page.locator('#liens').inputValue(), 'https://github.com/camille-martin');
    await auditCurrentPage(page, 'application form with a non-PDF file');

    // The real PDF.
    const pdf = buildPdf('Camille Martin - CV');
    await page.getByLabel(/^Déposer un CV/).setInputFiles({ name: 'cv-camille.pdf', mimeType: 'application/pdf', buffer: pdf });
    response = await navigation(page, () => page.getByRole('button', { name: 'Envoyer ma candidature' }).click(), 'application');
    assert.equal(response.status(), 200);
    const sent = new URL(page.url());
    const match = sent.pathname.match(/^\/espace-candidat\/candidatures\/(\d+)$/);
    assert.ok(match, `the application should lead to /espace-candidat/candidatures/{id}: ${page.url()}`);
    assert.equal(sent.searchParams.get('envoyee'), '1');
    const applicationId = match[1];
    const status = page.locator('main [role="status"]');
    assert.match(await text(status), /Candidature envoyée/);
    assert.equal(await h1(page), offer.title);
    assert.equal(await text(stageBadge(page)), 'Reçue');
    assert.ok((await text(page.locator('main'))).includes(letter.replace(/\s+/g, ' ')), 'the page should show the letter sent');
    const cvLink = page.getByRole('link', { name: 'Mon CV (PDF)' });
    const cvHref = await cvLink.getAttribute('href');
    assert.match(cvHref || '', /^\/fichiers\/\d+$/);
    const cv = await page.request.get(`${server.baseUrl}${cvHref}`);
    assert.equal(cv.status(), 200, `GET ${cvHref}`);
    assert.match(cv.headers()['content-type'] || '', /^application\/pdf/);
    assert.ok(Buffer.compare(await cv.body(), pdf) === 0, 'the stored CV should be the PDF sent, byte for byte');
    await auditCurrentPage(page, 'application sent');

    // The confirmation e-mail.
    const mail = await smtp.waitForMessage({ to: email, subject: 'Candidature envoyée', timeout: MAIL_TIMEOUT });
    assert.equal(mail.subject, `Candidature envoyée : ${offer.title}`);
    assert.ok(mail.text.includes(`« ${offer.title} »`), `the e-mail should name the offer:\n${mail.text}`);
    const spaceUrl = `${server.baseUrl}/espace-candidat/candidatures/${applicationId}`;
    assert.ok(mail.text.includes(spaceUrl), `the e-mail should link to ${spaceUrl}:\n${mail.text}`);
    assert.ok(mail.html.includes(`href="${spaceUrl}"`), `the HTML part should link to ${spaceUrl}`);

    // The candidate space lists it.
    await checkPage(page, `${server.baseUrl}/espace-candidat`);
    assert.equal(await h1(page), 'Mon espace candidat');
    await assertSignedIn(page, email);
    assert.equal(await page.locator('main .fr-alert--warning').count(), 0, 'no «confirm your address» warning once verified');
    const rows = page.locator('main table tbody tr');
    assert.equal(await rows.count(), 1, 'one application listed');
    const row = rows.first();
    assert.equal(await row.locator(`a[href="/espace-candidat/candidatures/${applicationId}"]`).textContent(), offer.title);
    assert.equal(await text(row.locator('.fr-badge')), 'Reçue');

    // The profile page.
    await checkPage(page, `${server.baseUrl}/profil`);
    assert.equal(await h1(page), 'Mon profil');
    assert.equal(await page.getByRole('button', { name: 'Enregistrer mon profil' }).count(), 1);
    assert.equal(await page.getByLabel(/^Déposer un CV/).count(), 1, 'the profile page should offer a CV upload');
    assert.equal(await page.getByRole('button', { name: 'Envoyer le CV' }).count(), 1);

    // The application page itself (without ?envoyee=1).
    await checkPage(page, spaceUrl);
    assert.equal(await page.locator('main [role="status"]').count(), 0, 'the «sent» notice only follows the sending');
    assert.equal(await text(stageBadge(page)), 'Reçue');
    assert.equal(await page.getByRole('button', { name: 'Retirer ma candidature' }).count(), 1);
  }, { timeout: NAV_TIMEOUT }),
);

// ---------------------------------------------------------------------------
// 2. The same path with the keyboard only.

test('sign-up, sign-in, applying and withdrawing with the keyboard only', { timeout: 90_000 }, () =>
  withPage(browser, async ({ page }) => {
    const email = newAddress('dominique');

    // Sign up.
    await page.goto(`${server.baseUrl}/inscription`);
    await tabTo(page, '#email');
    await assertFocusVisible(page, 'sign-up: address field');
    await typeText(page, email);
    await tabExpect(page, '#password', 'sign-up: from the address');
    await assertFocusVisible(page, 'sign-up: password field');
    await typeText(page, STRONG_PASSWORD);
    await tabTo(page, '#cgu', { max: 5 });
    await page.keyboard.press('Space');
    assert.ok(await page.locator('#cgu').isChecked(), 'Space should check the consent checkbox');
    await tabTo(page, 'button[type="submit"]', { max: 5, filter: (e) => e.textContent.trim() === 'Créer mon compte' });
    await assertFocusVisible(page, 'sign-up: submit button');
    await navigation(page, () => page.keyboard.press('Enter'), 'sign-up (Enter)');
    assert.equal(await h1(page), 'Vérifiez votre boîte e-mail');

    // The link from the e-mail (opened as from a mail client).
    await page.goto(await verificationLink({ server, smtp }, email));
    await assertVerifiedAndSignedIn(page, email);
    await signOut(page);

    // From the offer, «Candidater» with Enter leads to the sign-in form.
    await page.goto(`${server.baseUrl}/emploi/${offer.slug}`);
    await tabTo(page, `a[href="/candidature/${offer.slug}"]`);
    await assertFocusVisible(page, 'offer: «Candidater»');
    await navigation(page, () => page.keyboard.press('Enter'), '«Candidater» (Enter)');
    assert.equal(new URL(page.url()).pathname, '/connexion');

    // A wrong password first: the error summary is reachable and leads to the field.
    await tabTo(page, '#email');
    await typeText(page, email);
    await tabExpect(page, '#password', 'sign-in: from the address');
    await typeText(page, 'pas-le-bon-mot-de-passe');
    await navigation(page, () => page.keyboard.press('Enter'), 'sign-in with a wrong password (Enter in the password field)');
    assert.equal(new URL(page.url()).pathname, '/connexion');
    assert.match(await text(page.locator('#erreurs')), /Adresse e-mail ou mot de passe incorrect/);
    await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'erreurs', null, { timeout: 5000 });
    const toSummary = await tabTo(page, '#erreurs a', { max: 2 });
    const toForm = await page.evaluate(() => {
      const focusables = [...document.querySelectorAll('a[href], button, input:not([type="hidden"]), select, textarea')];
      return focusables.indexOf(document.querySelector('#email'));
    });
    assert.ok(toSummary.presses <= toForm, 'the error summary should come before the form fields in the tab order');
    await assertFocusVisible(page, 'sign-in error: summary link');
    await page.keyboard.press('Enter');
    const afterSummary = await describeFocus(page);
    assert.equal(afterSummary.id, 'email', `Enter on the summary link should focus the address field; focus is on ${JSON.stringify(afterSummary)}`);
    await assertFocusVisible(page, 'sign-in error: address field reached from the summary');
    assert.equal(await page.locator('#email').inputValue(), email, 'the address should be kept after a failed sign-in');
    await tabExpect(page, '#password', 'sign-in error: from the address');
    assert.equal(await page.locator('#password').inputValue(), '', 'the password should not be sent back');
    await typeText(page, STRONG_PASSWORD);
    await tabTo(page, 'button[type="submit"]', { max: 5, filter: (e) => e.textContent.trim() === 'Se connecter' });
    await assertFocusVisible(page, 'sign-in: submit button');
    await navigation(page, () => page.keyboard.press('Enter'), 'sign-in (Enter)');
    assert.equal(new URL(page.url()).pathname, `/candidature/${offer.slug}`, 'the sign-in should return to the application form');
    await assertSignedIn(page, email);

    // The application form.
    await tabTo(page, '#prenom');
    await assertFocusVisible(page, 'application: first name');
    await typeText(page, 'Dominique');
    await tabExpect(page, '#nom', 'application: from the first name');
    await typeText(page, 'Lefèvre');
    await tabExpect(page, '#lettre', 'application: from the name');
    await assertFocusVisible(page, 'application: letter');
    await typeText(page, 'Bonjour,');
    await page.keyboard.press('Enter');
    await typeText(page, 'Administratrice systèmes, je candidate avec plaisir.');
    await tabExpect(page, '#cv', 'application: from the letter');
    await assertFocusVisible(page, 'application: CV file input');
    await page.locator('#cv').setInputFiles({ name: 'cv-dominique.pdf', mimeType: 'application/pdf', buffer: buildPdf('Dominique Lefevre') });
    await tabExpect(page, '#liens', 'application: from the CV');
    await typeText(page, 'https://exemple.fr/portfolio');
    // Back and forth: Shift+Tab returns to the file input.
    await tabExpect(page, '#cv', 'application: Shift+Tab from the links', 'Shift+Tab');
    await tabExpect(page, '#liens', 'application: Tab again');
    await tabExpect(page, 'button[type="submit"]', 'application: from the links');
    assert.equal((await describeFocus(page)).text, 'Envoyer ma candidature');
    await assertFocusVisible(page, 'application: submit button');
    await navigation(page, () => page.keyboard.press('Enter'), 'application (Enter)');
    const sent = new URL(page.url());
    const match = sent.pathname.match(/^\/espace-candidat\/candidatures\/(\d+)$/);
    assert.ok(match, `the application should lead to /espace-candidat/candidatures/{id}: ${page.url()}`);
    assert.match(await text(page.locator('main [role="status"]')), /Candidature envoyée/);
    assert.equal(await text(stageBadge(page)), 'Reçue');
    assert.ok((await text(page.locator('main'))).includes('Administratrice systèmes'), 'the letter typed should be shown');

    // Withdraw with Space on the button.
    await tabTo(page, 'button[type="submit"]', { filter: (e) => e.textContent.trim() === 'Retirer ma candidature' });
    await assertFocusVisible(page, 'application: «Retirer ma candidature»');
    const withdrawn = await navigation(page, () => page.keyboard.press('Space'), 'withdrawal (Space)');
    assert.equal(withdrawn.status(), 200);
    assert.equal(new URL(page.url()).pathname, `/espace-candidat/candidatures/${match[1]}`);
    assert.equal(await text(stageBadge(page)), 'Retirée');
    assert.equal(await page.getByRole('button', { name: 'Retirer ma candidature' }).count(), 0, 'a withdrawn application cannot be withdrawn again');
    assert.match(await text(page.locator('main ol.timeline')), /Retirée — .*\(par vous\)/, 'the history should record the withdrawal by the candidate');

    // Back to the list with the keyboard.
    await tabTo(page, 'a[href="/espace-candidat"]', { filter: (e) => e.textContent.includes('Toutes mes candidatures') });
    await assertFocusVisible(page, 'application: «Toutes mes candidatures»');
    await navigation(page, () => page.keyboard.press('Enter'), '«Toutes mes candidatures» (Enter)');
    assert.equal(await h1(page), 'Mon espace candidat');
    const row = page.locator('main table tbody tr').filter({ has: page.locator(`a[href="/espace-candidat/candidatures/${match[1]}"]`) });
    assert.equal(await row.count(), 1, 'the application should be listed');
    assert.equal(await text(row.locator('.fr-badge')), 'Retirée');

    await assertPageClean(page);
  }, { timeout: NAV_TIMEOUT }),
);

// ---------------------------------------------------------------------------
// 3. No enumeration.

test('signing up again with a known address answers the same; the owner is told by e-mail', { timeout: TEST_TIMEOUT }, () =>
  withPage(browser, async ({ page }) => {
    const email = newAddress('sacha');
    const stranger = newAddress('inconnu');

    /** Signs up and returns the status and the text of <main>, the address replaced by a placeholder. */
    async function signUp(address, password) {
      await page.goto(`${server.baseUrl}/inscription`);
      await page.getByLabel('Adresse e-mail').fill(address);
      await page.getByLabel(/^Mot de passe/).fill(password);
      await page.locator('label[for="cgu"]').click({ position: { x: 5, y: 5 } });
      const response = await navigation(page, () => page.getByRole('button', { name: 'Créer mon compte' }).click(), `sign-up ${address}`);
      return {
        status: response.status(),
        title: await page.title(),
        heading: await h1(page),
        main: (await text(page.locator('main'))).split(address).join('<adresse>'),
      };
    }

    const first = await signUp(email, STRONG_PASSWORD);
    assert.equal(first.heading, 'Vérifiez votre boîte e-mail');
    await verificationLink({ server, smtp }, email);

    const again = await signUp(email, 'une-autre-phrase-secrete-bien-longue');
    assert.deepEqual(again, first, 'signing up again should answer exactly as the first time');
    await auditCurrentPage(page, 'sign-up with a known address');
    const fresh = await signUp(stranger, STRONG_PASSWORD);
    assert.deepEqual(fresh, first, 'a known and an unknown address should get the same page');

    const notice = await smtp.waitForMessage({ to: email, subject: 'Vous avez déjà un compte', timeout: MAIL_TIMEOUT });
    assert.ok(notice.text.includes(`${server.baseUrl}/connexion`), `the e-mail should link to the sign-in page:\n${notice.text}`);
    assert.ok(notice.text.includes(`${server.baseUrl}/mot-de-passe-oublie`), `the e-mail should link to the password reset:\n${notice.text}`);
    // The stranger's verification e-mail went out after the notice: the outbox is drained up to there.
    await verificationLink({ server, smtp }, stranger);
    const toOwner = await smtp.messagesTo(email);
    assert.deepEqual(
      toOwner.map((m) => m.subject),
      ['Confirmez votre adresse e-mail', 'Vous avez déjà un compte'],
      'the owner should get the verification e-mail once, then the notice, and nothing else',
    );

    // The second sign-up changed nothing: its password does not open the account, the first one does.
    await page.goto(`${server.baseUrl}/connexion`);
    await page.getByLabel('Adresse e-mail').fill(email);
    await page.getByLabel('Mot de passe', { exact: true }).fill('une-autre-phrase-secrete-bien-longue');
    await navigation(page, () => page.getByRole('button', { name: 'Se connecter' }).click(), 'sign-in with the second password');
    assert.equal(new URL(page.url()).pathname, '/connexion');
    assert.match(await text(page.locator('#erreurs')), /Adresse e-mail ou mot de passe incorrect/);
    await auditCurrentPage(page, 'sign-in error');
    await page.getByLabel('Mot de passe', { exact: true }).fill(STRONG_PASSWORD);
    await navigation(page, () => page.getByRole('button', { name: 'Se connecter' }).click(), 'sign-in with the first password');
    assert.equal(new URL(page.url()).pathname, '/espace-candidat', 'a sign-in without «suivant» goes to the candidate space');
    assert.equal(await h1(page), 'Mon espace candidat');
    await assertSignedIn(page, email);
  }, { timeout: NAV_TIMEOUT }),
);
