// « Vis mon job » in the browser, over a campaign's whole life on one database: an agent offers a
// day and a student applies (keyboard only; the student's form also without JavaScript) while the
// demo campaign is open; a server whose clock is past the close of entries (libfaketime shifts
// the server's system time, as in the time-bomb run of scripts/test.sh) lets the administrator
// pair them and send the proposal, which both accept from the link of their e-mail; a server past
// the day takes both sides' feedback and the student's « garder le contact ». Every page is
// audited: axe (WCAG 2.1 A and AA), the Nu HTML Checker, and no console error, CSP violation nor
// request leaving the machine.
import assert from 'node:assert/strict';
import { access, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { STRONG_PASSWORD, addStaff, newCandidate, signInWithLink } from './support/accounts.mjs';
import { auditCurrentPage, auditNoScriptPage, launchBrowser, withPage } from './support/browser.mjs';
import { arrowSelect, assertFocusVisible, tabAndType, tabTo } from './support/keyboard.mjs';
import { h1, navigation, notice, text } from './support/page.mjs';
import { stopAll } from './support/process.mjs';
import { escapeRegExp } from './support/regexp.mjs';
import { startServer } from './support/server.mjs';
import { startSmtp } from './support/smtp.mjs';

const TEST_TIMEOUT = 180_000;
const FAKETIME_LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
// The demo campaign (crates/db/src/seed/immersion.rs), seeded on the first server's day:
// entries close 14 days later, its days are the Tuesday and Wednesday 35 to 42 days later.
const AFTER_CLOSE = '+15d';
const AFTER_DAYS = '+45d';
const CAMPAIGN = 'Vis mon job — printemps';
const JOB_TITLE = 'Architecte logicielle du test de bout en bout';

let smtp;
let server;
let browser;
let dataDir;
// Who takes part, filled by the first test.
const people = { agent: null, student: null, profession: null };

/** The environment of a server (and of its CLI) whose clock is `shift` ahead. */
const shifted = (shift) => ({ LD_PRELOAD: FAKETIME_LIB, FAKETIME: shift, FAKETIME_DONT_FAKE_MONOTONIC: '1' });

/** Stops the running server and starts one on the same data, its clock `shift` ahead. */
async function restartAt(shift) {
  const port = Number(new URL(server.baseUrl).port);
  await server.stop();
  // The same address, for the links of the e-mails already sent.
  server = await startServer({ port, env: { DATA_DIR: dataDir, MAIL_URL: smtp.url, WORKER_TICK: '1', ...shifted(shift) } });
}

before(async () => {
  await access(FAKETIME_LIB).catch(() => assert.fail(`libfaketime is needed (${FAKETIME_LIB}): apt-get install libfaketime`));
  smtp = await startSmtp();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'metiers-e2e-immersion-'));
  server = await startServer({ env: { DATA_DIR: dataDir, MAIL_URL: smtp.url, WORKER_TICK: '1' } });
  browser = await launchBrowser();
}, { timeout: 180_000 });

after(async () => {
  await stopAll(browser, server, smtp);
  await rm(dataDir, { recursive: true, force: true });
});

/** Signs `email` in with the password form, then opens `next`. */
async function signIn(page, email, next) {
  await page.goto(`${server.baseUrl}/connexion?suivant=${encodeURIComponent(next)}`);
  await tabAndType(page, '#email', email);
  await tabAndType(page, '#password', STRONG_PASSWORD);
  await navigation(page, () => page.keyboard.press('Enter'), `sign-in ${email}`);
  if (new URL(page.url()).pathname !== next) await page.goto(`${server.baseUrl}${next}`);
  assert.equal(new URL(page.url()).pathname, next, `${email} signed in should be on ${next}`);
}

/** Presses Space on `selector`, reached with Tab, and asserts it is then checked. */
async function tick(page, selector) {
  await tabTo(page, selector, { max: 200 });
  await page.keyboard.press('Space');
  assert.ok(await page.locator(selector).isChecked(), `${selector} should be checked`);
}

