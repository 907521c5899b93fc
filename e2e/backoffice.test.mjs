// The back-offices: a recruiter (signed in with the one-time link `metiers user
// add` prints) writes a new offer and publishes it, then moves the applications
// it gets through the pipeline, with the keyboard only;
// the candidates are told by e-mail and see the new stage (and the refusal
// reason) in their space; the CSV export agrees. Every back-office page is
// axe-clean without console errors nor CSP violations; the access rules hold
// (403 for candidates, 404 for another institution's recruiter, sign-in page
// for anonymous visitors); deactivating an account closes its sessions.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { AxeBuilder } from '@axe-core/playwright';
import { AXE_TAGS, assertPageClean, checkPage, launchBrowser, openPage, pageProblems } from './support/browser.mjs';
import { startServer } from './support/server.mjs';
import { startSmtp } from './support/smtp.mjs';

const execFileAsync = promisify(execFile);

const NAV_TIMEOUT = 10_000;
const MAIL_TIMEOUT = 15_000;
const STRONG_PASSWORD = 'cheval-agrafe-lune-brique';

const REASON_EXPERIENCE = 'L’expérience demandée pour ce poste est plus importante.';
const REASON_PROFILE = 'Votre profil ne correspond pas aux compétences recherchées pour ce poste.';

// The offer the recruiter writes in the first test (Markdown in the missions).
const NEW_OFFER = {
  title: 'Développeuse ou développeur Rust pour la plateforme des concours',
  missions: 'Vous **concevez** les services de la plateforme des concours.\nAu quotidien :\n- écrire les tests\n- relire le code des collègues',
  profile: 'Vous aimez le travail en équipe et le logiciel libre.',
  pastDeadline: isoDate(-10),
  deadline: isoDate(365),
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
  offer = await findInternalOffer();
  const employers = await (await fetch(`${server.baseUrl}/api/v1/employeurs`)).json();
  assert.ok(Array.isArray(employers) && employers.length > 1, 'GET /api/v1/employeurs should list several employers');
  otherEmployer = employers.find((e) => e.slug !== offer.employer)?.slug;
  assert.ok(otherEmployer, 'another employer than the offer’s');
}, { timeout: 180_000 });

after(async () => {
  try {
    await browser?.close();
  } finally {
    try {
      await server?.stop();
    } finally {
      await smtp?.stop();
    }
  }
});

// ---------------------------------------------------------------------------
// Helpers

let addressCounter = 0;
/** A fresh address for each account (they all live in one database). */
function newAddress(label) {
  addressCounter += 1;
  return `${label}.${process.pid}.${Date.now()}.${addressCounter}@exemple.fr`;
}

function escapeRegExp(value) {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Runs `fn(open)` where `open()` gives a fresh guarded page; every context is closed afterwards. */
async function withContexts(fn) {
  const contexts = [];
  const open = async () => {
    const { context, page } = await openPage(browser);
    page.setDefaultTimeout(NAV_TIMEOUT);
    contexts.push(context);
    return page;
  };
  try {
    return await fn(open);
  } finally {
    for (const context of contexts) await context.close();
  }
}

/** An open offer of the demo catalogue whose application goes through the site (no external link). */
async function findInternalOffer() {
  const list = await fetch(`${server.baseUrl}/api/v1/offres?par_page=100`);
  assert.equal(list.status, 200, 'GET /api/v1/offres');
  const { offres } = await list.json();
  assert.ok(offres.length > 0, 'the demo catalogue should hold offers');
  for (const summary of offres) {
    const detail = await (await fetch(`${server.baseUrl}/api/v1/offres/${summary.slug}`)).json();
    if (!detail.url_candidature) return { slug: summary.slug, title: summary.intitule, employer: summary.employeur.slug };
  }
  assert.fail('no offer of the demo catalogue is applied to on the site (all have url_candidature)');
}

/**
 * Creates a staff account with the CLI, against the running server's data folder,
 * and returns its address and the one-time sign-in link it prints.
 */
async function addStaff(role, { institution = null, label = role } = {}) {
  const bin = path.resolve(process.env.METIERS_BIN || 'target/debug/metiers');
  const email = newAddress(label);
  const args = ['user', 'add', '--role', role, ...(institution ? ['--institution', institution] : []), email];
  const env = { ...process.env, DATA_DIR: server.dataDir, PUBLIC_URL: server.baseUrl, RUST_LOG: 'warn' };
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

/** Opens the one-time link and asserts it leads to `home` (signed in). */
async function signInWithLink(page, link, home, heading) {
  const response = await page.goto(link, { waitUntil: 'load' });
  assert.equal(response.status(), 200, `GET ${link}`);
  assert.equal(new URL(page.url()).pathname, home, `the one-time link should lead to ${home}`);
  assert.equal(await h1(page), heading);
}

/** Runs axe (WCAG 2.1 A/AA) and the console/CSP/network guards on the page as it is now (e.g. after a POST). */
async function auditCurrentPage(page, what) {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const problems = [];
  if (results.violations.length) {
    const list = results.violations
      .map((v) => `  - ${v.id} [${v.impact}] ${v.help}\n${v.nodes.map((n) => `      - ${n.target.join(' ')}`).join('\n')}`)
      .join('\n');
    problems.push(`accessibility violations (axe, ${AXE_TAGS.join(', ')}):\n${list}`);
  }
  problems.push(...(await pageProblems(page)));
  if (problems.length) assert.fail(`${what} (${page.url()}):\n${problems.join('\n')}`);
}

/** Runs `action` (a click, a key press) and waits for the navigation it causes; returns the final response. */
async function navigation(page, action, what) {
  let response;
  try {
    [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout: NAV_TIMEOUT }), action()]);
  } catch (error) {
    assert.fail(`${what}: no navigation (${error.message.split('\n')[0]}); the page is ${page.url()}`);
  }
  assert.ok(response, `${what}: no response`);
  return response;
}

