// The recruiter's pipeline as a board (`/recruteur/offres/{id}/candidatures?vue=tableau`): a
// column per stage, a card per application. Dragging a card onto a column submits the card's
// own form and htmx swaps the board (no page load); a refusal dropped on «Refusée» waits for
// its reason, chosen with the keyboard; the same forms move cards with the keyboard only, and
// without JavaScript (a full POST, back to the board with the message). The candidates get the
// stage e-mails. Every state of the board (after each swap too) is axe-clean, without console
// errors nor CSP violations. After a move with a card's button, the focus stays on the board
// (on the status message) rather than falling back to the top of the page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { addStaff, newCandidate, signInWithLink } from './support/accounts.mjs';
import { assertPageClean, auditCurrentPage, auditNoScriptPage, checkPage, launchBrowser, openPage, withPage } from './support/browser.mjs';
import { arrowSelect, assertFocusVisible, describeFocus, tabExpect, tabTo } from './support/keyboard.mjs';
import { applyTo, findInternalOffer, offerIdOnHome } from './support/offers.mjs';
import { h1, navigation, text } from './support/page.mjs';
import { stopAll } from './support/process.mjs';
import { escapeRegExp } from './support/regexp.mjs';
import { startServer } from './support/server.mjs';
import { startSmtp } from './support/smtp.mjs';

const NAV_TIMEOUT = 10_000;
const SWAP_TIMEOUT = 10_000;
const MAIL_TIMEOUT = 15_000;

const REASON_EXPERIENCE = 'L’expérience demandée pour ce poste est plus importante.';
const STAGES = [
  ['recue', 'Reçue'],
  ['examen', 'En cours d’examen'],
  ['entretien', 'Entretien'],
  ['acceptee', 'Acceptée'],
  ['refusee', 'Refusée'],
  ['retiree', 'Retirée'],
];
const LABEL = Object.fromEntries(STAGES);

let smtp;
let server;
let browser;
let offer; // { slug, title, employer }
let candidates; // [{ email, page, prenom, nom, id }], each has applied to `offer`
let recruiterContext; // the recruiter's browser context (JavaScript on)
let board; // { page, offerId, boardPath, listPath, marks }: the recruiter's board, shared by the steps
const focusAfterButtonMoves = []; // [{ what, focus }]: where the focus is after each move with «Déplacer» (htmx)

before(async () => {
  smtp = await startSmtp();
  server = await startServer({ env: { MAIL_URL: smtp.url, WORKER_TICK: '1' } });
  browser = await launchBrowser();
  offer = await findInternalOffer(server);

  // Three candidates apply to the same offer (each in a context of their own, closed afterwards).
  candidates = [];
  for (const [label, prenom, nom] of [['alix', 'Alix', 'Bernard'], ['noa', 'Noa', 'Lefèvre'], ['sacha', 'Sacha', 'Petit']]) {
    await withPage(
      browser,
      async ({ page }) => {
        const candidate = await newCandidate({ server, smtp }, page, label, prenom, nom);
        candidate.id = await applyTo(server, candidate, offer);
        candidates.push(candidate);
      },
      { timeout: NAV_TIMEOUT },
    );
  }
  for (const c of candidates) {
    await smtp.waitForMessage({ to: c.email, subject: 'Candidature envoyée', timeout: MAIL_TIMEOUT });
  }
}, { timeout: 180_000 });

after(() => stopAll(recruiterContext, browser, server, smtp));

// ---------------------------------------------------------------------------
// Helpers

/** Where the focus is, and whether it is on the board (#tableau) or nowhere (<body>). */
async function whereIsFocus(page) {
  return {
    ...(await describeFocus(page)),
    onBoard: await page.evaluate(() => Boolean(document.activeElement?.closest('#tableau'))),
    lost: await page.evaluate(() => !document.activeElement || document.activeElement === document.body),
  };
}

const fullName = (c) => `${c.prenom} ${c.nom}`;

/** The board's column of `stage`. */
function column(page, stage) {
  return page.locator(`#tableau section.pipeline-column[data-stage="${stage}"]`);
}

/** The card of application `id`. */
function card(page, id) {
  return page.locator(`#tableau #carte-${id}`);
}

