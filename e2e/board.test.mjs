// The job board: search, facets, pagination, offer and employer pages, the
// API. Every page is axe-clean without console errors nor CSP violations; the
// search works with the keyboard only (htmx swaps #resultats in place and
// keeps focus) and without JavaScript; the JSON API agrees with the HTML.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertPageClean, checkPage, launchBrowser, withPage } from './support/browser.mjs';
import { describeFocus, tabTo } from './support/keyboard.mjs';
import { stopAll } from './support/process.mjs';
import { startServer } from './support/server.mjs';

const TEST_TIMEOUT = 90_000;
const SWAP_TIMEOUT = 10_000;
const PER_PAGE = 20;

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
}, { timeout: 180_000 });

after(() => stopAll(browser, server));

/** The number in the results count sentence ("77 offres correspondent…", "Aucune offre…" is 0). */
function parseCount(text) {
  const match = text.replace(/[\s\u00a0\u202f]/g, '').match(/\d+/);
  return match ? Number(match[0]) : 0;
}

async function countText(page) {
  return (await page.locator('#nombre-offres').textContent()).trim();
}

/** Waits until #nombre-offres no longer reads `previous` (htmx swapped #resultats). */
async function waitForCountChange(page, previous, what) {
  try {
    await page.waitForFunction(
      (text) => {
        const heading = document.getElementById('nombre-offres');
        return heading && heading.textContent.trim() !== text;
      },
      previous,
      { timeout: SWAP_TIMEOUT },
    );
  } catch {
    assert.fail(`${what}: #nombre-offres still reads «${previous}» after ${SWAP_TIMEOUT / 1000} s (url ${page.url()})`);
  }
  // Let htmx finish settling (focus restoration, history push).
  await page.waitForFunction(() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping'), null, {
    timeout: SWAP_TIMEOUT,
  });
  return countText(page);
}

async function waitForUrl(page, predicate, what) {
  try {
    await page.waitForURL((url) => predicate(url), { timeout: SWAP_TIMEOUT, waitUntil: 'commit' });
  } catch {
    assert.fail(`${what}: unexpected URL ${page.url()}`);
  }
}

/** After a swap triggered by the form control `#id`, the focus must still be on it (htmx keeps focus by id). */
async function assertFocusKept(page, id, what) {
  const focus = await describeFocus(page);
  assert.ok(
    focus.tag && focus.tag !== 'body' && focus.connected,
    `${what}: the focus was lost after the htmx swap (document.activeElement is ${JSON.stringify(focus)}); it should stay on #${id}`,
  );
  assert.equal(focus.id, id, `${what}: after the htmx swap the focus should stay on #${id}, it is on ${JSON.stringify(focus)}`);
}