async function h1(page) {
  return (await page.locator('main h1').first().textContent()).trim();
}

/** The text of `locator` with whitespace collapsed. */
async function text(locator) {
  return (await locator.textContent()).replace(/\s+/g, ' ').trim();
}

/** Where the focus is, in a form that reads well in an assertion message. */
function describeFocus(page) {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element) return { tag: null };
    return {
      tag: element.tagName.toLowerCase(),
      id: element.id || null,
      name: element.getAttribute('name'),
      text: (element.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 60),
      href: element.getAttribute('href'),
    };
  });
}

/**
 * Presses Tab (or Shift+Tab) until the focused element matches `selector`
 * (and `filter`, evaluated in the page on it), at most `max` times.
 */
async function tabTo(page, selector, { max = 80, reverse = false, filter = null } = {}) {
  const key = reverse ? 'Shift+Tab' : 'Tab';
  const matches = () =>
    page.evaluate(
      ([sel, filterSource]) => {
        const element = document.activeElement;
        if (!element || !element.matches(sel)) return false;
        // eslint-disable-next-line no-new-func
        return filterSource ? Boolean(new Function('element', `return (${filterSource})(element);`)(element)) : true;
      },
      [selector, filter ? filter.toString() : null],
    );
  for (let i = 1; i <= max; i += 1) {
    await page.keyboard.press(key);
    if (await matches()) return { ...(await describeFocus(page)), presses: i };
  }
  assert.fail(`${max} × ${key} never focused ${selector} on ${page.url()}; focus is on ${JSON.stringify(await describeFocus(page))}`);
}

/** Presses `key` once and asserts the focus lands on `selector`. */
async function tabExpect(page, selector, what, key = 'Tab') {
  await page.keyboard.press(key);
  const ok = await page.evaluate((sel) => Boolean(document.activeElement?.matches(sel)), selector);
  assert.ok(ok, `${what}: ${key} should move the focus to ${selector}; it is on ${JSON.stringify(await describeFocus(page))}`);
}

/** The focused element shows a visible focus indicator (:focus-visible and an outline: the DSFR focus ring). */
async function assertFocusVisible(page, what) {
  const state = await page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return { element: 'body' };
    const style = getComputedStyle(element);
    const rect = element.getBoundingClientRect();
    return {
      element: `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}`,
      focusVisible: element.matches(':focus-visible'),
      outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
      outlineStyle: style.outlineStyle,
      outlineWidth: parseFloat(style.outlineWidth) || 0,
      size: [rect.width, rect.height],
      inViewport: rect.bottom > 0 && rect.top < window.innerHeight,
    };
  });
  assert.notEqual(state.element, 'body', `${what}: nothing has the focus`);
  assert.ok(state.focusVisible, `${what}: ${state.element} should match :focus-visible after keyboard navigation`);
  assert.ok(state.outlineStyle !== 'none' && state.outlineWidth >= 1, `${what}: ${state.element} has no visible focus ring (outline ${state.outline})`);
  assert.ok(state.size[0] > 0 && state.size[1] > 0, `${what}: the focused ${state.element} has no size`);
  assert.ok(state.inViewport, `${what}: the focused ${state.element} is scrolled out of view`);
}