/** The stage code of the column that holds application `id`'s card (null when there is none). */
function stageOf(page, id) {
  return page.evaluate((cardId) => {
    const element = document.getElementById(cardId);
    return element ? element.closest('[data-stage]')?.getAttribute('data-stage') ?? '(outside any column)' : null;
  }, `carte-${id}`);
}

/** The number of cards in each column, as the badges of the column headings say and as counted. */
async function columnCounts(page) {
  return page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll('#tableau section.pipeline-column')].map((section) => [
        section.getAttribute('data-stage'),
        {
          badge: Number(section.querySelector('h2 .fr-badge')?.textContent.trim()),
          cards: section.querySelectorAll('li.pipeline-card').length,
        },
      ]),
    ),
  );
}

/** Asserts each candidate's card is in the given column and the column badges agree with the cards. */
async function assertBoard(page, expected, what) {
  for (const [candidate, stage] of expected) {
    assert.equal(await stageOf(page, candidate.id), stage, `${what}: ${fullName(candidate)}’s card should be in «${LABEL[stage]}»`);
  }
  const counts = await columnCounts(page);
  for (const [stage, { badge, cards }] of Object.entries(counts)) {
    assert.equal(badge, cards, `${what}: the badge of «${LABEL[stage]}» should count its ${cards} card(s)`);
  }
  assert.equal(
    Object.values(counts).reduce((sum, c) => sum + c.cards, 0),
    candidates.length,
    `${what}: the board should hold one card per application`,
  );
}

/** The status message of the board (inside #tableau, so a swap brings it). */
function notice(page) {
  return page.locator('#tableau [role="status"]');
}

const movedMessage = (stage) => `Candidature passée à l’étape « ${LABEL[stage]} » ; la personne a été prévenue par e-mail.`;

/**
 * Marks the loaded board page: a token on window (gone if the page is loaded again), a count of
 * htmx swaps settled, of htmx errors and of main-frame navigations, and a log of the POSTs.
 */
async function instrumentBoard(page) {
  const token = `board-${Date.now()}-${Math.random()}`;
  await page.evaluate((t) => {
    window.__boardToken = t;
    window.__swaps = 0;
    window.__htmxErrors = [];
    document.addEventListener('htmx:afterSettle', () => {
      window.__swaps += 1;
    });
    for (const name of ['htmx:responseError', 'htmx:sendError', 'htmx:swapError', 'htmx:targetError']) {
      document.addEventListener(name, (event) => {
        window.__htmxErrors.push(`${name} ${event.detail?.xhr?.status ?? ''} ${event.detail?.pathInfo?.requestPath ?? ''}`);
      });
    }
  }, token);
  const state = { token, navigations: 0, posts: [] };
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) state.navigations += 1;
  });
  page.on('request', (request) => {
    if (request.method() === 'POST') {
      state.posts.push({ url: request.url(), htmx: request.headers()['hx-request'] === 'true' });
    }
  });
  return state;
}

/**
 * Runs `action` (a drop, a key press) and waits until htmx has swapped the board in place:
 * a POST to the card's form, one more swap settled, no page load (the token on window is
 * still there), no htmx error. Returns where the focus is after the swap.
 */
async function boardSwap(page, marks, id, action, what) {
  const swapsBefore = await page.evaluate(() => window.__swaps);
  const postsBefore = marks.posts.length;
  const navigationsBefore = marks.navigations;
  await action();
  try {
    await page.waitForFunction((n) => window.__swaps > n || window.__htmxErrors?.length > 0, swapsBefore, { timeout: SWAP_TIMEOUT });
  } catch (error) {
    assert.fail(
      `${what}: the board was not swapped (${error.message.split('\n')[0]}); POSTs since: ${JSON.stringify(marks.posts.slice(postsBefore))}, ` +
        `navigations: ${marks.navigations - navigationsBefore}`,
    );
  }
  assert.deepEqual(await page.evaluate(() => window.__htmxErrors), [], `${what}: htmx errors`);
  assert.equal(await page.evaluate(() => window.__boardToken), marks.token, `${what}: the page should not be loaded again`);
  assert.equal(marks.navigations, navigationsBefore, `${what}: no navigation of the page`);
  const posts = marks.posts.slice(postsBefore);
  assert.deepEqual(
    posts,
    [{ url: `${server.baseUrl}/recruteur/candidatures/${id}/etape`, htmx: true }],
    `${what}: one htmx POST to the card’s form`,
  );
  assert.equal(await page.locator('#tableau').count(), 1, `${what}: one #tableau after the swap (hx-select, outerHTML)`);
  return whereIsFocus(page);
}