/** The duo page's address from the proposal e-mail to `email`. */
async function duoLink(email) {
  const message = await smtp.waitForMessage({ to: email, subject: 'Une proposition de duo « Vis mon job »' });
  const link = message.text.match(new RegExp(`${escapeRegExp(server.baseUrl)}(/vis-mon-job/duos/\\d+)`));
  assert.ok(link, `the proposal should link to the duo's page:\n${message.text}`);
  return link[1];
}

test('while the campaign is open, keyboard only: an agent offers a day (after a refused empty form) and a student applies', { timeout: TEST_TIMEOUT }, async () => {
  await withPage(browser, async ({ page }) => {
    const agent = await addStaff({ baseUrl: server.baseUrl, dataDir }, 'recruiter', { institution: 'dinum', label: 'hote-vmj' });
    people.agent = agent.email;
    await signInWithLink(page, agent.link, '/recruteur', 'Espace recruteur');
    // A password, to come back after the matching.
    await page.goto(`${server.baseUrl}/compte/mot-de-passe`);
    await tabAndType(page, '#password', STRONG_PASSWORD);
    await navigation(page, () => page.keyboard.press('Enter'), '«Enregistrer le mot de passe» (Enter)');

    await page.goto(`${server.baseUrl}/vis-mon-job`);
    assert.equal(await h1(page), 'Vis mon job');
    assert.match(await text(page.locator('main')), new RegExp(CAMPAIGN));
    await auditCurrentPage(page, '/vis-mon-job');
    await tabTo(page, 'main a[href="/vis-mon-job/accueillir"]');
    await assertFocusVisible(page, '«J’accueille un·e étudiant·e»');
    await navigation(page, () => page.keyboard.press('Enter'), '«J’accueille» (Enter)');
    assert.equal(await h1(page), 'Accueillir un·e étudiant·e');
    await auditCurrentPage(page, 'the offer form');

    await tabTo(page, 'main form[action="/vis-mon-job/accueillir"] button[type="submit"]', { max: 200 });
    const refused = await navigation(page, () => page.keyboard.press('Enter'), 'an empty offer (Enter)');
    assert.equal(refused.status(), 422);
    assert.match(await text(page.locator('main')), /Indiquez|Choisissez/);
    await auditCurrentPage(page, 'the offer form with its errors');

    await tabAndType(page, '#employeur', 'Direction interministérielle du numérique');
    await tabAndType(page, '#service', 'Incubateur de services numériques');
    await tabAndType(page, '#intitule', JOB_TITLE);
    await tabTo(page, '#metier');
    const first = await page.locator('#metier option:nth-child(2)').getAttribute('value');
    await arrowSelect(page, '#metier', first);
    people.profession = (await text(page.locator('#metier option:checked'))).trim();
    await tick(page, '#mode-sur-site');
    await tabAndType(page, '#commune', 'Lille');
    for (const id of await page.locator('input[name="jours"]').evaluateAll((els) => els.map((e) => e.id))) {
      if (!(await page.locator(`#${id}`).isChecked())) await tick(page, `#${id}`);
    }
    await tabAndType(page, '#places', '1');
    await tabAndType(page, '#description', 'Le matin, le point d’équipe et une revue de code ; l’après-midi, une démonstration.');
    await tabTo(page, 'main form[action="/vis-mon-job/accueillir"] button[type="submit"]', { max: 40 });
    await navigation(page, () => page.keyboard.press('Enter'), '«Proposer ma journée» (Enter)');
    assert.equal(new URL(page.url()).pathname, '/vis-mon-job/accueillir');
    assert.match(await text(notice(page)), /Votre offre est enregistrée/);
    assert.match(await text(page.locator('main .fr-callout')), /Votre offre : Ouverte/i);
    await auditCurrentPage(page, 'the offer saved');
    await smtp.waitForMessage({ to: agent.email, subject: 'Votre journée « Vis mon job » est enregistrée' });
  });

  await withPage(browser, async ({ page }) => {
    const student = await newCandidate({ server, smtp }, page, 'etudiante-vmj', 'Lou', 'Garnier');
    people.student = student.email;
    await page.goto(`${server.baseUrl}/vis-mon-job`);
    await tabTo(page, 'main a[href="/vis-mon-job/candidater"]');
    await navigation(page, () => page.keyboard.press('Enter'), '«Je candidate» (Enter)');
    assert.equal(await h1(page), 'Candidater à « Vis mon job »');
    await auditCurrentPage(page, 'the application form');
    await tabAndType(page, '#prenom', 'Lou');
    await tabAndType(page, '#nom', 'Garnier');
    await tabAndType(page, '#etablissement', 'Université de Lille');
    await tabAndType(page, '#formation', 'Master informatique');
    await tabTo(page, '#annee');
    await arrowSelect(page, '#annee', 'm2', { max: 4 });
    // The professions are in an accordion: opened with Enter, then the host's profession ticked.
    await tabTo(page, 'button[aria-controls="accordeon-metiers"]');
    await page.keyboard.press('Enter');
    await page.locator('#accordeon-metiers').waitFor({ state: 'visible' });
    const wish = await page
      .locator('#accordeon-metiers label')
      .filter({ hasText: new RegExp(`^${escapeRegExp(people.profession)}$`) })
      .getAttribute('for');
    await tick(page, `#${wish}`);
    await auditCurrentPage(page, 'the application form, professions open');
    const hautsDeFrance = await page.locator('input[name="regions"][value="32"]').getAttribute('id');
    await tick(page, `#${hautsDeFrance}`);
    for (const id of await page.locator('input[name="jours"]').evaluateAll((els) => els.map((e) => e.id))) {
      if (!(await page.locator(`#${id}`).isChecked())) await tick(page, `#${id}`);
    }
    await tabAndType(page, '#motivation', 'Voir comment une équipe de l’État conçoit ses services.');
    await tabTo(page, 'main form[action="/vis-mon-job/candidater"] button[type="submit"]', { max: 40 });
    await navigation(page, () => page.keyboard.press('Enter'), '«Envoyer ma candidature» (Enter)');
    assert.match(await text(notice(page)), /Votre candidature est enregistrée/);
    await auditCurrentPage(page, 'the application saved');
    await smtp.waitForMessage({ to: student.email, subject: 'Votre candidature « Vis mon job » est enregistrée' });
  });
});