/**
 * Presses `key` (ArrowDown, ArrowUp…) on the focused <select> until its value is `value`,
 * at most `max` times; the focus must stay on the select.
 */
async function arrowSelect(page, selector, value, { key = 'ArrowDown', max = 6 } = {}) {
  const select = page.locator(selector);
  for (let i = 0; i < max && (await select.inputValue()) !== value; i += 1) {
    await page.keyboard.press(key);
    assert.ok(
      await page.evaluate((sel) => Boolean(document.activeElement?.matches(sel)), selector),
      `${key} should keep the focus on ${selector}; it is on ${JSON.stringify(await describeFocus(page))}`,
    );
  }
  assert.equal(await select.inputValue(), value, `${key} on ${selector} should reach the option «${value}»`);
}

/**
 * A small valid PDF, built by hand: catalog, page tree, one A4 page with a
 * line of text, and a cross-reference table with the exact byte offsets.
 */
function buildPdf(line = 'CV de test') {
  const content = `BT /F1 18 Tf 72 770 Td (${line}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((body, index) => {
    offsets.push(Buffer.byteLength(pdf, 'latin1'));
    pdf += `${index + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(pdf, 'latin1');
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  pdf += offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

/** The verification link of the "Confirmez votre adresse e-mail" message sent to `email`. */
async function verificationLink(email) {
  const message = await smtp.waitForMessage({ to: email, subject: 'Confirmez votre adresse e-mail', timeout: MAIL_TIMEOUT });
  const pattern = new RegExp(`${escapeRegExp(server.baseUrl)}/verification-email/[A-Za-z0-9_-]{20,}`, 'g');
  const links = [...new Set(message.text.match(pattern) || [])];
  assert.equal(links.length, 1, `the text part should hold one verification link:\n${message.text}`);
  return links[0];
}

/** Signs a new candidate up (address verified from the e-mail) and in; returns { email, page, prenom, nom }. */
async function newCandidate(page, label, prenom, nom) {
  const email = newAddress(label);
  await page.goto(`${server.baseUrl}/inscription`);
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel(/^Mot de passe/).fill(STRONG_PASSWORD);
  await page.locator('label[for="cgu"]').click({ position: { x: 5, y: 5 } });
  await navigation(page, () => page.getByRole('button', { name: 'Créer mon compte' }).click(), `sign-up ${email}`);
  assert.equal(await h1(page), 'Vérifiez votre boîte e-mail');
  await page.goto(await verificationLink(email));
  assert.equal(await h1(page), 'Adresse e-mail confirmée');
  await page.goto(`${server.baseUrl}/connexion`);
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(STRONG_PASSWORD);
  await navigation(page, () => page.getByRole('button', { name: 'Se connecter' }).click(), `sign-in ${email}`);
  assert.equal(new URL(page.url()).pathname, '/espace-candidat', `${email} should be signed in`);
  return { email, page, prenom, nom };
}

/** The candidate applies to `offer` with a PDF CV; returns the application id. */
async function applyTo(candidate, target = offer) {
  const { page } = candidate;
  await page.goto(`${server.baseUrl}/candidature/${target.slug}`);
  assert.equal(await h1(page), `Candidater : ${target.title}`);
  await page.getByLabel('Prénom').fill(candidate.prenom);
  await page.getByLabel('Nom', { exact: true }).fill(candidate.nom);
  await page.getByLabel(/^Lettre de motivation/).fill(`Bonjour, je suis ${candidate.prenom} ${candidate.nom} et je candidate.`);
  candidate.pdf = buildPdf(`${candidate.prenom} ${candidate.nom}`);
  await page.getByLabel(/^Déposer un CV/).setInputFiles({ name: 'cv.pdf', mimeType: 'application/pdf', buffer: candidate.pdf });
  await navigation(page, () => page.getByRole('button', { name: 'Envoyer ma candidature' }).click(), `application of ${candidate.email}`);
  const match = new URL(page.url()).pathname.match(/^\/espace-candidat\/candidatures\/(\d+)$/);
  assert.ok(match, `the application should lead to /espace-candidat/candidatures/{id}: ${page.url()}`);
  assert.equal(await text(page.locator('main .fr-badge').first()), 'Reçue');
  return match[1];
}

/** The id of `title` in the /recruteur table shown by `page` (from its pipeline link). */
async function offerIdOnHome(page, title) {
  const links = page.locator('main table tbody').getByRole('link', { name: title, exact: true });
  assert.equal(await links.count(), 1, `/recruteur should list «${title}» once`);
  const href = await links.getAttribute('href');
  const match = href.match(/^\/recruteur\/offres\/(\d+)\/candidatures$/);
  assert.ok(match, `the title should link to /recruteur/offres/{id}/candidatures: ${href}`);
  return match[1];
}

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

/** The status message at the top of a back-office page. */
function notice(page) {
  return page.locator('main [role="status"]');
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

/** Asserts the focus is on `selector`. */
async function assertFocusOn(page, selector, what) {
  const ok = await page.evaluate((sel) => Boolean(document.activeElement?.matches(sel)), selector);
  assert.ok(ok, `${what}: the focus should be on ${selector}; it is on ${JSON.stringify(await describeFocus(page))}`);
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

/** Focuses `selector` with Tab (Shift+Tab when `reverse`), types `value` over its content. */
async function tabAndType(page, selector, value, options = {}) {
  await tabTo(page, selector, options);
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(value);
  assert.equal(await page.locator(selector).inputValue(), value, `${selector} should hold what was typed`);
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
 * way: a salary the form refuses (summary of errors, focused, whose link leads to the field),
 * the Markdown preview, a publication refused for want of a région, the draft autosaved
 * (htmx) when the département is chosen, a publication refused for a past deadline, then the
 * deadline fixed and the offer published. Returns { id, title }.
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
  const refused = await navigation(page, () => page.keyboard.press('Enter'), '«Enregistrer et prévisualiser» with a wrong salary (Enter)');

  // Refused: the same page, with the summary of errors focused and everything typed kept.
  assert.equal(refused.status(), 200, 'a form with an error is shown again');
  assert.equal(new URL(page.url()).pathname, '/recruteur/offres/nouvelle');
  assert.equal(await h1(page), 'Nouvelle offre');
  assert.match(await page.title(), /^Nouvelle offre – erreur/, 'the page title should tell about the error');
  const summary = page.locator('#erreurs');
  assert.equal(await summary.getAttribute('role'), 'alert');
  await assertFocusOn(page, '#erreurs', 'new offer: after a refused save');
  assert.equal(await text(summary.locator('h2')), 'Le formulaire contient 1 erreur');
  const salaryError = 'Saisissez un salaire annuel brut en euros, entre 10 000 et 300 000.';
  assert.equal(await text(summary.locator('li')), salaryError);
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
  assert.equal(await page.locator('#date_limite').inputValue(), NEW_OFFER.pastDeadline);
  await auditCurrentPage(page, '/recruteur/offres/{id}/modifier with the preview');

  // A draft, on /recruteur; publishing it is refused: no région.
  await backToRecruiterHome(page, 'after the preview');
  const row = homeRow(page, id);
  assert.equal(await row.count(), 1, '/recruteur should list the new offer');
  assert.equal(await text(row.locator('td a[href$="/candidatures"]')), title);
  assert.equal(await text(row.locator('td').nth(1)), 'Brouillon');
  assert.equal(await publishWithKeyboard(page, id, 'publish without a région'), `« ${title} » : Pour publier, renseignez la région.`);
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

  // Publishing is refused again: the deadline has passed.
  await backToRecruiterHome(page, 'after the autosave');
  assert.equal(
    await publishWithKeyboard(page, id, 'publish with a past deadline'),
    `« ${title} » : La date limite de candidature est passée : choisissez une date future.`,
  );
  assert.equal(await text(homeRow(page, id).locator('td').nth(1)), 'Brouillon');

  // A future deadline, saved with «Enregistrer».
  await editWithKeyboard(page, id, title, 'to change the deadline');
  assert.equal(await page.locator('#departement').inputValue(), '75', 'the autosaved département is there');
  await tabTo(page, '#date_limite');
  await typeDate(page, '#date_limite', NEW_OFFER.deadline);
  await tabTo(page, 'button[name="action"][value="enregistrer"]');
  assert.equal((await describeFocus(page)).text, 'Enregistrer');
  await navigation(page, () => page.keyboard.press('Enter'), '«Enregistrer» (Enter)');
  assert.equal(new URL(page.url()).pathname, `/recruteur/offres/${id}/modifier`);
  assert.equal(new URL(page.url()).searchParams.get('enregistre'), '1');
  assert.equal(await page.locator('main section[aria-labelledby="apercu-titre"]').count(), 0, 'no preview after «Enregistrer»');
  assert.equal(await page.locator('#date_limite').inputValue(), NEW_OFFER.deadline);
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
  withContexts(async (open) => {
    const first = await newCandidate(await open(), 'alix', 'Alix', 'Bernard');
    const second = await newCandidate(await open(), 'noa', 'Noa', 'Lefèvre');

    // The recruiter signs in with the one-time link (opened as from a mail client), writes a
    // new offer and publishes it.
    const recruiter = await addStaff('recruiter', { institution: offer.employer, label: 'recruteur' });
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
    const firstId = await applyTo(first, published);
    const secondId = await applyTo(second, published);
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
    const rows = parseCsv(await csv.text());
    assert.deepEqual(rows[0], ['id', 'nom', 'email', 'envoyee_le', 'etape', 'motif_refus', 'liens', 'cv']);
    const byId = new Map(rows.slice(1).map((r) => [r[0], r]));
    for (const [candidate, id, stage, reason] of [[first, firstId, 'Entretien', ''], [second, secondId, 'Refusée', 'L’expérience demandée pour ce poste est plus importante.']]) {
      const row = byId.get(id);
      assert.ok(row, `the CSV should list application ${id}:\n${await csv.text()}`);
      assert.equal(row.length, 8, `row ${id} should have 8 fields`);
      assert.equal(row[1], `${candidate.prenom} ${candidate.nom}`);
      assert.equal(row[2], candidate.email);
      assert.ok(!Number.isNaN(Date.parse(row[3])), `envoyee_le should be a date: ${row[3]}`);
      assert.equal(row[4], stage, `the CSV stage of ${candidate.prenom}`);
      assert.equal(row[5], reason, `the CSV refusal reason of ${candidate.prenom}`);
      assert.match(row[7], new RegExp(`^${escapeRegExp(server.baseUrl)}/fichiers/\\d+$`));
    }
  }),
);

// ---------------------------------------------------------------------------
// 2. Every back-office page is axe-clean; the one-time link works once.

test('the back-office pages are axe-clean (before and after changes); a one-time link works once', { timeout: 90_000 }, () =>
  withContexts(async (open) => {
    const candidate = await newCandidate(await open(), 'sasha', 'Sasha', 'Moreau');
    const applicationId = await applyTo(candidate);

    const recruiter = await addStaff('recruiter', { institution: offer.employer, label: 'recruteuse' });
    const page = await open();
    await signInWithLink(page, recruiter.link, '/recruteur', 'Espace recruteur');

    // /recruteur.
    await checkPage(page, `${server.baseUrl}/recruteur`);
    assert.equal(await h1(page), 'Espace recruteur');
    assert.equal(await notice(page).count(), 0, 'no status message without a change');
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
    const admin = await addStaff('administrator', { label: 'admin' });
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
  }),
);

// ---------------------------------------------------------------------------
// 3. Access rules.

test('candidates get 403, another institution’s recruiter 404, anonymous visitors the sign-in page', { timeout: 60_000 }, () =>
  withContexts(async (open) => {
    const candidate = await newCandidate(await open(), 'eden', 'Eden', 'Roux');
    const applicationId = await applyTo(candidate);

    const owner = await addStaff('recruiter', { institution: offer.employer, label: 'proprietaire' });
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
    const stranger = await addStaff('recruiter', { institution: otherEmployer, label: 'autre' });
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
  }),
);

// ---------------------------------------------------------------------------
// 4. Deactivation.

test('an administrator deactivates a recruiter: their session is closed at once', { timeout: 60_000 }, () =>
  withContexts(async (open) => {
    const admin = await addStaff('administrator', { label: 'admin' });
    const adminPage = await open();
    await signInWithLink(adminPage, admin.link, '/admin', 'Administration');

    const first = await addStaff('recruiter', { institution: offer.employer, label: 'premiere' });
    const second = await addStaff('recruiter', { institution: otherEmployer, label: 'seconde' });
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
    assert.ok(journal.includes('compte.activation') && journal.includes(second.email), `the audit log records the deactivation: ${journal}`);
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
  }),
);