/**
 * Drags the card of application `id` by its heading (the card is the draggable element) onto
 * the column of `stage`, with the mouse (HTML5 drag and drop), as a person would: the card in
 * view, the pointer dropped on a part of the column that is in view too (the columns of a row
 * are as tall as the tallest; Chromium does not follow a drag that scrolls the page).
 * `whileOver` runs with the card held over the column, before the drop.
 */
async function dragCard(page, id, stage, { whileOver = null } = {}) {
  const handle = card(page, id).locator('h3');
  await handle.scrollIntoViewIfNeeded();
  const from = await handle.boundingBox();
  const to = await column(page, stage).boundingBox();
  assert.ok(from && to, `the card ${id} and the column «${stage}» should be shown`);
  const { height } = page.viewportSize();
  const y = Math.max(to.y, 0) + 24;
  assert.ok(y < Math.min(to.y + to.height, height), `the column «${stage}» should be in view beside the card ${id}`);
  await page.mouse.move(from.x + 10, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(to.x + to.width / 2, y, { steps: 8 });
  // A browser fires dragover again and again while the card is held over the column; Playwright
  // dispatches one per move: a last small move, as a hand does.
  await page.mouse.move(to.x + to.width / 2 + 2, y + 2);
  if (whileOver) await whileOver();
  await page.mouse.up();
}

/** The stage e-mail to `candidate` for `stage`. */
function stageMail(candidate, stage) {
  return smtp.waitForMessage({ to: candidate.email, subject: `Votre candidature : ${LABEL[stage]}`, timeout: MAIL_TIMEOUT });
}

/** Asserts the stage e-mail names the offer, the stage and the application's page. */
function assertStageMail(message, candidate, stage) {
  assert.equal(message.subject, `Votre candidature : ${LABEL[stage]}`);
  assert.ok(
    message.text.includes(`« ${offer.title} » a changé d’étape : ${LABEL[stage]}.`),
    `the e-mail should name the offer and the stage:\n${message.text}`,
  );
  const space = `${server.baseUrl}/espace-candidat/candidatures/${candidate.id}`;
  assert.ok(message.text.includes(space), `the e-mail should link to ${space}:\n${message.text}`);
}

function requireBoard() {
  assert.ok(board, 'the board was not opened (see the first test)');
  return board;
}

// ---------------------------------------------------------------------------
// 1. From the list to the board, with the keyboard.

test('the recruiter switches from the list to the board with the keyboard; the board is axe-clean', { timeout: 60_000 }, async () => {
  const [alix, noa, sacha] = candidates;
  const recruiter = await addStaff(server, 'recruiter', { institution: offer.employer, label: 'recruteur' });
  const opened = await openPage(browser);
  recruiterContext = opened.context;
  const { page } = opened;
  page.setDefaultTimeout(NAV_TIMEOUT);
  await signInWithLink(page, recruiter.link, '/recruteur', 'Espace recruteur');
  const offerId = await offerIdOnHome(page, offer.title);
  const listPath = `/recruteur/offres/${offerId}/candidatures`;
  const boardPath = `${listPath}?vue=tableau`;

  // The list view, and its nav to the board.
  await checkPage(page, `${server.baseUrl}${listPath}`);
  assert.equal(await h1(page), `Candidatures : ${offer.title}`);
  const nav = page.getByRole('navigation', { name: 'Présentation des candidatures' });
  assert.equal(await nav.count(), 1, 'the list should have a nav «Présentation des candidatures»');
  const listLink = nav.getByRole('link', { name: 'Liste', exact: true });
  const boardLink = nav.getByRole('link', { name: 'Tableau par étape', exact: true });
  assert.equal(await listLink.getAttribute('aria-current'), 'page', 'the list view is the current one');
  assert.equal(await boardLink.getAttribute('aria-current'), null);
  assert.equal(await boardLink.getAttribute('href'), boardPath);
  assert.equal(await page.locator('#tableau').count(), 0, 'no board in the list view');

  // Tab to «Tableau par étape», Enter.
  await tabTo(page, `nav[aria-label="Présentation des candidatures"] a[href="${boardPath}"]`, { max: 200 });
  await assertFocusVisible(page, 'list view: the link «Tableau par étape»');
  await navigation(page, () => page.keyboard.press('Enter'), '«Tableau par étape» (Enter)');
  assert.equal(`${new URL(page.url()).pathname}${new URL(page.url()).search}`, boardPath);
  assert.equal(await h1(page), `Candidatures : ${offer.title}`);
  assert.equal(await boardLink.getAttribute('aria-current'), 'page', 'the board is now the current view');
  assert.equal(await listLink.getAttribute('aria-current'), null);
  await auditCurrentPage(page, 'the board');

  // A column per stage, in order, each labelled by its heading; every card in «Reçue».
  const sections = await page.evaluate(() =>
    [...document.querySelectorAll('#tableau section.pipeline-column')].map((s) => ({
      stage: s.getAttribute('data-stage'),
      heading: document.getElementById(s.getAttribute('aria-labelledby'))?.textContent.replace(/\s+/g, ' ').trim(),
    })),
  );
  assert.deepEqual(
    sections.map((s) => s.stage),
    STAGES.map(([code]) => code),
    'a column per stage, in the pipeline’s order',
  );
  for (const s of sections) {
    assert.match(s.heading ?? '', new RegExp(`^${escapeRegExp(LABEL[s.stage])} \\d+$`), `the heading of «${s.stage}» names it and counts its cards`);
  }
  assert.equal(await page.getByRole('region', { name: /^Reçue/ }).count(), 1, 'the «Reçue» column is a region named by its heading');
  // On a laptop's screen (1280 px), the six columns sit on one row, side by side, none over another.
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: 1280, height: 800 });
  const boxes = await page.evaluate(() =>
    [...document.querySelectorAll('#tableau section.pipeline-column')].map((s) => {
      const r = s.getBoundingClientRect();
      return { top: Math.round(r.top), left: Math.round(r.left), right: Math.round(r.right) };
    }),
  );
  assert.equal(new Set(boxes.map((b) => b.top)).size, 1, `one row of columns at 1280 px: ${JSON.stringify(boxes)}`);
  for (let i = 1; i < boxes.length; i += 1) {
    assert.ok(boxes[i].left >= boxes[i - 1].right, `column ${i + 1} starts after column ${i} ends: ${JSON.stringify(boxes)}`);
  }
  if (viewport) await page.setViewportSize(viewport);
  await assertBoard(page, [[alix, 'recue'], [noa, 'recue'], [sacha, 'recue']], 'the board at first');
  assert.match(await text(column(page, 'entretien')), /Aucune candidature\./, 'an empty column says so');
  assert.equal(await notice(page).count(), 0, 'no status message yet');

  // Each card: draggable, its candidate's name, and its own form that htmx posts and swaps.
  for (const c of candidates) {
    const item = card(page, c.id);
    assert.equal(await item.getAttribute('draggable'), 'true', `${fullName(c)}’s card is draggable`);
    assert.equal(await text(item.locator('h3')), fullName(c));
    const form = item.locator('form[data-move]');
    assert.equal(await form.count(), 1, `${fullName(c)}’s card holds its form`);
    assert.equal(await form.getAttribute('action'), `/recruteur/candidatures/${c.id}/etape`);
    assert.equal(await form.getAttribute('method'), 'post');
    assert.equal(await form.getAttribute('data-hx-post'), `/recruteur/candidatures/${c.id}/etape`);
    assert.equal(await form.getAttribute('data-hx-target'), '#tableau');
    assert.equal(await form.getAttribute('data-hx-select'), '#tableau');
    assert.equal(await form.locator('input[type="hidden"][name="vue"]').inputValue(), 'tableau');
    assert.equal(await item.getByLabel(`Étape de ${fullName(c)}`, { exact: true }).count(), 1, 'the «Étape» select names the candidate');
    assert.equal(await item.getByLabel('Motif (en cas de refus)', { exact: true }).count(), 1);
    assert.equal(await item.getByRole('button', { name: `Déplacer ${fullName(c)}`, exact: true }).count(), 1);
    // A received application may go to review, interview, acceptance or refusal: not back to
    // «Reçue», nor «Retirée» (the candidate's own move).
    assert.deepEqual(
      await item.locator('select[name="etape"] option').evaluateAll((options) => options.map((o) => o.value)),
      ['examen', 'entretien', 'acceptee', 'refusee'],
    );
  }

  board = { page, offerId, listPath, boardPath, marks: await instrumentBoard(page) };
});