describe('board pages are axe-clean, without console errors nor CSP violations', () => {
  const pages = [
    ['/offres-emploi', 200],
    ['/offres-emploi?q=developpeur&region=11', 200],
    ['/offres-emploi?page=9999', 200],
    ['/offres-emploi?q=zzzzqqq', 200],
    ['/employeurs', 200],
    ['/employeurs/dinum', 200],
    ['/api', 200],
    ['/emploi/inconnue', 404],
  ];
  for (const [path, status] of pages) {
    test(`${path} answers ${status}`, { timeout: TEST_TIMEOUT }, () =>
      withPage(browser, ({ page }) => checkPage(page, `${server.baseUrl}${path}`, { status })),
    );
  }

  test('the first offer of /offres-emploi answers 200', { timeout: TEST_TIMEOUT }, () =>
    withPage(browser, async ({ page }) => {
      await page.goto(`${server.baseUrl}/offres-emploi`);
      const href = await page.locator('.fr-card__title a').first().getAttribute('href');
      assert.ok(href, 'no result link (.fr-card__title a) on /offres-emploi');
      assert.match(href, /^\/emploi\//, `result link should lead to /emploi/…: ${href}`);
      await checkPage(page, new URL(href, server.baseUrl).href, { status: 200 });
    }),
  );
});

test('search, facet, filter removal, pagination and opening an offer with the keyboard only', { timeout: 180_000 }, () =>
  withPage(browser, async ({ page }) => {
    await page.goto(`${server.baseUrl}/offres-emploi`);
    await page.waitForFunction(() => Boolean(window.htmx), null, { timeout: SWAP_TIMEOUT });

    // 1. Tab to the search field, type a query, Enter.
    await tabTo(page, '#champ-recherche', { max: 80 });
    let count = await countText(page);
    await page.keyboard.type('développeuse');
    await page.keyboard.press('Enter');
    count = await waitForCountChange(page, count, 'search «développeuse»');
    await waitForUrl(page, (url) => url.searchParams.has('q'), 'search «développeuse»');
    assert.ok(page.url().includes('q='), `the search should push its URL: ${page.url()}`);
    assert.equal(new URL(page.url()).pathname, '/offres-emploi');
    await assertFocusKept(page, 'champ-recherche', 'search «développeuse»');

    // 2. Tab to the first region checkbox, Space.
    const checkbox = await tabTo(page, '#filtre-region input[type="checkbox"]', { max: 250 });
    assert.ok(checkbox.id, `the region checkbox should have an id: ${JSON.stringify(checkbox)}`);
    const before = count;
    await page.keyboard.press('Space');
    count = await waitForCountChange(page, before, `checking #${checkbox.id}`);
    await waitForUrl(page, (url) => url.searchParams.has('region'), `checking #${checkbox.id}`);
    assert.ok(page.url().includes('region='), `checking a region should push region= in the URL: ${page.url()}`);
    assert.notEqual(count, before, 'the count heading should change once a region is checked');
    assert.ok(await page.locator(`#${checkbox.id}`).isChecked(), `#${checkbox.id} should be checked after the swap`);
    await assertFocusKept(page, checkbox.id, `checking #${checkbox.id}`);

    // 3. Remove the filter with its active filter tag.
    await tabTo(page, 'ul[aria-label="Filtres actifs"] a', { max: 250 });
    await page.keyboard.press('Enter');
    count = await waitForCountChange(page, count, 'removing the region filter');
    await waitForUrl(page, (url) => !url.searchParams.has('region'), 'removing the region filter');
    assert.ok(!page.url().includes('region='), `region= should leave the URL: ${page.url()}`);
    assert.ok(page.url().includes('q='), `removing the region filter should keep the query: ${page.url()}`);

    // 4. Page 2 (clear the query first if it has a single page of results).
    if (parseCount(count) <= PER_PAGE) {
      await tabTo(page, '#champ-recherche', { max: 400 });
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.press('Backspace');
      await page.keyboard.press('Enter');
      count = await waitForCountChange(page, count, 'clearing the query');
      await waitForUrl(page, (url) => !url.searchParams.get('q'), 'clearing the query');
      await assertFocusKept(page, 'champ-recherche', 'clearing the query');
      assert.ok(parseCount(count) > PER_PAGE, `all offers should fill more than one page: «${count}»`);
    }
    await tabTo(page, '.fr-pagination a', { max: 250, filter: (element) => element.textContent.trim() === '2' });
    await page.keyboard.press('Enter');
    await waitForUrl(page, (url) => url.searchParams.get('page') === '2', 'pagination link 2');
    await page.waitForFunction(
      () => document.querySelector('.fr-pagination a[aria-current="page"]')?.textContent.trim() === '2',
      null,
      { timeout: SWAP_TIMEOUT },
    ).catch(() => {});
    assert.equal(
      (await page.locator('.fr-pagination a[aria-current="page"]').textContent()).trim(),
      '2',
      'the current pagination link should read 2',
    );

    // 5. Open the first result.
    const firstTitle = (await page.locator('.fr-card__title a').first().textContent()).trim();
    await tabTo(page, '.fr-card__title a', {
      max: 400,
      filter: (element) => element === document.querySelector('.fr-card__title a'),
    });
    await page.keyboard.press('Enter');
    await waitForUrl(page, (url) => url.pathname.startsWith('/emploi/'), 'opening the first result');
    assert.match(page.url(), /\/emploi\//);
    const h1 = page.locator('h1');
    try {
      await h1.first().waitFor({ state: 'visible', timeout: SWAP_TIMEOUT });
    } catch {
      const main = (await page.locator('main').innerHTML().catch(() => '(no main)')).replace(/\s+/g, ' ').slice(0, 400);
      assert.fail(`no visible h1 after opening «${firstTitle}» (${page.url()}); <main> is: ${main}`);
    }
    assert.equal((await h1.first().textContent()).trim(), firstTitle, 'the offer h1 should be the result title');

    await assertPageClean(page);
  }),
);

test('the search works without JavaScript: facet, «Appliquer les filtres», «Page suivante»', { timeout: TEST_TIMEOUT }, () =>
  withPage(
    browser,
    async ({ page }) => {
      const response = await page.goto(`${server.baseUrl}/offres-emploi?q=data`);
      assert.equal(response.status(), 200);
      assert.equal(await page.evaluate(() => typeof window.htmx), 'undefined', 'JavaScript should be disabled');

      const checkbox = page.locator('#filtre-region input[type="checkbox"]').first();
      const id = await checkbox.getAttribute('id');
      const value = await checkbox.getAttribute('value');
      assert.ok(id && value, 'the first region checkbox should have an id and a value');
      // The DSFR hides the native checkbox behind its label: click the label, as a user does.
      await page.locator(`label[for="${id}"]`).click();
      assert.ok(await checkbox.isChecked(), `#${id} should be checked`);

      await Promise.all([
        page.waitForURL((url) => url.searchParams.has('region'), { timeout: SWAP_TIMEOUT }),
        page.getByRole('button', { name: 'Appliquer les filtres' }).click(),
      ]);
      const url = new URL(page.url());
      assert.equal(url.pathname, '/offres-emploi');
      assert.equal(url.searchParams.get('region'), value, `the URL should carry the region filter: ${page.url()}`);
      assert.equal(url.searchParams.get('q'), 'data', `the URL should keep the query: ${page.url()}`);
      assert.ok(await page.locator(`#${id}`).isChecked(), `#${id} should be checked on the filtered page`);
      assert.equal(await page.locator('ul[aria-label="Filtres actifs"] a').count(), 1, 'one active filter tag');

      const next = page.locator('.fr-pagination a[href]', { hasText: 'Page suivante' });
      if (await next.count()) {
        await Promise.all([
          page.waitForURL((u) => u.searchParams.get('page') === '2', { timeout: SWAP_TIMEOUT }),
          next.first().click(),
        ]);
        assert.equal(new URL(page.url()).searchParams.get('region'), value, 'page 2 should keep the filter');
        assert.equal((await page.locator('.fr-pagination a[aria-current="page"]').textContent()).trim(), '2');
      }
      await assertPageClean(page);
    },
    { context: { javaScriptEnabled: false } },
  ),
);

/** A screenshot when METIERS_SCREENSHOTS names a folder; the caret is left alone (hiding it
 * would inject a style the CSP refuses). */
const shot = (page, name) =>
  page.screenshot({ path: process.env.METIERS_SCREENSHOTS ? `${process.env.METIERS_SCREENSHOTS}/${name}.png` : undefined, caret: 'initial' });

/** Top of the first result and of the filters, and the window's height. */
async function layout(page) {
  return page.evaluate(() => {
    const card = document.querySelector('.mdn-results .fr-card');
    const filters = document.getElementById('filtres');
    const results = document.querySelector('.mdn-results-column');
    const box = (el) => (el ? el.getBoundingClientRect() : null);
    return {
      card: box(card) && { top: box(card).top + window.scrollY },
      filters: box(filters) && { top: box(filters).top + window.scrollY, right: box(filters).right, visible: filters.offsetParent !== null },
      results: box(results) && { left: box(results).left },
      height: window.innerHeight,
    };
  });
}

test('on a phone with JavaScript the results come first, the filters open behind «Filtrer les offres» and stay open while used', { timeout: TEST_TIMEOUT }, () =>
  withPage(
    browser,
    async ({ page }) => {
      await page.goto(`${server.baseUrl}/offres-emploi`);
      await page.waitForFunction(() => Boolean(window.htmx), null, { timeout: SWAP_TIMEOUT });
      const button = page.locator('.mdn-filters__btn');
      assert.ok(await button.isVisible(), '«Filtrer les offres» is shown on a phone');
      assert.equal(await button.getAttribute('aria-expanded'), 'false');
      const closed = await layout(page);
      assert.ok(!closed.filters.visible, 'the filters wait behind the button');
      assert.ok(closed.card && closed.card.top < closed.height, `the first result (top ${closed.card?.top}) is above the fold (${closed.height})`);
      await shot(page, 'recherche-375');

      await button.click();
      assert.equal(await button.getAttribute('aria-expanded'), 'true');
      assert.ok(await page.locator('#filtres').isVisible(), 'the filters are open');
      const before = await countText(page);
      const salary = page.locator('#filtre-salaire input[value="40000"]');
      const expected = parseCount(await page.locator(`label[for="${await salary.getAttribute('id')}"] .mdn-count`).textContent());
      await page.locator(`label[for="${await salary.getAttribute('id')}"]`).click();
      const after = await waitForCountChange(page, before, 'a salary step on a phone');
      assert.equal(parseCount(after), expected, `the step said ${expected} offers; the results say «${after}»`);
      assert.equal(new URL(page.url()).searchParams.get('salaire_min'), '40000');
      assert.ok(await page.locator('#filtres').isVisible(), 'the filters stay open after the results were replaced');
      assert.equal(await page.locator('.mdn-filters__btn').getAttribute('aria-expanded'), 'true');
      await shot(page, 'recherche-filtres-375');

      await page.locator('.mdn-filters__done').click();
      assert.ok(!(await page.locator('#filtres').isVisible()), '«Voir les résultats» closes the filters');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'nombre-offres', 'and goes to the count');
      await assertPageClean(page);
    },
    { context: { viewport: { width: 375, height: 800 } } },
  ),
);

test('on a phone without JavaScript the results come before the filters, reached by a link', { timeout: TEST_TIMEOUT }, () =>
  withPage(
    browser,
    async ({ page }) => {
      await page.goto(`${server.baseUrl}/offres-emploi`);
      await shot(page, 'recherche-sans-js-375');
      // Without JavaScript the header shows its whole navigation, so the first result starts
      // just below the first screen: what matters is that it comes before the filters.
      const { card, filters } = await layout(page);
      assert.ok(card, 'a first result');
      assert.ok(filters.visible && filters.top > card.top, `the filters (top ${filters.top}) follow the first result (top ${card.top})`);
      assert.ok(!(await page.locator('.mdn-filters__btn').isVisible()), 'no button that could not open');
      const link = page.getByRole('link', { name: 'Aller aux filtres' });
      assert.ok(await link.isVisible());
    },
    { context: { javaScriptEnabled: false, viewport: { width: 375, height: 800 } } },
  ),
);

test('on a laptop the filters sit beside the results, without a button', { timeout: TEST_TIMEOUT }, () =>
  withPage(
    browser,
    async ({ page }) => {
      await page.goto(`${server.baseUrl}/offres-emploi`);
      await page.waitForFunction(() => Boolean(window.htmx), null, { timeout: SWAP_TIMEOUT });
      const { filters, results } = await layout(page);
      assert.ok(filters.visible, 'the filters are shown');
      assert.ok(filters.right <= results.left + 1, `the filters (right ${filters.right}) do not overlap the results (left ${results.left})`);
      assert.ok(!(await page.locator('.mdn-filters__btn').isVisible()), 'no «Filtrer les offres» button');
      assert.ok(!(await page.locator('.mdn-filters__done').isVisible()));
      await shot(page, 'recherche-1280');
    },
    { context: { viewport: { width: 1280, height: 900 } } },
  ),
);

test('API: /api/v1/offres agrees with the HTML, CORS, invalid parameters, OpenAPI 3.1', { timeout: TEST_TIMEOUT }, async () => {
  const api = await fetch(`${server.baseUrl}/api/v1/offres?q=developpeur`, { headers: { Origin: 'https://exemple.fr' } });
  assert.equal(api.status, 200);
  assert.match(api.headers.get('content-type') || '', /^application\/json/);
  assert.equal(api.headers.get('access-control-allow-origin'), '*', 'CORS header with an Origin');
  const body = await api.json();
  assert.equal(typeof body.total, 'number', `total should be a number: ${JSON.stringify(body).slice(0, 200)}`);

  const html = await (await fetch(`${server.baseUrl}/offres-emploi?q=developpeur`)).text();
  const heading = html.match(/<[^>]*\bid="nombre-offres"[^>]*>([\s\S]*?)<\//);
  assert.ok(heading, 'no #nombre-offres in /offres-emploi?q=developpeur');
  const sentence = heading[1].replace(/<[^>]+>/g, '').trim();
  assert.equal(body.total, parseCount(sentence), `API total ${body.total} vs HTML «${sentence}»`);

  const invalid = await fetch(`${server.baseUrl}/api/v1/offres?region=99`);
  assert.equal(invalid.status, 400);
  assert.match(invalid.headers.get('content-type') || '', /^application\/json/);
  const error = await invalid.json();
  assert.equal(error.erreur, 'parametre_invalide', JSON.stringify(error));

  const openapi = await fetch(`${server.baseUrl}/api/openapi.json`);
  assert.equal(openapi.status, 200);
  const spec = await openapi.json();
  assert.equal(typeof spec.openapi, 'string');
  assert.ok(spec.openapi.startsWith('3.1'), `openapi should be 3.1.x: ${spec.openapi}`);
});