test('without JavaScript: the campaign’s page, and the student’s application edited and saved', { timeout: TEST_TIMEOUT }, () =>
  withPage(
    browser,
    async ({ page }) => {
      await page.goto(`${server.baseUrl}/vis-mon-job`);
      await auditNoScriptPage(page, '/vis-mon-job');
      await signIn(page, people.student, '/vis-mon-job/candidater');
      // Closed accordions need the DSFR script: without it every wish stays in view.
      assert.ok(await page.locator('#accordeon-metiers input[type="checkbox"]').first().isVisible(), 'the professions are shown');
      assert.ok(await page.locator('#accordeon-metiers input:checked').count(), 'the wish is kept');
      await auditNoScriptPage(page, 'the application, without JavaScript');
      await tabAndType(page, '#telephone', '06 12 34 56 78');
      await tabTo(page, 'main form[action="/vis-mon-job/candidater"] button[type="submit"]', { max: 200 });
      await navigation(page, () => page.keyboard.press('Enter'), '«Enregistrer ma candidature» (Enter)');
      assert.match(await text(notice(page)), /Votre candidature est enregistrée/);
      assert.equal(await page.locator('#telephone').inputValue(), '06 12 34 56 78');
      await auditNoScriptPage(page, 'the application saved, without JavaScript');
    },
    { context: { javaScriptEnabled: false } },
  ));