// ---------------------------------------------------------------------------
// 2. A drop on «Entretien» submits the card's form; htmx swaps the board.

test('dragging a card onto «Entretien» moves it without a page load; the candidate gets the e-mail', { timeout: 60_000 }, async () => {
  const { page, marks } = requireBoard();
  const [alix, noa, sacha] = candidates;

  // A drop on the card's own column does nothing.
  await dragCard(page, alix.id, 'recue');
  await sleep(300);
  assert.deepEqual(marks.posts, [], 'a drop on the card’s own column should post nothing');
  assert.equal(await stageOf(page, alix.id), 'recue');

  let highlighted = null;
  const whileOver = async () => {
    await page.waitForFunction(() => document.querySelector('.pipeline-column--over'), null, { timeout: 2_000 }).catch(() => {});
    highlighted = await page.evaluate(() => [...document.querySelectorAll('.pipeline-column--over')].map((c) => c.dataset.stage));
  };
  await boardSwap(page, marks, alix.id, () => dragCard(page, alix.id, 'entretien', { whileOver }), 'drop of Alix on «Entretien»');
  assert.deepEqual(highlighted, ['entretien'], 'while the card is over «Entretien», that column (alone) is highlighted');
  await card(page, alix.id).waitFor();
  await assertBoard(page, [[alix, 'entretien'], [noa, 'recue'], [sacha, 'recue']], 'after the drop on «Entretien»');
  assert.equal(await text(notice(page)), movedMessage('entretien'));
  assert.equal(await page.locator('[role="status"]').count(), 1, 'one status message');
  assert.equal(
    await page.evaluate(() => document.querySelectorAll('.pipeline-column--over').length),
    0,
    'no column is left highlighted after the drop',
  );
  // Still open: the card keeps its form, without «Entretien» among its choices now.
  assert.deepEqual(
    await card(page, alix.id).locator('select[name="etape"] option').evaluateAll((options) => options.map((o) => o.value)),
    ['examen', 'acceptee', 'refusee'],
  );
  await auditCurrentPage(page, 'the board after the drop on «Entretien»');

  // Back to «Reçue» is not a move a recruiter makes: the drop does nothing.
  const postsBefore = marks.posts.length;
  await dragCard(page, alix.id, 'recue');
  await sleep(300);
  assert.deepEqual(marks.posts.slice(postsBefore), [], 'a drop on «Reçue» should post nothing');
  assert.equal(await stageOf(page, alix.id), 'entretien');

  const mail = await stageMail(alix, 'entretien');
  assertStageMail(mail, alix, 'entretien');
  assert.ok(!mail.text.includes('Motif'), `no reason for an interview:\n${mail.text}`);
});

