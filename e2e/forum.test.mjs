// The Forum de l'emploi tech (/forum, /evenements, /stands): the programme filtered without
// JavaScript, then a session; a visitor registers with an e-mail address alone and confirms
// with the link the SMTP server received; a candidate registers, cancels, books a job-dating
// slot and cancels it, with the keyboard only. Every page is audited: axe (WCAG 2.1 A and AA),
// the Nu HTML Checker, and no console error, CSP violation nor request leaving the machine.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { addStaff, newAddress, newCandidate, signInWithLink } from './support/accounts.mjs';
import { auditCurrentPage, auditNoScriptPage, launchBrowser, withPage } from './support/browser.mjs';
import { assertFocusVisible, describeFocus, tabTo } from './support/keyboard.mjs';
import { h1, navigation, text } from './support/page.mjs';
import { stopAll } from './support/process.mjs';
import { startServer } from './support/server.mjs';
import { startSmtp } from './support/smtp.mjs';

const TEST_TIMEOUT = 120_000;
const MAIL_TIMEOUT = 15_000;

let smtp;
let server;
let browser;

before(async () => {
  smtp = await startSmtp();
  server = await startServer({ env: { MAIL_URL: smtp.url, WORKER_TICK: '1' } });
  browser = await launchBrowser();
}, { timeout: 180_000 });

after(() => stopAll(browser, server, smtp));

/** The count line of /evenements («28 sessions»), announced as a status. */
const count = async (page) => text(page.locator('main [role="status"] p'));

/** The slug of the first session of `kind` in the API (the same programme). */
async function firstSession(kind) {
  const res = await fetch(`${server.baseUrl}/api/v1/evenements?type=${kind}`);
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.ok(body.sessions.length > 0, `a ${kind} session in the demo`);
  return body.sessions[0];
}

test('/forum and /evenements without JavaScript: «Atelier de coaching» chosen with the keyboard, «Filtrer», then a session and its calendar file', { timeout: TEST_TIMEOUT }, () =>
  withPage(
    browser,
    async ({ page }) => {
      let response = await page.goto(`${server.baseUrl}/forum`);
      assert.equal(response.status(), 200, 'GET /forum');
      assert.equal(await h1(page), 'Forum de l’emploi tech de l’État');
      assert.match(await text(page.locator('main')), /objectif : 1\s?500/);
      await auditNoScriptPage(page, '/forum');
      await navigation(page, () => page.getByRole('link', { name: 'Voir le programme' }).click(), '«Voir le programme»');
      assert.equal(new URL(page.url()).pathname, '/evenements');
      const all = await count(page);
      assert.match(all, /^\d+ sessions$/);
      await auditNoScriptPage(page, '/evenements');

      await tabTo(page, '#filtre-type', { max: 80 });
      await assertFocusVisible(page, '/evenements: «Type»');
      await page.keyboard.type('Atelier');
      assert.equal(await page.locator('#filtre-type').inputValue(), 'atelier');
      await tabTo(page, 'main form[action="/evenements"] button[type="submit"]', { max: 8 });
      assert.equal((await describeFocus(page)).text, 'Filtrer');
      await navigation(page, () => page.keyboard.press('Enter'), '«Filtrer» (Enter)');
      assert.equal(new URL(page.url()).searchParams.get('type'), 'atelier');
      const filtered = await count(page);
      assert.notEqual(filtered, all);
      const cards = page.locator('main .mdn-session-card');
      assert.equal(await cards.count(), Number(filtered.split(' ')[0]), 'one card per session counted');
      for (const badge of await page.locator('main .mdn-session-card .fr-badge--info').allTextContents()) {
        assert.equal(badge.trim(), 'Atelier de coaching');
      }
      await auditNoScriptPage(page, '/evenements?type=atelier');

      const link = cards.first().locator('.fr-card__title a');
      const title = await text(link);
      const href = await link.getAttribute('href');
      await navigation(page, () => link.click(), `the card of ${title}`);
      assert.equal(await h1(page), title);
      assert.match(await text(page.locator('main')), /places restantes sur/);
      const ld = JSON.parse(await page.locator('script[type="application/ld+json"]').textContent());
      assert.equal(ld['@type'], 'Event');
      assert.equal(ld.eventAttendanceMode, 'https://schema.org/OnlineEventAttendanceMode');
      assert.doesNotMatch(await page.content(), /webinaire\.numerique\.gouv\.fr/, 'the online link is not on the public page');
      await auditNoScriptPage(page, href);
      const ics = await page.request.get(`${server.baseUrl}${href}.ics`);
      assert.equal(ics.status(), 200);
      assert.match(ics.headers()['content-type'], /^text\/calendar/);
      assert.match(await ics.text(), /BEGIN:VEVENT[\s\S]*SUMMARY:/);

      // A booth without JavaScript: its slots and offers.
      response = await page.goto(`${server.baseUrl}/stands`);
      assert.equal(response.status(), 200);
      await auditNoScriptPage(page, '/stands');
      const booth = page.locator('main .fr-tile__title a').first();
      const boothName = await text(booth);
      await navigation(page, () => booth.click(), `the booth of ${boothName}`);
      assert.equal(await h1(page), boothName);
      assert.match(await text(page.locator('main')), /Job dating/);
      await auditNoScriptPage(page, 'a booth');
    },
    { context: { javaScriptEnabled: false } },
  ),
);