test('after the close of entries: the administrator pairs them and sends the proposal; both accept with the keyboard, the host organises, both agree', { timeout: TEST_TIMEOUT }, async () => {
  await restartAt(AFTER_CLOSE);
  await withPage(browser, async ({ page }) => {
    const admin = await addStaff({ baseUrl: server.baseUrl, dataDir }, 'administrator', { env: shifted(AFTER_CLOSE) });
    await signInWithLink(page, admin.link, '/admin', 'Administration');
    await page.goto(`${server.baseUrl}/admin/vis-mon-job`);
    await auditCurrentPage(page, '/admin/vis-mon-job');
    await navigation(page, () => page.getByRole('link', { name: CAMPAIGN }).click(), `«${CAMPAIGN}»`);
    assert.equal(await h1(page), CAMPAIGN);
    await navigation(page, () => page.getByRole('button', { name: 'Calculer la proposition' }).click(), '«Calculer la proposition»');
    assert.match(await text(page.locator('main')), /paire\(s\) proposée\(s\)/);
    await auditCurrentPage(page, 'the proposal');
    // Whatever the algorithm chose for them, the administrator pairs these two by hand.
    for (;;) {
      const mine = page.locator('#proposition ~ .fr-table tbody tr').filter({ hasText: new RegExp(`${escapeRegExp(people.agent)}|Lou Garnier`) });
      if ((await mine.count()) === 0) break;
      await navigation(page, () => mine.first().getByRole('button', { name: /^Retirer la paire/ }).click(), '«Retirer»');
    }
    const option = async (select, start) =>
      page.locator(`${select} option`).evaluateAll((os, s) => os.find((o) => o.textContent.startsWith(s))?.value, start);
    await page.locator('#offre').selectOption(await option('#offre', JOB_TITLE));
    await page.locator('#candidature').selectOption(await option('#candidature', 'Lou Garnier — '));
    await navigation(page, () => page.getByRole('button', { name: 'Ajouter la paire' }).click(), '«Ajouter la paire»');
    const pair = page.locator('tbody tr').filter({ hasText: 'Lou Garnier' });
    assert.match(await text(pair), /Même métier souhaité/);
    await navigation(page, () => page.getByRole('button', { name: 'Confirmer et envoyer les propositions' }).click(), '«Confirmer»');
    assert.match(await text(page.locator('main')), /En attente des réponses/);
    await auditCurrentPage(page, 'the proposal confirmed');
  });

  const duo = await duoLink(people.student);
  assert.equal(await duoLink(people.agent), duo, 'both sides are sent to the same duo');
  await withPage(browser, async ({ page }) => {
    await signIn(page, people.student, duo);
    assert.match(await h1(page), /^Votre duo du /);
    assert.doesNotMatch(await text(page.locator('main')), new RegExp(escapeRegExp(people.agent)), 'no contact before both accept');
    await auditCurrentPage(page, 'the proposal, for the student');
    await tabTo(page, 'main button[value="accepter"]');
    await assertFocusVisible(page, '«J’accepte ce duo»');
    await navigation(page, () => page.keyboard.press('Enter'), '«J’accepte ce duo» (Enter)');
    assert.match(await text(page.locator('main')), /Vous avez accepté/);
    await auditCurrentPage(page, 'accepted by the student');
  });
  await withPage(browser, async ({ page }) => {
    await signIn(page, people.agent, duo);
    assert.doesNotMatch(await text(page.locator('main')), /Garnier/, 'the student’s name waits for both answers');
    await tabTo(page, 'main button[value="accepter"]');
    await navigation(page, () => page.keyboard.press('Enter'), '«J’accepte ce duo» (Enter), the host');
    const main = await text(page.locator('main'));
    assert.match(main, /Lou Garnier/, 'both accepted: the host sees the student');
    assert.match(main, /06 12 34 56 78/);
    await auditCurrentPage(page, 'the duo formed, for the host');
    await tabAndType(page, '#lieu', '20 avenue de Ségur, Paris — accueil du bâtiment B');
    await tabAndType(page, '#programme', '9 h 30 : point d’équipe. 14 h : démonstration.');
    await tabAndType(page, '#responsable', 'Claire Dupuis');
    await tabTo(page, 'main form[action$="/organisation"] button[type="submit"]');
    await navigation(page, () => page.keyboard.press('Enter'), '«Enregistrer l’organisation» (Enter)');
    await tick(page, '#accord');
    await tabTo(page, 'main form[action$="/convention"] button[type="submit"]');
    await navigation(page, () => page.keyboard.press('Enter'), '«Donner mon accord» (Enter), the host');
    assert.match(await text(page.locator('main')), /Votre accord : donné le/);
    await auditCurrentPage(page, 'organised and agreed by the host');
    const pdf = await page.request.get(`${server.baseUrl}${duo}/convention.pdf`);
    assert.equal(pdf.status(), 200);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    assert.ok((await pdf.body()).subarray(0, 5).toString() === '%PDF-', 'a PDF');
  });
  await withPage(browser, async ({ page }) => {
    await signIn(page, people.student, duo);
    const main = await text(page.locator('main'));
    assert.match(main, new RegExp(escapeRegExp(people.agent)), 'both accepted: the student sees the host');
    assert.match(main, /avenue de Ségur/);
    await tick(page, '#accord');
    await tabTo(page, 'main form[action$="/convention"] button[type="submit"]');
    await navigation(page, () => page.keyboard.press('Enter'), '«Donner mon accord» (Enter), the student');
    assert.match(await text(page.locator('main')), /L’accord de l’autre côté : donné le/);
    await page.goto(`${server.baseUrl}${duo}/convention`);
    assert.match(await text(page.locator('main')), /Claire Dupuis/, 'the agreement names the host’s manager');
    await auditCurrentPage(page, 'the agreement');
  });
  await smtp.waitForMessage({ to: people.student, subject: 'Votre duo « Vis mon job » est formé' });
});