// ---------------------------------------------------------------------------
// 3. A drop on «Refusée» waits for the reason, chosen with the keyboard.

test('dragging a card onto «Refusée» asks for the reason; the keyboard picks it and submits', { timeout: 60_000 }, async () => {
  const { page, marks } = requireBoard();
  const [alix, noa, sacha] = candidates;
  const postsBefore = marks.posts.length;

  await dragCard(page, noa.id, 'refusee');
  // The form is filled and the reason list focused; nothing is sent yet.
  await page.waitForFunction((id) => document.activeElement?.id === id, `motif-${noa.id}`, { timeout: SWAP_TIMEOUT }).catch(async () => {
    assert.fail(`after the drop on «Refusée», the focus should be on #motif-${noa.id}; it is on ${JSON.stringify(await describeFocus(page))}`);
  });
  await sleep(300);
  assert.deepEqual(marks.posts.slice(postsBefore), [], 'a drop on «Refusée» should post nothing before the reason is chosen');
  assert.equal(await stageOf(page, noa.id), 'recue', 'the card stays in «Reçue» until the reason is chosen');
  const stageSelect = page.locator(`#etape-${noa.id}`);
  assert.equal(await stageSelect.inputValue(), 'refusee');
  assert.equal(await stageSelect.evaluate((s) => s.selectedOptions[0]?.textContent.trim()), 'Refusée', 'the «Étape» select shows «Refusée»');
  assert.equal(await page.locator(`#motif-${noa.id}`).inputValue(), '', 'no reason chosen yet');
  await assertFocusVisible(page, 'the reason list of Noa, focused by the drop');
  await auditCurrentPage(page, 'the board after the drop on «Refusée»');

  // The reason with the arrow keys, Tab to «Déplacer», Enter.
  await arrowSelect(page, `#motif-${noa.id}`, 'experience');
  await assertFocusVisible(page, 'the reason list of Noa (after ArrowDown)');
  await tabExpect(page, `#carte-${noa.id} form button[type="submit"]`, 'from the reason list of Noa');
  assert.equal((await describeFocus(page)).text, `Déplacer ${fullName(noa)}`);
  await assertFocusVisible(page, '«Déplacer» of Noa');
  focusAfterButtonMoves.push({
    what: '«Déplacer» Noa to «Refusée» (Enter)',
    focus: await boardSwap(page, marks, noa.id, () => page.keyboard.press('Enter'), '«Déplacer» Noa to «Refusée» (Enter)'),
  });
  await card(page, noa.id).waitFor();
  await assertBoard(page, [[alix, 'entretien'], [noa, 'refusee'], [sacha, 'recue']], 'after the refusal');
  assert.equal(await text(notice(page)), movedMessage('refusee'));
  assert.ok((await text(card(page, noa.id))).includes(REASON_EXPERIENCE), `the refused card should show the reason «${REASON_EXPERIENCE}»`);
  assert.equal(await card(page, noa.id).locator('form').count(), 0, 'a refused application has no form any more');
  assert.equal(await card(page, noa.id).getAttribute('draggable'), null, 'a refused application cannot be dragged');
  await auditCurrentPage(page, 'the board after the refusal');

  const mail = await stageMail(noa, 'refusee');
  assertStageMail(mail, noa, 'refusee');
  assert.ok(mail.text.includes(`Motif : ${REASON_EXPERIENCE}`), `the e-mail should give the reason:\n${mail.text}`);
});