test('an e-mail address alone: registered after the link of the confirmation e-mail, then on the registration page', { timeout: TEST_TIMEOUT }, () =>
  withPage(browser, async ({ page }) => {
    const session = await firstSession('conference');
    const email = newAddress('visiteur');
    await page.goto(`${server.baseUrl}/evenements/${session.slug}`);
    await page.getByLabel(/^Adresse e-mail/).fill('pas-une-adresse');
    // The browser's own check stops an invalid address first; the server refuses it too.
    const refused = await page.request.post(`${server.baseUrl}/evenements/${session.slug}/inscription`, {
      form: { email: 'pas-une-adresse' },
      headers: { Origin: server.baseUrl },
    });
    assert.equal(refused.status(), 422);
    await page.getByLabel(/^Adresse e-mail/).fill(email);
    await navigation(page, () => page.getByRole('button', { name: /^M’inscrire/ }).click(), 'register by e-mail');
    assert.equal(await h1(page), 'Confirmez votre inscription');
    await auditCurrentPage(page, 'after the registration by e-mail');
    const mail = await smtp.waitForMessage({ to: email, subject: 'Confirmez votre inscription', timeout: MAIL_TIMEOUT });
    const link = mail.text.match(/https?:\/\/\S+\/forum\/confirmer\/[A-Za-z0-9_-]+/);
    assert.ok(link, `the confirmation link in:\n${mail.text}`);
    const local = link[0].replace(/^https?:\/\/[^/]+/, server.baseUrl);
    await page.goto(local);
    // The link opens a page with one button: only a person confirms, not a mail scanner.
    assert.equal(await h1(page), 'Confirmer mon inscription');
    await auditCurrentPage(page, 'the confirmation page');
    await navigation(page, () => page.getByRole('button', { name: 'Confirmer mon inscription' }).click(), '«Confirmer mon inscription»');
    assert.equal(await h1(page), 'Inscription confirmée');
    await auditCurrentPage(page, 'the confirmation link followed');
    await navigation(page, () => page.getByRole('link', { name: 'Voir mon inscription' }).click(), '«Voir mon inscription»');
    assert.equal(await h1(page), 'Mon inscription');
    assert.match(await text(page.locator('main')), /Inscrit·e/);
    assert.match(await text(page.locator('main')), /Le lien de connexion s’affichera ici/);
    await auditCurrentPage(page, 'the registration page');
    const confirmed = await smtp.waitForMessage({ to: email, subject: 'Inscription confirmée', timeout: MAIL_TIMEOUT });
    assert.match(confirmed.text, /\/agenda\/[A-Za-z0-9_-]+\.ics/);
  }),
);