test('after the day: both give their feedback with the keyboard (the student without JavaScript) and the student keeps in touch', { timeout: TEST_TIMEOUT }, async () => {
  await restartAt(AFTER_DAYS);
  const duo = await duoLink(people.student);
  /** Rates 4, recommends, and (the student) discovered a profession; sends. */
  const feedback = async (page, student) => {
    await tabTo(page, '#note-1', { max: 200 });
    await page.keyboard.press('Space');
    for (let i = 0; i < 3; i += 1) await page.keyboard.press('ArrowRight');
    assert.ok(await page.locator('#note-4').isChecked(), 'the arrows move the rating to 4');
    await tick(page, '#recommande-oui');
    if (student) await tick(page, '#decouverte-oui');
    await tabAndType(page, '#commentaire', 'Une journée très concrète.');
    await tabTo(page, 'main form[action$="/avis"] button[type="submit"]');
    await navigation(page, () => page.keyboard.press('Enter'), '«Envoyer mon avis» (Enter)');
    assert.match(await text(page.locator('main')), /votre avis est enregistré/);
  };
  await withPage(browser, async ({ page }) => {
    await signIn(page, people.agent, duo);
    await auditCurrentPage(page, 'the duo after the day, for the host');
    await feedback(page, false);
    await auditCurrentPage(page, 'the host’s feedback saved');
  });
  await withPage(
    browser,
    async ({ page }) => {
      await signIn(page, people.student, duo);
      await auditNoScriptPage(page, 'the duo after the day, for the student');
      await feedback(page, true);
      await tabTo(page, 'main form[action$="/garder-contact"] button');
      await navigation(page, () => page.keyboard.press('Enter'), '«Garder le contact» (Enter)');
      assert.match(await text(page.locator('main')), /Vous êtes dans le vivier des talents/);
      await auditNoScriptPage(page, 'kept in touch');
    },
    { context: { javaScriptEnabled: false } },
  );
  await smtp.waitForMessage({ to: people.student, subject: 'Votre avis sur votre journée « Vis mon job »' });
});