// ---------------------------------------------------------------------------
// 4. The keyboard alone, on the board.

test('with the keyboard only, a card moves from «Entretien» to «Acceptée» with its form', { timeout: 60_000 }, async () => {
  const { page, marks } = requireBoard();
  const [alix, noa, sacha] = candidates;

  await tabTo(page, `#etape-${alix.id}`, { max: 200 });
  await assertFocusVisible(page, 'the «Étape» select of Alix');
  // From «Entretien» the choices are examen, acceptee, refusee: one ArrowDown.
  await arrowSelect(page, `#etape-${alix.id}`, 'acceptee');
  await tabExpect(page, `#motif-${alix.id}`, 'from the «Étape» select of Alix');
  await tabExpect(page, `#carte-${alix.id} form button[type="submit"]`, 'from the reason list of Alix');
  await assertFocusVisible(page, '«Déplacer» of Alix');
  focusAfterButtonMoves.push({
    what: '«Déplacer» Alix to «Acceptée» (Enter)',
    focus: await boardSwap(page, marks, alix.id, () => page.keyboard.press('Enter'), '«Déplacer» Alix to «Acceptée» (Enter)'),
  });
  await card(page, alix.id).waitFor();
  await assertBoard(page, [[alix, 'acceptee'], [noa, 'refusee'], [sacha, 'recue']], 'after the keyboard move');
  assert.equal(await text(notice(page)), movedMessage('acceptee'));
  assert.equal(await card(page, alix.id).locator('form').count(), 0, 'an accepted application has no form any more');
  await auditCurrentPage(page, 'the board after the keyboard move');

  // The keyboard goes on from the board: Tab still reaches the next card's form.
  await tabTo(page, `#etape-${sacha.id}`, { max: 200 });
  await assertFocusVisible(page, 'the «Étape» select of Sacha, after the swap');

  assertStageMail(await stageMail(alix, 'acceptee'), alix, 'acceptee');
  await assertPageClean(page);
});

// ---------------------------------------------------------------------------
// 4b. Where the focus goes after a move with the card's button (htmx swaps the board, the
// button with it).

test(
  'after a move with a card’s «Déplacer» button, the focus stays on the board',
  () => {
    assert.equal(focusAfterButtonMoves.length, 2, 'the two moves with «Déplacer» should have run (tests 3 and 4)');
    for (const { what, focus } of focusAfterButtonMoves) {
      assert.ok(!focus.lost && focus.onBoard, `${what}: after the swap the focus should be on the board; it is on ${JSON.stringify(focus)}`);
    }
  },
);

