// The back-offices: a recruiter (signed in with the one-time link `metiers user
// add` prints) writes a new offer and publishes it, then moves the applications
// it gets through the pipeline, with the keyboard only;
// the candidates are told by e-mail and see the new stage (and the refusal
// reason) in their space; the CSV export agrees. Every back-office page is
// axe-clean without console errors nor CSP violations; the access rules hold
// (403 for candidates, 404 for another institution's recruiter, sign-in page
// for anonymous visitors); deactivating an account closes its sessions.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { addStaff, newCandidate, signInWithLink } from './support/accounts.mjs';
import { assertPageClean, auditCurrentPage, checkPage, launchBrowser, withContexts } from './support/browser.mjs';
import { arrowSelect, assertFocusOn, assertFocusVisible, describeFocus, tabAndType, tabExpect, tabTo } from './support/keyboard.mjs';
import { applyTo, findInternalOffer, offerIdOnHome } from './support/offers.mjs';
import { h1, navigation, notice, text } from './support/page.mjs';
import { stopAll } from './support/process.mjs';
import { escapeRegExp } from './support/regexp.mjs';
import { startServer } from './support/server.mjs';
import { startSmtp } from './support/smtp.mjs';

const NAV_TIMEOUT = 10_000;
const MAIL_TIMEOUT = 15_000;

const REASON_EXPERIENCE = 'L’expérience demandée pour ce poste est plus importante.';
const REASON_PROFILE = 'Votre profil ne correspond pas aux compétences recherchées pour ce poste.';

// The offer the recruiter writes in the first test (Markdown in the missions).
const NEW_OFFER = {
  title: 'Développeuse ou développeur Rust pour la plateforme des concours',
  missions: 'Vous **concevez** les services de la plateforme des concours.\nAu quotidien :\n- écrire les tests\n- relire le code des collègues',
  profile: 'Vous aimez le travail en équipe et le logiciel libre.',
  pastDeadline: isoDate(-10),
  deadline: isoDate(365),
  laterDeadline: isoDate(400),
};
// The search index follows the database every 2 s.
const INDEX_TIMEOUT = 20_000;

let smtp;
let server;
let browser;
let offer; // { slug, title, employer }
let otherEmployer; // the slug of another institution

before(async () => {
  smtp = await startSmtp();
  server = await startServer({ env: { MAIL_URL: smtp.url, WORKER_TICK: '1' } });
  browser = await launchBrowser();
  offer = await findInternalOffer(server);
  const employers = await (await fetch(`${server.baseUrl}/api/v1/employeurs`)).json();
  assert.ok(Array.isArray(employers) && employers.length > 1, 'GET /api/v1/employeurs should list several employers');
  otherEmployer = employers.find((e) => e.slug !== offer.employer)?.slug;
  assert.ok(otherEmployer, 'another employer than the offer’s');
}, { timeout: 180_000 });

after(() => stopAll(browser, server, smtp));

// ---------------------------------------------------------------------------
// Helpers

/** The pipeline row of the candidate called `name` (first column). */
function pipelineRow(page, name) {
  return page.locator('main table tbody tr').filter({ has: page.locator('td:first-child', { hasText: name }) });
}

/**
 * Runs checkPage in a new tab of `page`'s context (same cookies): the guards of a
 * tab record every load, so each expected error status gets its own tab.
 */
async function checkInNewTab(page, url, status) {
  const tab = await page.context().newPage();
  tab.setDefaultTimeout(NAV_TIMEOUT);
  try {
    return await checkPage(tab, url, status);
  } finally {
    await tab.close();
  }
}