test('a candidate, keyboard only: registers, finds it in their space, cancels; books a job-dating slot and cancels it', { timeout: TEST_TIMEOUT }, () =>
  withPage(browser, async ({ page }) => {
    await newCandidate({ server, smtp }, page, 'forum', 'Lou', 'Martin');
    const session = await firstSession('atelier');
    await page.goto(`${server.baseUrl}/evenements/${session.slug}`);
    await tabTo(page, 'main form[action$="/inscription"] button[type="submit"]', { max: 80 });
    await assertFocusVisible(page, '«M’inscrire»');
    await navigation(page, () => page.keyboard.press('Enter'), '«M’inscrire» (Enter)');
    assert.equal(await h1(page), 'Inscription confirmée');
    await auditCurrentPage(page, 'registered');
    await tabTo(page, 'main a[href="/espace-candidat#forum"]', { max: 40 });
    await navigation(page, () => page.keyboard.press('Enter'), '«Voir mes inscriptions»');
    assert.equal(await h1(page), 'Mon espace candidat');
    assert.match(await text(page.locator('main')), new RegExp(session.titre.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    await auditCurrentPage(page, 'the candidate space with a registration');
    await tabTo(page, 'main form[action^="/forum/annuler/"] button', { max: 120 });
    await navigation(page, () => page.keyboard.press('Enter'), '«Annuler» (Enter)');
    assert.equal(await h1(page), 'Inscription annulée');
    await auditCurrentPage(page, 'cancelled');

    // A booth with free slots; the first bookable one, its question answered if it asks one.
    const res = await page.request.get(`${server.baseUrl}/stands`);
    const booths = [...(await res.text()).matchAll(/href="(\/stands\/[a-z0-9-]+)"/g)].map((m) => m[1]);
    assert.ok(booths.length >= 12, `twelve booths: ${booths.length}`);
    await page.goto(`${server.baseUrl}${booths[1]}`);
    const form = page.locator('main form[action*="/creneaux/"]').first();
    assert.ok((await form.count()) > 0, 'a bookable slot');
    const answer = form.locator('textarea');
    if (await answer.count()) {
      await tabTo(page, `#${await answer.getAttribute('id')}`, { max: 80 });
      await page.keyboard.type('Le poste de développeuse m’intéresse.');
    }
    const action = await form.getAttribute('action');
    await tabTo(page, `main form[action="${action}"] button`, { max: 80 });
    assert.match((await describeFocus(page)).text, /^Réserver ce créneau : le /, 'the button names its slot');
    await navigation(page, () => page.keyboard.press('Enter'), '«Réserver ce créneau» (Enter)');
    assert.equal(await h1(page), 'Rendez-vous réservé');
    await auditCurrentPage(page, 'booked');
    await tabTo(page, 'main a[href="/espace-candidat#forum"]', { max: 40 });
    await navigation(page, () => page.keyboard.press('Enter'), '«Voir mes rendez-vous»');
    await auditCurrentPage(page, 'the candidate space with a booking');
    await tabTo(page, 'main form[action^="/espace-candidat/forum/rendez-vous/"] button', { max: 120 });
    await navigation(page, () => page.keyboard.press('Enter'), '«Annuler» the booking (Enter)');
    assert.equal(await h1(page), 'Mon espace candidat');
    assert.match(await text(page.locator('main .fr-alert, main [role="status"]').first()), /rendez-vous de job dating est annulé/);
    await auditCurrentPage(page, 'the booking cancelled');
    const agenda = page.locator('main a[href^="/agenda/"]');
    const ics = await page.request.get(`${server.baseUrl}${await agenda.getAttribute('href')}`);
    assert.equal(ics.status(), 200);
    assert.match(await ics.text(), /STATUS:CANCELLED/, 'the cancelled registration stays in the calendar, cancelled');
  }),
);

test('organisers and recruiters: the edition with its charts, a session written with an error then saved and published, a booth’s slots published with the keyboard', { timeout: TEST_TIMEOUT }, () =>
  withPage(browser, async ({ page }) => {
    const admin = await addStaff(server, 'administrator');
    await signInWithLink(page, admin.link, '/admin', 'Administration');
    await navigation(page, () => page.getByRole('link', { name: 'Forum de l’emploi tech' }).click(), '«Forum de l’emploi tech»');
    assert.equal(await h1(page), 'Forum de l’emploi tech');
    await auditCurrentPage(page, '/admin/forum');
    await navigation(page, () => page.locator('main ul a').first().click(), 'the first edition');
    assert.match(await text(page.locator('main')), /Les chiffres/);
    assert.equal(await page.locator('main bar-chart').count() >= 1, true, 'a DSFR chart beside the table');
    await auditCurrentPage(page, 'an edition');
    await navigation(page, () => page.getByRole('link', { name: 'Nouvelle session' }).click(), '«Nouvelle session»');
    await auditCurrentPage(page, 'a new session');
    await page.getByLabel('Titre').fill('Atelier portfolio');
    await page.getByLabel(/^Début/).fill('2030-03-15T10:00');
    await page.getByLabel(/^Fin/).fill('2030-03-15T11:00');
    await page.getByLabel(/^Lien de connexion/).fill('ftp://visio.exemple.fr/portfolio');
    await navigation(page, () => page.getByRole('button', { name: 'Enregistrer' }).click(), 'save with a bad link');
    assert.match(await text(page.locator('#erreurs')), /commence par https/);
    assert.equal(await page.getByLabel('Titre').inputValue(), 'Atelier portfolio', 'what was typed is kept');
    await auditCurrentPage(page, 'the session form with an error');
    await page.getByLabel(/^Lien de connexion/).fill('https://visio.exemple.fr/portfolio');
    await navigation(page, () => page.getByRole('button', { name: 'Enregistrer' }).click(), 'save');
    assert.equal(await h1(page), 'Atelier portfolio');
    await tabTo(page, 'main button[name="etat"][value="published"]', { max: 80 });
    await navigation(page, () => page.keyboard.press('Enter'), '«Publier» (Enter)');
    assert.match(await text(page.locator('main')), /Session publiée/);
    await auditCurrentPage(page, 'a published session');

    const recruiter = await addStaff(server, 'recruiter', { institution: 'dinum' });
    await withPage(browser, async ({ page: rpage }) => {
      await signInWithLink(rpage, recruiter.link, '/recruteur', 'Espace recruteur');
      await navigation(rpage, () => rpage.getByRole('link', { name: 'Mon stand au forum' }).click(), '«Mon stand au forum»');
      assert.equal(await h1(rpage), 'Mon stand au forum');
      await auditCurrentPage(rpage, '/recruteur/forum');
      const before = await rpage.locator('main #agenda ~ ul > li').count();
      await tabTo(rpage, '#jour', { max: 120 });
      await rpage.keyboard.type('15032030');
      await tabTo(rpage, '#debut', { max: 5 });
      await rpage.keyboard.type('1400');
      await tabTo(rpage, '#fin', { max: 5 });
      await rpage.keyboard.type('1500');
      await tabTo(rpage, '#lien', { max: 8 });
      await rpage.keyboard.type('https://visio.exemple.fr/jd');
      await tabTo(rpage, 'main form[action="/recruteur/forum/creneaux"] button[type="submit"]', { max: 40 });
      await navigation(rpage, () => rpage.keyboard.press('Enter'), '«Publier les créneaux» (Enter)');
      assert.match(await text(rpage.locator('main [role="status"]')), /2 créneaux publiés/);
      assert.equal(await rpage.locator('main #agenda ~ ul > li').count(), before + 2);
      await auditCurrentPage(rpage, 'the agenda with new slots');
    });
  }),
);