// ---------------------------------------------------------------------------
// 5. Without JavaScript: the same forms, a full POST and back to the board.

test('without JavaScript, a card’s form moves it (a full POST, back to the board with the message)', { timeout: 60_000 }, async () => {
  const { boardPath } = requireBoard();
  const [alix, noa, sacha] = candidates;
  const recruiter = await addStaff(server, 'recruiter', { institution: offer.employer, label: 'recruteuse-sans-js' });
  const noScript = { context: { javaScriptEnabled: false }, timeout: NAV_TIMEOUT };
  await withPage(browser, async ({ page }) => {
    await signInWithLink(page, recruiter.link, '/recruteur', 'Espace recruteur');
    const response = await page.goto(`${server.baseUrl}${boardPath}`, { waitUntil: 'load' });
    assert.equal(response.status(), 200, `GET ${boardPath}`);
    await auditNoScriptPage(page, 'the board without JavaScript');
    await assertBoard(page, [[alix, 'acceptee'], [noa, 'refusee'], [sacha, 'recue']], 'the board without JavaScript');

    // A refusal without a reason: refused with a message, the card stays.
    await page.locator(`#etape-${sacha.id}`).selectOption('refusee');
    const refused = await navigation(
      page,
      () => card(page, sacha.id).getByRole('button', { name: `Déplacer ${fullName(sacha)}` }).click(),
      '«Déplacer» Sacha to «Refusée» without a reason (no JavaScript)',
    );
    assert.equal(refused.request().method(), 'GET', 'the POST should redirect to the board');
    assert.equal(new URL(page.url()).searchParams.get('vue'), 'tableau', 'back to the board');
    assert.match(await text(notice(page)), /refus demande un motif/, 'a refusal without a reason should be refused with a message');
    await assertBoard(page, [[alix, 'acceptee'], [noa, 'refusee'], [sacha, 'recue']], 'after a refusal without a reason');
    await auditNoScriptPage(page, 'the board without JavaScript, after a refusal without a reason');

    // To «En cours d'examen», with the keyboard: Tab to «Étape» (already on its first choice), Tab, Tab, Enter.
    await tabTo(page, `#etape-${sacha.id}`, { max: 200 });
    assert.equal(await page.locator(`#etape-${sacha.id}`).inputValue(), 'examen');
    await tabExpect(page, `#motif-${sacha.id}`, 'from the «Étape» select of Sacha');
    await tabExpect(page, `#carte-${sacha.id} form button[type="submit"]`, 'from the reason list of Sacha');
    const posts = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') posts.push(request);
    });
    const moved = await navigation(page, () => page.keyboard.press('Enter'), '«Déplacer» Sacha to «En cours d’examen» (no JavaScript)');
    assert.equal(posts.length, 1, 'one POST');
    assert.equal(posts[0].url(), `${server.baseUrl}/recruteur/candidatures/${sacha.id}/etape`);
    assert.equal(posts[0].headers()['hx-request'], undefined, 'a plain form POST, not htmx');
    assert.match(posts[0].postData() ?? '', /(^|&)vue=tableau(&|$)/, 'the form says it comes from the board');
    assert.equal(moved.status(), 200);
    const url = new URL(page.url());
    assert.equal(url.pathname, `/recruteur/offres/${board.offerId}/candidatures`);
    assert.equal(url.searchParams.get('vue'), 'tableau', 'the redirect leads back to the board');
    assert.equal(url.searchParams.get('message'), null, 'the message never travels in the address (a one-time message in the session)');
    assert.equal(await text(notice(page)), movedMessage('examen'));
    await assertBoard(page, [[alix, 'acceptee'], [noa, 'refusee'], [sacha, 'examen']], 'after the move without JavaScript');
    await auditNoScriptPage(page, 'the board without JavaScript, after the move');

    assertStageMail(await stageMail(sacha, 'examen'), sacha, 'examen');
    // One stage e-mail per move, none for the refused refusal.
    for (const [c, n] of [[alix, 2], [noa, 1], [sacha, 1]]) {
      const stageMails = await smtp.messagesTo(c.email, (m) => m.subject.startsWith('Votre candidature : '));
      assert.equal(stageMails.length, n, `${c.email} should get ${n} stage e-mail(s): ${stageMails.map((m) => m.subject)}`);
    }
  }, noScript);
});