/** Splits `;`-separated CSV (RFC 4180 quoting) into rows of fields. */
function parseCsv(source) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < source.length; i += 1) {
    const char = source[i];
    if (quoted) {
      if (char === '"' && source[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ';') {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && source[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += char;
    }
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** The date `days` from today (UTC), as YYYY-MM-DD (the value of an <input type="date">). */
function isoDate(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Types `iso` (YYYY-MM-DD) into the <input type="date"> `selector`, whose first segment has
 * the focus. The order of the segments follows the browser's interface language (jj/mm/aaaa
 * for French users, mm/dd/yyyy in a Chromium shipped with en-US only), so a first entry finds
 * it out; Shift+Tab twice goes back to the first segment and the date is typed in that order.
 */
async function typeDate(page, selector, iso) {
  const input = page.locator(selector);
  await page.keyboard.type('01022030');
  const probe = await input.inputValue();
  assert.ok(['2030-01-02', '2030-02-01'].includes(probe), `typing 01 02 2030 into ${selector} gave «${probe}»`);
  const dayFirst = probe === '2030-02-01';
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  await assertFocusOn(page, selector, `Shift+Tab inside ${selector}`);
  const [year, month, day] = iso.split('-');
  await page.keyboard.type(dayFirst ? `${day}${month}${year}` : `${month}${day}${year}`);
  assert.equal(await input.inputValue(), iso, `${selector} should hold the date typed`);
}

/** From any back-office page, back to /recruteur through a link to it, with Shift+Tab and Enter. */
async function backToRecruiterHome(page, what) {
  await tabTo(page, 'a[href="/recruteur"]', { reverse: true, max: 120 });
  await navigation(page, () => page.keyboard.press('Enter'), `${what}: back to /recruteur (Enter)`);
  assert.equal(new URL(page.url()).pathname, '/recruteur', `${what}: the link should lead to /recruteur`);
  assert.equal(await h1(page), 'Espace recruteur');
}

/** The /recruteur row of the offer `id`. */
function homeRow(page, id) {
  return page.locator('main table tbody tr').filter({ has: page.locator(`a[href="/recruteur/offres/${id}/candidatures"]`) });
}

/**
 * On /recruteur, publishes the offer `id` with the keyboard: Tab to its «Nouvel état» select
 * (on «Publier», its first option), Tab to «Appliquer», Enter. Returns the status message.
 */
async function publishWithKeyboard(page, id, what) {
  await tabTo(page, `#etat-${id}`, { max: 200 });
  await assertFocusVisible(page, `${what}: «Nouvel état»`);
  const select = page.locator(`#etat-${id}`);
  assert.equal(await select.inputValue(), 'published', `${what}: «Publier» should be the select’s first choice`);
  assert.equal(await text(select.locator('option:checked')), 'Publier');
  await tabExpect(page, `form[action="/recruteur/offres/${id}/etat"] button[type="submit"]`, `${what}: from «Nouvel état»`);
  await assertFocusVisible(page, `${what}: «Appliquer»`);
  await navigation(page, () => page.keyboard.press('Enter'), `${what}: «Appliquer» (Enter)`);
  assert.equal(new URL(page.url()).pathname, '/recruteur');
  await auditCurrentPage(page, `/recruteur: ${what}`);
  return text(notice(page));
}

/** From /recruteur, to the edit page of the offer `id` through its «Modifier» link (Tab, Enter). */
async function editWithKeyboard(page, id, title, what) {
  const edit = `/recruteur/offres/${id}/modifier`;
  await tabTo(page, `a[href="${edit}"]`, { max: 200 });
  assert.equal(await text(page.locator(':focus')), `Modifier « ${title} »`, `${what}: the «Modifier» link names the offer`);
  await navigation(page, () => page.keyboard.press('Enter'), `${what}: «Modifier» (Enter)`);
  assert.equal(new URL(page.url()).pathname, edit);
  assert.equal(await h1(page), 'Modifier l’offre');
  await auditCurrentPage(page, `${edit}: ${what}`);
}

/**
 * The recruiter, on /recruteur, writes a new offer and publishes it, keyboard only. On the
 * way: a salary and a past deadline the form refuses (summary of errors, focused, whose link
 * leads to the field), the Markdown preview, a publication refused for want of a département,
 * the draft autosaved (htmx) when the département is chosen, another deadline saved with
 * «Enregistrer», and the offer published. Returns { id, title }.
 */
async function createAndPublishOffer(page) {
  const title = NEW_OFFER.title;
  await auditCurrentPage(page, '/recruteur before the new offer');

  // «Nouvelle offre»: Tab, Enter.
  await tabTo(page, 'a[href="/recruteur/offres/nouvelle"]', { max: 120 });
  await assertFocusVisible(page, '/recruteur: «Nouvelle offre»');
  await navigation(page, () => page.keyboard.press('Enter'), '«Nouvelle offre» (Enter)');
  assert.equal(new URL(page.url()).pathname, '/recruteur/offres/nouvelle');
  assert.equal(await h1(page), 'Nouvelle offre');
  await auditCurrentPage(page, '/recruteur/offres/nouvelle');

  // The form, in its tab order: title, missions (Markdown, Enter makes new lines), profile,
  // «CDI» (Space), «Catégorie A» (arrows), no département, a salary in k€ (refused), a past
  // deadline.
  await tabAndType(page, '#titre', title);
  await assertFocusVisible(page, 'new offer: «Intitulé du poste»');
  await tabExpect(page, '#missions', 'new offer: from «Intitulé du poste»');
  await page.keyboard.type(NEW_OFFER.missions);
  assert.equal(await page.locator('#missions').inputValue(), NEW_OFFER.missions);
  await tabExpect(page, '#profil', 'new offer: from «Vos missions»');
  await page.keyboard.type(NEW_OFFER.profile);
  await tabTo(page, 'input[name="contrat"][value="cdi"]');
  await page.keyboard.press('Space');
  assert.ok(await page.locator('input[name="contrat"][value="cdi"]').isChecked(), 'Space should tick «CDI»');
  await tabTo(page, '#categorie');
  await assertFocusVisible(page, 'new offer: «Catégorie»');
  await arrowSelect(page, '#categorie', 'A');
  await tabTo(page, '#departement');
  assert.equal(await page.locator('#departement').inputValue(), '', 'no département yet');
  await tabAndType(page, '#salaire_min', '45');
  await tabTo(page, '#date_limite');
  await typeDate(page, '#date_limite', NEW_OFFER.pastDeadline);
  await tabTo(page, 'button[name="action"][value="apercu"]');
  assert.equal((await describeFocus(page)).text, 'Enregistrer et prévisualiser');
  await assertFocusVisible(page, 'new offer: «Enregistrer et prévisualiser»');
  const refused = await navigation(page, () => page.keyboard.press('Enter'), '«Enregistrer et prévisualiser» with a wrong salary and a past deadline (Enter)');

  // Refused: the same page, with the summary of errors focused and everything typed kept.
  assert.equal(refused.status(), 422, 'a form with an error is shown again');
  assert.equal(new URL(page.url()).pathname, '/recruteur/offres/nouvelle');
  assert.equal(await h1(page), 'Nouvelle offre');
  assert.match(await page.title(), /^Nouvelle offre – erreur/, 'the page title should tell about the error');
  const summary = page.locator('#erreurs');
  assert.equal(await summary.getAttribute('role'), 'alert');
  await assertFocusOn(page, '#erreurs', 'new offer: after a refused save');
  assert.equal(await text(summary.locator('h2')), 'Le formulaire contient 2 erreurs');
  const salaryError = 'Saisissez un salaire annuel brut en euros, entre 10 000 et 300 000.';
  const deadlineError = 'La date limite de candidature doit être à venir : choisissez aujourd’hui ou une date future.';
  assert.deepEqual((await summary.locator('li').allTextContents()).map((t) => t.trim()), [salaryError, deadlineError]);
  assert.equal(await text(page.locator('#date_limite-erreur')), deadlineError, 'a past deadline is refused next to its field');
  assert.equal(await page.locator('#salaire_min').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#salaire_min').getAttribute('aria-describedby'), 'salaire_min-erreur');
  assert.equal(await text(page.locator('#salaire_min-erreur')), salaryError);
  assert.equal(await page.locator('#titre').inputValue(), title, 'the title is kept');
  assert.equal(await page.locator('#missions').inputValue(), NEW_OFFER.missions, 'the missions are kept');
  assert.ok(await page.locator('input[name="contrat"][value="cdi"]').isChecked(), '«CDI» stays ticked');
  assert.equal(await page.locator('#categorie').inputValue(), 'A', 'the category is kept');
  assert.equal(await page.locator('#date_limite').inputValue(), NEW_OFFER.pastDeadline, 'the deadline is kept');
  await auditCurrentPage(page, '/recruteur/offres/nouvelle with an error');

  // The summary's link leads to the field (Tab, Enter); the salary is typed again in euros.
  await tabExpect(page, '#erreurs a[href="#salaire_min"]', 'new offer: from the summary of errors');
  await assertFocusVisible(page, 'new offer: the summary’s link');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.id === 'salaire_min', null, { timeout: NAV_TIMEOUT }).catch(() => {});
  await assertFocusOn(page, '#salaire_min', 'new offer: the summary’s link (Enter)');
  await assertFocusVisible(page, 'new offer: «Salaire annuel brut minimum» from the summary');
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('45000');
  assert.equal(await page.locator('#salaire_min').inputValue(), '45000');
  await tabTo(page, '#date_limite');
  await typeDate(page, '#date_limite', NEW_OFFER.deadline);
  await tabTo(page, 'button[name="action"][value="apercu"]');
  await navigation(page, () => page.keyboard.press('Enter'), '«Enregistrer et prévisualiser» (Enter)');

  // Saved as a draft; the edit page shows the Markdown rendered.
  const editUrl = new URL(page.url());
  const idMatch = editUrl.pathname.match(/^\/recruteur\/offres\/(\d+)\/modifier$/);
  assert.ok(idMatch, `a saved draft should lead to /recruteur/offres/{id}/modifier: ${page.url()}`);
  const id = idMatch[1];
  assert.equal(editUrl.searchParams.get('enregistre'), '1');
  assert.equal(editUrl.searchParams.get('apercu'), '1');
  assert.equal(await h1(page), 'Modifier l’offre');
  assert.equal(
    await text(page.locator('main [role="status"]').first()),
    'Offre enregistrée. Publiez-la depuis l’espace recruteur quand elle est prête.',
  );
  const preview = page.locator('main section[aria-labelledby="apercu-titre"]');
  assert.equal(await text(preview.locator('h2')), 'Aperçu');
  assert.deepEqual(
    (await preview.locator('h3').allTextContents()).map((t) => t.trim()),
    ['Vos missions', 'Votre profil'],
    'the preview shows the sections written, in order',
  );
  assert.equal(await text(preview.locator('strong').first()), 'concevez', '**…** is rendered bold');
  assert.deepEqual(
    (await preview.locator('ul li').allTextContents()).map((t) => t.trim()),
    ['écrire les tests', 'relire le code des collègues'],
    '«- » lines are rendered as a list',
  );
  assert.ok(!(await text(preview)).includes('**'), 'no Markdown mark is left in the preview');
  assert.equal(await page.locator('#salaire_min').inputValue(), '45000');
  assert.equal(await page.locator('#date_limite').inputValue(), NEW_OFFER.deadline);
  await auditCurrentPage(page, '/recruteur/offres/{id}/modifier with the preview');

  // A draft, on /recruteur; publishing it is refused: no région.
  await backToRecruiterHome(page, 'after the preview');
  const row = homeRow(page, id);
  assert.equal(await row.count(), 1, '/recruteur should list the new offer');
  assert.equal(await text(row.locator('td a[href$="/candidatures"]')), title);
  assert.equal(await text(row.locator('td').nth(1)), 'Brouillon');
  assert.equal(
    await publishWithKeyboard(page, id, 'publish without a département'),
    `« ${title} » : Pour publier, renseignez le département (la région en découle).`,
  );
  assert.equal(await text(homeRow(page, id).locator('td').nth(1)), 'Brouillon', 'a refused publication leaves a draft');

  // The département, chosen by typing its name on the select: the draft saves itself.
  await editWithKeyboard(page, id, title, 'to choose a département');
  assert.equal(await page.locator('main [role="status"]', { hasText: 'Offre enregistrée' }).count(), 0, 'no «saved» message on a plain load');
  await tabTo(page, '#departement');
  await assertFocusVisible(page, 'edit: «Département»');
  await page.keyboard.type('Paris');
  assert.equal(await page.locator('#departement').inputValue(), '75', 'typing «Paris» on the select should choose Paris (75)');
  const autosave = page.locator('#etat-brouillon');
  await page
    .waitForFunction(() => /Enregistré automatiquement/.test(document.getElementById('etat-brouillon')?.textContent || ''), null, { timeout: NAV_TIMEOUT })
    .catch(() => {});
  assert.match(await text(autosave), /^Enregistré automatiquement à \d{2}:\d{2}\.$/, 'the draft should be autosaved after a change');
  assert.equal(await autosave.getAttribute('role'), 'status', 'the autosave message is announced');
  await assertFocusOn(page, '#departement', 'edit: the autosave keeps the focus');
  await auditCurrentPage(page, '/recruteur/offres/{id}/modifier after an autosave');

  // Another future deadline, saved with «Enregistrer».
  await backToRecruiterHome(page, 'after the autosave');
  await editWithKeyboard(page, id, title, 'to change the deadline');
  assert.equal(await page.locator('#departement').inputValue(), '75', 'the autosaved département is there');
  await tabTo(page, '#date_limite');
  await typeDate(page, '#date_limite', NEW_OFFER.laterDeadline);
  await tabTo(page, 'button[name="action"][value="enregistrer"]');
  assert.equal((await describeFocus(page)).text, 'Enregistrer');
  await navigation(page, () => page.keyboard.press('Enter'), '«Enregistrer» (Enter)');
  assert.equal(new URL(page.url()).pathname, `/recruteur/offres/${id}/modifier`);
  assert.equal(new URL(page.url()).searchParams.get('enregistre'), '1');
  assert.equal(await page.locator('main section[aria-labelledby="apercu-titre"]').count(), 0, 'no preview after «Enregistrer»');
  assert.equal(await page.locator('#date_limite').inputValue(), NEW_OFFER.laterDeadline);
  await auditCurrentPage(page, '/recruteur/offres/{id}/modifier after «Enregistrer»');

  // Published.
  await backToRecruiterHome(page, 'after the new deadline');
  assert.equal(await publishWithKeyboard(page, id, 'publish'), `« ${title} » : publiée.`);
  assert.equal(await text(homeRow(page, id).locator('td').nth(1)), 'Publiée');
  assert.equal(await text(homeRow(page, id).locator('td').nth(3)), '0', 'no application yet');
  return { id, title };
}

/**
 * The candidate finds the offer `title` with the public search (the index follows the
 * database every 2 s: the search is loaded again until it lists it), opens it and its
 * application form with Tab and Enter. Returns { slug, title }.
 */
async function findOnBoard(page, title) {
  const searchUrl = `${server.baseUrl}/offres-emploi?q=${encodeURIComponent(title)}`;
  const result = page.locator('.fr-card__title').getByRole('link', { name: title, exact: true });
  const deadline = Date.now() + INDEX_TIMEOUT;
  for (;;) {
    const response = await page.goto(searchUrl, { waitUntil: 'load' });
    assert.equal(response.status(), 200, `GET ${searchUrl}`);
    if ((await result.count()) > 0) break;
    if (Date.now() > deadline) {
      assert.fail(`the search never listed «${title}» within ${INDEX_TIMEOUT / 1000} s of its publication: «${await text(page.locator('#nombre-offres'))}»`);
    }
    await page.waitForTimeout(500);
  }
  assert.equal(await result.count(), 1, `the search should list «${title}» once`);
  await auditCurrentPage(page, 'the search listing the new offer');
  const href = await result.getAttribute('href');
  const match = href.match(/^\/emploi\/([a-z0-9-]+)$/);
  assert.ok(match, `the result should link to /emploi/{slug}: ${href}`);
  const slug = match[1];

  // The result, then «Candidater»: Tab and Enter (the results are boosted by htmx).
  await tabTo(page, `.fr-card__title a[href="${href}"]`, { max: 400 });
  // A DSFR card is one big link: its focus ring is drawn by the link's ::before, around the card.
  const ring = await page.evaluate(() => {
    const element = document.activeElement;
    const style = getComputedStyle(element, '::before');
    return { focusVisible: element.matches(':focus-visible'), style: style.outlineStyle, width: parseFloat(style.outlineWidth) || 0 };
  });
  assert.ok(ring.focusVisible && ring.style !== 'none' && ring.width >= 1, `search: the new offer’s card should show a focus ring: ${JSON.stringify(ring)}`);
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.pathname === href, { timeout: NAV_TIMEOUT });
  await page.locator('main h1', { hasText: title }).first().waitFor({ timeout: NAV_TIMEOUT });
  assert.equal(await h1(page), title);
  await auditCurrentPage(page, href);
  const apply = `/candidature/${slug}`;
  await tabTo(page, `main a[href="${apply}"]`);
  assert.equal((await describeFocus(page)).text, 'Candidater');
  await assertFocusVisible(page, `${href}: «Candidater»`);
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.pathname === apply, { timeout: NAV_TIMEOUT });
  await page.locator('main h1', { hasText: `Candidater : ${title}` }).first().waitFor({ timeout: NAV_TIMEOUT });
  await auditCurrentPage(page, apply);
  return { slug, title };
}

// ---------------------------------------------------------------------------
// 1. From a new offer to the pipeline, keyboard only on the recruiter's side.

test('a recruiter publishes a new offer and moves its two applications with the keyboard only; the candidates are told and the CSV agrees', { timeout: 180_000 }, () =>
  withContexts(browser, async (open) => {
    const first = await newCandidate({ server, smtp }, await open(), 'alix', 'Alix', 'Bernard');
    const second = await newCandidate({ server, smtp }, await open(), 'noa', 'Noa', 'Lefèvre');

    // The recruiter signs in with the one-time link (opened as from a mail client), writes a
    // new offer and publishes it.
    const recruiter = await addStaff(server, 'recruiter', { institution: offer.employer, label: 'recruteur' });
    const page = await open();
    await signInWithLink(page, recruiter.link, '/recruteur', 'Espace recruteur');
    const { id: offerId, title } = await createAndPublishOffer(page);
    const pipelinePath = `/recruteur/offres/${offerId}/candidatures`;

    // The first candidate finds it with the search, the second opens its page; both apply.
    const published = await findOnBoard(first.page, title);
    await checkPage(second.page, `${server.baseUrl}/emploi/${published.slug}`);
    assert.equal(await h1(second.page), title);
    const missions = second.page.locator('main section[aria-labelledby="section-missions"]');
    assert.equal(await text(missions.locator('h2')), 'Vos missions');
    assert.equal(await text(missions.locator('strong').first()), 'concevez', 'the public page renders the Markdown');
    assert.equal(await missions.locator('ul li').count(), 2, 'the public page renders the list');
    assert.equal(await second.page.locator(`main a[href="/candidature/${published.slug}"]`).count(), 1, 'the public page offers «Candidater»');
    const firstId = await applyTo(server, first, published);
    const secondId = await applyTo(server, second, published);
    await smtp.waitForMessage({ to: first.email, subject: 'Candidature envoyée', timeout: MAIL_TIMEOUT });
    await smtp.waitForMessage({ to: second.email, subject: 'Candidature envoyée', timeout: MAIL_TIMEOUT });

    // Back on /recruteur (loaded again): the offer counts its two applications.
    await page.reload({ waitUntil: 'load' });
    assert.equal(await text(homeRow(page, offerId).locator('td').nth(3)), '2', 'the offer’s row should count its two applications');
    assert.equal(await offerIdOnHome(page, title), offerId);

    // To the offer's pipeline with Tab and Enter.
    await tabTo(page, `a[href="${pipelinePath}"]`, { max: 200 });
    await assertFocusVisible(page, '/recruteur: the offer’s link');
    await navigation(page, () => page.keyboard.press('Enter'), 'the offer’s link (Enter)');
    assert.equal(new URL(page.url()).pathname, pipelinePath);
    assert.equal(await h1(page), `Candidatures : ${title}`);
    const rowOf = (c) => pipelineRow(page, `${c.prenom} ${c.nom}`);
    assert.equal(await rowOf(first).count(), 1, 'the first candidate should be listed once');
    assert.equal(await rowOf(second).count(), 1, 'the second candidate should be listed once');
    assert.equal(await text(rowOf(first).locator('.fr-badge')), 'Reçue');
    assert.equal(await text(rowOf(second).locator('.fr-badge')), 'Reçue');
    assert.equal(await rowOf(first).locator(`select#etape-${firstId}`).count(), 1, 'the first row should hold its «Étape» select');
    assert.equal(await rowOf(second).locator(`select#etape-${secondId}`).count(), 1, 'the second row should hold its «Étape» select');

    // Candidate 1 → «Entretien»: Tab to «Étape», ArrowDown, Tab over «Motif», Tab to «Déplacer», Enter.
    await tabTo(page, `#etape-${firstId}`);
    await assertFocusVisible(page, 'pipeline: «Étape» of candidate 1');
    await arrowSelect(page, `#etape-${firstId}`, 'entretien');
    await tabExpect(page, `#motif-${firstId}`, 'pipeline: from «Étape» of candidate 1');
    assert.equal(await page.locator(`#motif-${firstId}`).inputValue(), '', 'no motif for an interview');
    await tabExpect(page, `#etape-${firstId} ~ button[type="submit"]`, 'pipeline: from «Motif» of candidate 1');
    assert.equal((await describeFocus(page)).text, 'Déplacer');
    await assertFocusVisible(page, 'pipeline: «Déplacer» of candidate 1');
    await navigation(page, () => page.keyboard.press('Enter'), '«Déplacer» candidate 1 (Enter)');
    assert.equal(new URL(page.url()).pathname, pipelinePath);
    assert.equal(
      await text(notice(page)),
      'Candidature passée à l’étape « Entretien » ; la personne a été prévenue par e-mail.',
    );
    assert.equal(await text(rowOf(first).locator('.fr-badge')), 'Entretien');
    assert.equal(await text(rowOf(second).locator('.fr-badge')), 'Reçue');

    // Candidate 2 → «Refusée» without a motif: refused with a message, nothing changes.
    await tabTo(page, `#etape-${secondId}`);
    await arrowSelect(page, `#etape-${secondId}`, 'refusee');
    await tabExpect(page, `#motif-${secondId}`, 'pipeline: from «Étape» of candidate 2');
    await tabExpect(page, `#etape-${secondId} ~ button[type="submit"]`, 'pipeline: from «Motif» of candidate 2');
    await navigation(page, () => page.keyboard.press('Space'), '«Déplacer» candidate 2 without a motif (Space)');
    assert.equal(new URL(page.url()).pathname, pipelinePath);
    assert.match(await text(notice(page)), /refus demande un motif/, 'a refusal without a motif should be refused with a message');
    assert.equal(await text(rowOf(second).locator('.fr-badge')), 'Reçue', 'a refusal without a motif changes nothing');
    assert.equal(await rowOf(second).locator(`#etape-${secondId}`).count(), 1, 'the application stays open');
    await auditCurrentPage(page, 'pipeline: refusal without a motif');

    // Again, with a motif: to the button first, then Shift+Tab back to «Motif».
    await tabTo(page, `#etape-${secondId}`);
    await arrowSelect(page, `#etape-${secondId}`, 'refusee');
    await tabExpect(page, `#motif-${secondId}`, 'pipeline: from «Étape» of candidate 2');
    await tabExpect(page, `#etape-${secondId} ~ button[type="submit"]`, 'pipeline: from «Motif» of candidate 2');
    await tabExpect(page, `#motif-${secondId}`, 'pipeline: Shift+Tab from «Déplacer» of candidate 2', 'Shift+Tab');
    await assertFocusVisible(page, 'pipeline: «Motif» of candidate 2');
    await arrowSelect(page, `#motif-${secondId}`, 'experience');
    await tabExpect(page, `#etape-${secondId} ~ button[type="submit"]`, 'pipeline: from «Motif» of candidate 2');
    await navigation(page, () => page.keyboard.press('Enter'), '«Déplacer» candidate 2 with a motif (Enter)');
    assert.equal(
      await text(notice(page)),
      'Candidature passée à l’étape « Refusée » ; la personne a été prévenue par e-mail.',
    );
    assert.equal(await text(rowOf(second).locator('.fr-badge')), 'Refusée');
    assert.ok((await text(rowOf(second))).includes(REASON_EXPERIENCE), 'the refused row should show the reason');
    assert.equal(await rowOf(second).locator('form[action$="/etape"]').count(), 0, 'a refused application cannot be moved any more');
    assert.equal(await text(rowOf(first).locator('.fr-badge')), 'Entretien');
    assert.equal(await rowOf(first).locator(`#etape-${firstId}`).count(), 1, 'an interview is still open');
    await assertPageClean(page);

    // The recruiter may read the CVs.
    for (const candidate of [first, second]) {
      const href = await rowOf(candidate).locator('a[href^="/fichiers/"]').getAttribute('href');
      const cv = await page.request.get(`${server.baseUrl}${href}`);
      assert.equal(cv.status(), 200, `the recruiter should get ${href}`);
      assert.ok(Buffer.compare(await cv.body(), candidate.pdf) === 0, `${href} should be ${candidate.prenom}’s PDF`);
    }

    // The e-mails.
    const spaceUrl = (id) => `${server.baseUrl}/espace-candidat/candidatures/${id}`;
    const interview = await smtp.waitForMessage({ to: first.email, subject: 'Votre candidature : ', timeout: MAIL_TIMEOUT });
    assert.equal(interview.subject, 'Votre candidature : Entretien');
    assert.ok(interview.text.includes(`« ${title} » a changé d’étape : Entretien.`), `the e-mail should name the offer and the stage:\n${interview.text}`);
    assert.ok(!interview.text.includes('Motif'), `no motif for an interview:\n${interview.text}`);
    assert.ok(interview.text.includes(spaceUrl(firstId)), `the e-mail should link to ${spaceUrl(firstId)}:\n${interview.text}`);
    const refusal = await smtp.waitForMessage({ to: second.email, subject: 'Votre candidature : ', timeout: MAIL_TIMEOUT });
    assert.equal(refusal.subject, 'Votre candidature : Refusée');
    assert.ok(refusal.text.includes(`Motif : ${REASON_EXPERIENCE}`), `the e-mail should give the reason:\n${refusal.text}`);
    assert.ok(refusal.text.includes(spaceUrl(secondId)), `the e-mail should link to ${spaceUrl(secondId)}:\n${refusal.text}`);
    // The refusal without a motif sent nothing: one stage e-mail each.
    for (const candidate of [first, second]) {
      const stageMails = await smtp.messagesTo(candidate.email, (m) => m.subject.startsWith('Votre candidature'));
      assert.equal(stageMails.length, 1, `${candidate.email} should get exactly one stage e-mail: ${stageMails.map((m) => m.subject)}`);
    }

    // The candidates see the new stage in their space.
    await first.page.goto(spaceUrl(firstId));
    assert.equal(await text(first.page.locator('main .fr-badge').first()), 'Entretien');
    assert.equal(await first.page.getByText('Motif :').count(), 0, 'no motif shown for an interview');
    assert.match(await text(first.page.locator('main ol.timeline')), /Entretien/);
    await second.page.goto(spaceUrl(secondId));
    assert.equal(await text(second.page.locator('main .fr-badge').first()), 'Refusée');
    assert.equal(await text(second.page.locator('main p', { hasText: 'Motif :' })), `Motif : ${REASON_EXPERIENCE}`);
    assert.equal(await second.page.getByRole('button', { name: 'Retirer ma candidature' }).count(), 0, 'a refused application cannot be withdrawn');
    for (const [candidate, id, stage] of [[first, firstId, 'Entretien'], [second, secondId, 'Refusée']]) {
      await candidate.page.goto(`${server.baseUrl}/espace-candidat`);
      const row = candidate.page.locator('main table tbody tr').filter({ has: candidate.page.locator(`a[href="/espace-candidat/candidatures/${id}"]`) });
      assert.equal(await text(row.locator('.fr-badge')), stage, `${candidate.email}’s list should show «${stage}»`);
      await assertPageClean(candidate.page);
    }

    // The CSV export, with the recruiter's cookies.
    const exportLink = page.getByRole('link', { name: 'Exporter les candidatures (CSV)' });
    assert.equal(await exportLink.getAttribute('href'), `${pipelinePath}.csv`);
    const csv = await page.request.get(`${server.baseUrl}${pipelinePath}.csv`);
    assert.equal(csv.status(), 200, 'GET the CSV export');
    assert.match(csv.headers()['content-type'] || '', /^text\/csv; charset=utf-8/);
    assert.match(csv.headers()['content-disposition'] || '', new RegExp(`^attachment; filename="candidatures-${offerId}\\.csv"`));
    const csvText = await csv.text();
    assert.ok(csvText.startsWith('\uFEFF'), 'the CSV should start with a byte-order mark, so that Excel reads UTF-8');
    const rows = parseCsv(csvText.slice(1));
    assert.deepEqual(rows[0], ['id', 'nom', 'email', 'envoyee_le', 'etape', 'motif_refus', 'liens', 'cv']);
    const byId = new Map(rows.slice(1).map((r) => [r[0], r]));
    for (const [candidate, id, stage, reason] of [[first, firstId, 'Entretien', ''], [second, secondId, 'Refusée', 'L’expérience demandée pour ce poste est plus importante.']]) {
      const row = byId.get(id);
      assert.ok(row, `the CSV should list application ${id}:\n${await csv.text()}`);
      assert.equal(row.length, 8, `row ${id} should have 8 fields`);
      assert.equal(row[1], `${candidate.prenom} ${candidate.nom}`);
      assert.equal(row[2], candidate.email);
      assert.match(row[3], /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/, `envoyee_le should be a Paris date and time to the minute: ${row[3]}`);
      assert.equal(row[4], stage, `the CSV stage of ${candidate.prenom}`);
      assert.equal(row[5], reason, `the CSV refusal reason of ${candidate.prenom}`);
      assert.match(row[7], new RegExp(`^${escapeRegExp(server.baseUrl)}/fichiers/\\d+$`));
    }
  }, { timeout: NAV_TIMEOUT }),
);

// ---------------------------------------------------------------------------
// 2. Every back-office page is axe-clean; the one-time link works once.

test('the back-office pages are axe-clean (before and after changes); a one-time link works once', { timeout: 90_000 }, () =>
  withContexts(browser, async (open) => {
    const candidate = await newCandidate({ server, smtp }, await open(), 'sasha', 'Sasha', 'Moreau');
    const applicationId = await applyTo(server, candidate, offer);

    const recruiter = await addStaff(server, 'recruiter', { institution: offer.employer, label: 'recruteuse' });
    const page = await open();
    await signInWithLink(page, recruiter.link, '/recruteur', 'Espace recruteur');

    // /recruteur.
    await checkPage(page, `${server.baseUrl}/recruteur`);
    assert.equal(await h1(page), 'Espace recruteur');
    assert.equal(await notice(page).count(), 0, 'no status message without a change');
    // Signed in with the one-time link, the recruiter is invited to choose a password.
    assert.equal(await page.locator('main .fr-callout a[href="/compte/mot-de-passe"]').count(), 1, 'the invitation to choose a password');
    await checkPage(page, `${server.baseUrl}/compte/mot-de-passe`);
    assert.equal(await h1(page), 'Choisir un mot de passe');
    await checkPage(page, `${server.baseUrl}/recruteur`);
    const offerId = await offerIdOnHome(page, offer.title);
    const offerRow = page.locator('main table tbody tr').filter({ has: page.locator(`a[href="/recruteur/offres/${offerId}/candidatures"]`) });
    assert.ok(Number((await text(offerRow.locator('td').nth(3)))) >= 1, 'the offer’s row should count its applications');

    // An offer state change, with the mouse: another offer of the institution is marked filled, then published again.
    const other = page.locator('main table tbody tr').filter({ hasNot: page.locator(`a[href="/recruteur/offres/${offerId}/candidatures"]`) }).first();
    assert.equal(await other.count(), 1, 'the institution should have another offer');
    const otherTitle = await text(other.locator('td:first-child a[href$="/candidatures"]'));
    const stateSelect = page.getByLabel(`Nouvel état de « ${otherTitle} »`, { exact: true });
    assert.equal(await stateSelect.count(), 1, `a select labelled «Nouvel état de « ${otherTitle} »»`);
    await stateSelect.selectOption({ label: 'Marquer pourvue' });
    await navigation(page, () => other.getByRole('button', { name: /^Appliquer/ }).click(), 'mark filled');
    assert.equal(new URL(page.url()).pathname, '/recruteur');
    assert.equal(await text(notice(page)), `« ${otherTitle} » : pourvue.`);
    const otherAgain = page.locator('main table tbody tr').filter({ has: page.getByRole('link', { name: otherTitle, exact: true }) });
    assert.equal(await text(otherAgain.locator('td').nth(1)), 'Pourvue');
    await auditCurrentPage(page, '/recruteur after a state change');
    await page.getByLabel(`Nouvel état de « ${otherTitle} »`, { exact: true }).selectOption({ label: 'Publier' });
    await navigation(page, () => otherAgain.getByRole('button', { name: /^Appliquer/ }).click(), 'publish again');
    assert.equal(await text(notice(page)), `« ${otherTitle} » : publiée.`);
    assert.equal(await text(otherAgain.locator('td').nth(1)), 'Publiée');

    // The pipeline before any move.
    const pipelineUrl = `${server.baseUrl}/recruteur/offres/${offerId}/candidatures`;
    await checkPage(page, pipelineUrl);
    assert.equal(await h1(page), `Candidatures : ${offer.title}`);
    const row = pipelineRow(page, 'Sasha Moreau');
    assert.equal(await text(row.locator('.fr-badge')), 'Reçue');
    assert.equal(await page.getByLabel('Étape').and(page.locator(`#etape-${applicationId}`)).count(), 1, '«Étape» should label the select');
    assert.equal(await page.getByLabel('Motif (en cas de refus)').and(page.locator(`#motif-${applicationId}`)).count(), 1, '«Motif (en cas de refus)» should label the select');

    // A refusal without a motif, then a move, then a refusal, with the mouse; each result page audited.
    await page.locator(`#etape-${applicationId}`).selectOption('refusee');
    await navigation(page, () => row.getByRole('button', { name: 'Déplacer' }).click(), 'refusal without a motif');
    assert.match(await text(notice(page)), /refus demande un motif/);
    await auditCurrentPage(page, 'pipeline: refusal without a motif');
    await page.locator(`#etape-${applicationId}`).selectOption('examen');
    await navigation(page, () => row.getByRole('button', { name: 'Déplacer' }).click(), 'move to review');
    assert.equal(await text(notice(page)), 'Candidature passée à l’étape « En cours d’examen » ; la personne a été prévenue par e-mail.');
    assert.equal(await text(row.locator('.fr-badge')), 'En cours d’examen');
    await auditCurrentPage(page, 'pipeline: after a move');
    await page.locator(`#etape-${applicationId}`).selectOption('refusee');
    await page.locator(`#motif-${applicationId}`).selectOption('profil');
    await navigation(page, () => row.getByRole('button', { name: 'Déplacer' }).click(), 'refusal with a motif');
    assert.equal(await text(row.locator('.fr-badge')), 'Refusée');
    await auditCurrentPage(page, 'pipeline: after a refusal');

    // The pipeline after the moves, loaded afresh.
    await checkPage(page, pipelineUrl);
    assert.equal(await notice(page).count(), 0, 'no status message on a plain load');
    assert.equal(await text(row.locator('.fr-badge')), 'Refusée');
    assert.ok((await text(row)).includes(REASON_PROFILE), 'the refused row should show the reason');
    const refused = await smtp.waitForMessage({ to: candidate.email, subject: 'Votre candidature : Refusée', timeout: MAIL_TIMEOUT });
    assert.ok(refused.text.includes(`Motif : ${REASON_PROFILE}`), `the e-mail should give the reason:\n${refused.text}`);

    // /admin.
    const admin = await addStaff(server, 'administrator', { label: 'admin' });
    const adminPage = await open();
    await signInWithLink(adminPage, admin.link, '/admin', 'Administration');
    await checkPage(adminPage, `${server.baseUrl}/admin`);
    assert.equal(await h1(adminPage), 'Administration');
    const counts = await text(adminPage.locator('main ul').first());
    assert.match(counts, /\d+ comptes/, 'the accounts count');
    assert.match(counts, /\d+ offres/, 'the offers count');
    assert.match(counts, /\d+ candidatures?/, 'the applications count');
    const accounts = adminPage.locator('main table').filter({ has: adminPage.locator('caption', { hasText: /^Comptes$/ }) });
    const recruiterRow = accounts.locator('tbody tr').filter({ has: adminPage.locator('td:first-child', { hasText: recruiter.email }) });
    assert.equal(await recruiterRow.count(), 1, 'the accounts table should list the recruiter');
    assert.equal(await recruiterRow.getByRole('button', { name: `Désactiver ${recruiter.email}` }).count(), 1);
    assert.equal(await recruiterRow.getByLabel(`Rôle de ${recruiter.email}`).inputValue(), 'recruiter');
    const selfRow = accounts.locator('tbody tr').filter({ has: adminPage.locator('td:first-child', { hasText: admin.email }) });
    assert.equal(await selfRow.locator('button, select').count(), 0, 'no action on one’s own account');
    assert.match(await text(selfRow), /\(vous\)/);

    // The admin's one-time link, used a second time (in another browser): refused.
    const again = await open();
    await checkPage(again, admin.link);
    assert.equal(await h1(again), 'Lien expiré ou déjà utilisé');
    assert.equal(new URL(again.url()).pathname, new URL(admin.link).pathname, 'no redirection for a used link');
    const blocked = await again.goto(`${server.baseUrl}/admin`);
    assert.equal(new URL(again.url()).pathname, '/connexion', `a used link signs nobody in (${blocked.status()} ${again.url()})`);
    // …and in the browser that used it, still signed in, the same answer.
    await checkPage(adminPage, admin.link);
    assert.equal(await h1(adminPage), 'Lien expiré ou déjà utilisé');
  }, { timeout: NAV_TIMEOUT }),
);

// ---------------------------------------------------------------------------
// 2b. The agents' stories in the recruiters' space: every page is axe-clean and valid; the
// preview plays the video from the recruiters' space; another institution's recruiter gets 404.

test('the stories pages of the recruiters’ space are axe-clean; another institution gets 404; the preview plays the video', { timeout: 90_000 }, () =>
  withContexts(browser, async (open) => {
    // Amina’s story, the DINUM’s demo story with a video (seeded at start).
    const recruiter = await addStaff(server, 'recruiter', { institution: 'dinum', label: 'recruteuse-dinum' });
    const page = await open();
    await signInWithLink(page, recruiter.link, '/recruteur', 'Espace recruteur');

    // The list, with a row for each story of the institution.
    await checkPage(page, `${server.baseUrl}/recruteur/temoignages`);
    assert.equal(await h1(page), 'Témoignages');
    const edit = page.locator('main table tbody').getByRole('link', { name: 'Modifier le témoignage d’Amina', exact: true });
    assert.equal(await edit.count(), 1, 'the list should link to Amina’s story, its link named after her');
    const match = (await edit.getAttribute('href')).match(/^\/recruteur\/temoignages\/(\d+)\/modifier$/);
    assert.ok(match, `«Modifier» should link to /recruteur/temoignages/{id}/modifier: ${await edit.getAttribute('href')}`);
    const id = match[1];
    assert.equal(await page.getByRole('link', { name: 'Nouveau témoignage', exact: true }).getAttribute('href'), '/recruteur/temoignages/nouveau');

    // The new-story form, then sent empty: 422 with the error summary, each error linked to its field.
    await checkPage(page, `${server.baseUrl}/recruteur/temoignages/nouveau`);
    assert.equal(await h1(page), 'Nouveau témoignage');
    for (const field of ['nom', 'poste', 'metier', 'produit', 'citation', 'recit']) {
      assert.equal(await page.locator(`main #${field}`).count(), 1, `the form has #${field}`);
      assert.equal(await page.locator(`main label[for="${field}"]`).count(), 1, `#${field} has its label`);
    }
    const refused = await navigation(page, () => page.getByRole('button', { name: 'Enregistrer', exact: true }).click(), 'an empty story');
    assert.equal(refused.status(), 422, 'an empty story is refused with 422');
    const summary = page.locator('main #erreurs');
    assert.equal(await text(summary.locator('h2')), 'Le formulaire contient 3 erreurs');
    assert.deepEqual(
      await summary.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href'))),
      ['#nom', '#poste', '#citation'],
      'the summary links to the three required fields',
    );
    assert.equal(await page.locator('#nom').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#nom').getAttribute('aria-describedby'), 'nom-erreur');
    await auditCurrentPage(page, '/recruteur/temoignages/nouveau sent empty');

    // The editor of a published story with a video.
    const editor = `/recruteur/temoignages/${id}/modifier`;
    await checkPage(page, `${server.baseUrl}${editor}`);
    assert.equal(await h1(page), 'Témoignage : Amina');
    assert.equal(await page.locator('#nom').inputValue(), 'Amina');
    assert.match(await text(page.locator('main #titre-etat')), /^État : /);
    assert.equal(await page.locator(`main a[href="/recruteur/temoignages/${id}/apercu"]`).first().textContent(), 'Prévisualiser');
    for (const field of ['photo', 'video', 'sous_titres', 'transcription']) {
      assert.equal(await page.locator(`main label[for="${field}"]`).count(), 1, `the media field #${field} has its label`);
    }
    assert.match(await page.locator('#transcription').inputValue(), /^Je m'appelle Amina/, 'the stored transcript is in its field');

    // Another institution's recruiter: 404 on the editor, the preview and the media.
    const stranger = await addStaff(server, 'recruiter', { institution: 'anssi', label: 'recruteur-anssi' });
    const strangerPage = await open();
    await signInWithLink(strangerPage, stranger.link, '/recruteur', 'Espace recruteur');
    await checkInNewTab(strangerPage, `${server.baseUrl}${editor}`, 404);
    await checkInNewTab(strangerPage, `${server.baseUrl}/recruteur/temoignages/${id}/apercu`, 404);
    const media = await strangerPage.request.get(`${server.baseUrl}/recruteur/temoignages/${id}/fichiers/video`);
    assert.equal(media.status(), 404, 'another institution’s recruiter cannot read the video of a story not theirs');

    // The preview: the public page with a banner, its media served from the recruiters' space.
    const preview = `/recruteur/temoignages/${id}/apercu`;
    // Audited last (auditCurrentPage), once what it shows is checked.
    const previewResponse = await page.goto(`${server.baseUrl}${preview}`, { waitUntil: 'load' });
    assert.equal(previewResponse.status(), 200, `GET ${preview}`);
    assert.equal(await h1(page), 'Amina');
    assert.match(await text(page.locator('main .fr-notice__title')), /^Aperçu du témoignage/);
    assert.equal(await page.locator('meta[name="robots"][content="noindex"]').count(), 1, 'a preview is not indexed');
    const video = page.locator('main video.mdn-video');
    assert.equal(await video.locator('source').getAttribute('src'), `/recruteur/temoignages/${id}/fichiers/video`);
    assert.equal(await video.locator('track').getAttribute('src'), `/recruteur/temoignages/${id}/fichiers/sous-titres.vtt`);
    await page
      .waitForFunction(() => {
        const v = document.querySelector('video.mdn-video');
        return v && v.readyState >= 1 && v.querySelector('track')?.readyState === 2;
      }, null, { timeout: 15_000 })
      .catch(() => {});
    const state = await video.evaluate((v) => ({ readyState: v.readyState, cues: v.textTracks[0]?.cues?.length ?? null, mode: v.textTracks[0]?.mode }));
    assert.ok(state.readyState >= 1 && state.cues >= 5 && state.mode === 'showing', `the preview plays the video with its captions: ${JSON.stringify(state)}`);
    const privateVideo = await page.request.get(`${server.baseUrl}/recruteur/temoignages/${id}/fichiers/video`, { headers: { Range: 'bytes=0-99' } });
    assert.equal(privateVideo.status(), 206);
    assert.match(privateVideo.headers()['cache-control'] || '', /\bno-store\b/, 'the preview’s media are not cached');
    await auditCurrentPage(page, preview);
  }, { timeout: NAV_TIMEOUT }),
);

// ---------------------------------------------------------------------------
// 3. Access rules.

test('candidates get 403, another institution’s recruiter 404, anonymous visitors the sign-in page', { timeout: 60_000 }, () =>
  withContexts(browser, async (open) => {
    const candidate = await newCandidate({ server, smtp }, await open(), 'eden', 'Eden', 'Roux');
    const applicationId = await applyTo(server, candidate, offer);

    const owner = await addStaff(server, 'recruiter', { institution: offer.employer, label: 'proprietaire' });
    const ownerPage = await open();
    await signInWithLink(ownerPage, owner.link, '/recruteur', 'Espace recruteur');
    const offerId = await offerIdOnHome(ownerPage, offer.title);
    const pipelinePath = `/recruteur/offres/${offerId}/candidatures`;
    await ownerPage.goto(`${server.baseUrl}${pipelinePath}`);
    const cvHref = await pipelineRow(ownerPage, 'Eden Roux').locator('a[href^="/fichiers/"]').getAttribute('href');
    assert.match(cvHref || '', /^\/fichiers\/\d+$/);

    // The candidate: 403 on the back-offices.
    const { page: candidatePage } = candidate;
    for (const url of ['/recruteur', '/admin', pipelinePath]) {
      await checkInNewTab(candidatePage, `${server.baseUrl}${url}`, 403);
    }
    const candidateCsv = await candidatePage.request.get(`${server.baseUrl}${pipelinePath}.csv`);
    assert.equal(candidateCsv.status(), 403, 'a candidate gets 403 on the CSV export');

    // A recruiter of another institution: the offer, its export, its applications and CVs do not exist.
    const stranger = await addStaff(server, 'recruiter', { institution: otherEmployer, label: 'autre' });
    const strangerPage = await open();
    await signInWithLink(strangerPage, stranger.link, '/recruteur', 'Espace recruteur');
    assert.equal(
      await strangerPage.locator(`a[href="${pipelinePath}"]`).count(),
      0,
      'another institution’s recruiter should not see the offer on /recruteur',
    );
    await checkInNewTab(strangerPage, `${server.baseUrl}${pipelinePath}`, 404);
    const strangerCsv = await strangerPage.request.get(`${server.baseUrl}${pipelinePath}.csv`);
    assert.equal(strangerCsv.status(), 404, 'another institution’s recruiter gets 404 on the CSV export');
    assert.ok(!(await strangerCsv.text()).includes(candidate.email), 'the 404 gives nothing away');
    const strangerCv = await strangerPage.request.get(`${server.baseUrl}${cvHref}`);
    assert.equal(strangerCv.status(), 404, 'another institution’s recruiter gets 404 on the CV');
    await checkInNewTab(strangerPage, `${server.baseUrl}/admin`, 403);
    // A forged stage move (a same-origin form built in the page): 404, and the application does not move.
    const forged = await navigation(
      strangerPage,
      () =>
        strangerPage.evaluate((action) => {
          const form = document.createElement('form');
          form.method = 'post';
          form.action = action;
          for (const [name, value] of [['etape', 'entretien'], ['motif', '']]) {
            const input = document.createElement('input');
            input.type = 'hidden';
            input.name = name;
            input.value = value;
            form.append(input);
          }
          document.body.append(form);
          form.submit();
        }, `/recruteur/candidatures/${applicationId}/etape`),
      'forged stage move',
    );
    assert.equal(forged.status(), 404, 'another institution’s recruiter gets 404 when moving the application');
    await ownerPage.goto(`${server.baseUrl}${pipelinePath}`);
    assert.equal(await text(pipelineRow(ownerPage, 'Eden Roux').locator('.fr-badge')), 'Reçue', 'the forged move changed nothing');

    // Anonymous visitors: to the sign-in page, and back afterwards.
    const anonymous = await open();
    for (const url of ['/recruteur', '/admin', pipelinePath]) {
      const raw = await fetch(`${server.baseUrl}${url}`, { redirect: 'manual' });
      assert.ok([302, 303, 307].includes(raw.status), `anonymous GET ${url} should redirect, got ${raw.status}`);
      assert.equal(raw.headers.get('location'), `/connexion?suivant=${encodeURIComponent(url)}`);
      await anonymous.goto(`${server.baseUrl}${url}`);
      const landed = new URL(anonymous.url());
      assert.equal(landed.pathname, '/connexion', `anonymous ${url} should land on /connexion`);
      assert.equal(landed.searchParams.get('suivant'), url);
      assert.equal(await h1(anonymous), 'Se connecter');
    }
    await assertPageClean(anonymous);
  }, { timeout: NAV_TIMEOUT }),
);

// ---------------------------------------------------------------------------
// 4. Deactivation.

test('an administrator deactivates a recruiter: their session is closed at once', { timeout: 60_000 }, () =>
  withContexts(browser, async (open) => {
    const admin = await addStaff(server, 'administrator', { label: 'admin' });
    const adminPage = await open();
    await signInWithLink(adminPage, admin.link, '/admin', 'Administration');

    const first = await addStaff(server, 'recruiter', { institution: offer.employer, label: 'premiere' });
    const second = await addStaff(server, 'recruiter', { institution: otherEmployer, label: 'seconde' });
    const firstPage = await open();
    const secondPage = await open();
    await signInWithLink(firstPage, first.link, '/recruteur', 'Espace recruteur');
    await signInWithLink(secondPage, second.link, '/recruteur', 'Espace recruteur');

    await adminPage.goto(`${server.baseUrl}/admin`);
    const accountRow = (email) =>
      adminPage
        .locator('main table')
        .filter({ has: adminPage.locator('caption', { hasText: /^Comptes$/ }) })
        .locator('tbody tr')
        .filter({ has: adminPage.locator('td:first-child', { hasText: email }) });
    assert.equal(await text(accountRow(second.email).locator('td').nth(2)), 'Actif');
    await navigation(
      adminPage,
      () => accountRow(second.email).getByRole('button', { name: `Désactiver ${second.email}` }).click(),
      'deactivate the second recruiter',
    );
    assert.equal(new URL(adminPage.url()).pathname, '/admin');
    assert.equal(await text(notice(adminPage)), 'Compte désactivé ; ses sessions sont fermées.');
    assert.equal(await text(accountRow(second.email).locator('td').nth(2)), 'Désactivé');
    assert.equal(await accountRow(second.email).getByRole('button', { name: `Activer ${second.email}` }).count(), 1);
    assert.equal(await text(accountRow(first.email).locator('td').nth(2)), 'Actif', 'the other recruiter is untouched');
    const journal = await text(adminPage.locator('#journal ~ .fr-table tbody tr').first());
    assert.ok(journal.includes('Compte activé ou désactivé') && journal.includes(second.email), `the audit log records the deactivation: ${journal}`);
    await auditCurrentPage(adminPage, '/admin after a deactivation');

    // The deactivated recruiter's next page load: the sign-in page.
    await secondPage.goto(`${server.baseUrl}/recruteur`);
    assert.equal(new URL(secondPage.url()).pathname, '/connexion', 'a deactivated recruiter is signed out');
    assert.equal(await h1(secondPage), 'Se connecter');
    // The other recruiter still works.
    await firstPage.goto(`${server.baseUrl}/recruteur`);
    assert.equal(new URL(firstPage.url()).pathname, '/recruteur');
    assert.equal(await h1(firstPage), 'Espace recruteur');

    // Activating the account again does not bring the closed session back.
    await navigation(
      adminPage,
      () => accountRow(second.email).getByRole('button', { name: `Activer ${second.email}` }).click(),
      'activate the second recruiter again',
    );
    assert.equal(await text(notice(adminPage)), 'Compte activé.');
    assert.equal(await text(accountRow(second.email).locator('td').nth(2)), 'Actif');
    await secondPage.goto(`${server.baseUrl}/recruteur`);
    assert.equal(new URL(secondPage.url()).pathname, '/connexion', 'the closed session stays closed after reactivation');
    await assertPageClean(adminPage);
    await assertPageClean(firstPage);
  }, { timeout: NAV_TIMEOUT }),
);
