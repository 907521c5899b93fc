// The products of the State (/projets): the search with facets without JavaScript and with the
// keyboard only (htmx swaps #resultats in place), a product page and a technology page reached
// from it. Every page is axe-clean and passes the HTML checker (support/browser.mjs).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertPageClean, launchBrowser, withPage } from './support/browser.mjs';
import { tabTo } from './support/keyboard.mjs';
import { stopAll } from './support/process.mjs';
import { startServer } from './support/server.mjs';

const TEST_TIMEOUT = 90_000;
const SWAP_TIMEOUT = 10_000;

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
}, { timeout: 180_000 });

after(() => stopAll(browser, server));

const count = async (page) => (await page.locator('#nombre-resultats').textContent()).trim();

test('/projets without JavaScript: a technology, «Appliquer les filtres», then its product', { timeout: TEST_TIMEOUT }, () =>
  withPage(
    browser,
    async ({ page }) => {
      const response = await page.goto(`${server.baseUrl}/projets`);
      assert.equal(response.status(), 200);
      const all = await count(page);
      const checkbox = page.locator('#filtre-techno input[type="checkbox"]').first();
      const id = await checkbox.getAttribute('id');
      const value = await checkbox.getAttribute('value');
      await page.locator(`label[for="${id}"]`).click();
      await Promise.all([
        page.waitForURL((url) => url.searchParams.has('techno'), { timeout: SWAP_TIMEOUT }),
        page.getByRole('button', { name: 'Appliquer les filtres' }).click(),
      ]);
      assert.equal(new URL(page.url()).searchParams.get('techno'), value);
      assert.notEqual(await count(page), all, 'the count follows the filter');
      assert.equal(await page.locator('ul[aria-label="Filtres actifs"] a').count(), 1, 'one active filter tag');
      await assertPageClean(page);
      // Each product found uses the technology: its page links to it.
      const first = page.locator('.mdn-product-card .fr-card__title a').first();
      await Promise.all([page.waitForURL(/\/projets\/[^/?]+$/), first.click()]);
      assert.ok(await page.locator(`a[href="/technologies/${value}"]`).count() > 0, `the product uses ${value}`);
      await assertPageClean(page);
      await Promise.all([
        page.waitForURL(new RegExp(`/technologies/${value}$`)),
        page.locator(`a[href="/technologies/${value}"]`).first().click(),
      ]);
      assert.equal(await page.locator('h1').count(), 1);
      await assertPageClean(page);
    },
    { context: { javaScriptEnabled: false } },
  ),
);

test('/projets with the keyboard only: words, Enter, then a phase with Space, swapped in place', { timeout: TEST_TIMEOUT }, () =>
  withPage(browser, async ({ page }) => {
    await page.goto(`${server.baseUrl}/projets`);
    await page.waitForFunction(() => Boolean(window.htmx), null, { timeout: SWAP_TIMEOUT });
    await tabTo(page, '#champ-projets', { max: 80 });
    const before = await count(page);
    await page.keyboard.type('sécurité');
    await page.keyboard.press('Enter');
    await page.waitForFunction((text) => document.querySelector('#nombre-resultats')?.textContent.trim() !== text, before, { timeout: SWAP_TIMEOUT });
    await page.waitForURL((url) => url.searchParams.get('q') === 'sécurité', { timeout: SWAP_TIMEOUT });
    const words = await count(page);
    const phase = await tabTo(page, '#filtre-phase input[type="checkbox"]', { max: 120 });
    assert.ok(phase.id, 'a phase checkbox takes the focus');
    await page.keyboard.press('Space');
    await page.waitForURL((url) => url.searchParams.has('phase') && url.searchParams.get('q') === 'sécurité', { timeout: SWAP_TIMEOUT });
    assert.ok(await page.locator(`#${phase.id}`).isChecked(), 'still checked after the swap');
    assert.ok((await count(page)).length > 0 && words.length > 0);
    await assertPageClean(page);
  }),
);
