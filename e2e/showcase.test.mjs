// The products of the State (/projets): the search with facets without JavaScript and with the
// keyboard only (htmx swaps #resultats in place), a product page and a technology page reached
// from it; a recruiter writes and publishes a product with the keyboard only. Every page is
// axe-clean and passes the HTML checker (support/browser.mjs).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { auditCurrentPage, auditNoScriptPage, launchBrowser, withPage } from './support/browser.mjs';
import { addStaff, signInWithLink } from './support/accounts.mjs';
import { assertFocusVisible, describeFocus, tabAndType, tabTo } from './support/keyboard.mjs';
import { h1, navigation, notice, text } from './support/page.mjs';
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
      await auditNoScriptPage(page, '/projets filtered by a technology (no JavaScript)');
      // Each product found uses the technology: its page links to it.
      const first = page.locator('.mdn-product-card .fr-card__title a').first();
      await Promise.all([page.waitForURL(/\/projets\/[^/?]+$/), first.click()]);
      assert.ok(await page.locator(`a[href="/technologies/${value}"]`).count() > 0, `the product uses ${value}`);
      await auditNoScriptPage(page, 'a product page (no JavaScript)');
      await Promise.all([
        page.waitForURL(new RegExp(`/technologies/${value}$`)),
        page.locator(`a[href="/technologies/${value}"]`).first().click(),
      ]);
      assert.equal(await page.locator('h1').count(), 1);
      await auditNoScriptPage(page, 'a technology page (no JavaScript)');
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
    await auditCurrentPage(page, '/projets after two swaps');
  }),
);

/** Tabs to the submit button of `main` whose text is `label`, and asserts its focus ring shows. */
async function tabToButton(page, label, what) {
  await tabTo(page, 'main button[type="submit"]', {
    max: 150,
    // The filter runs in the page: `label` is passed in its source.
    filter: new Function('element', `return element.textContent.trim() === ${JSON.stringify(label)};`),
  });
  await assertFocusVisible(page, `${what}: «${label}»`);
}

const NEW_PRODUCT = {
  title: 'Registre clavier des démarches',
  mission: 'Permettre aux usagers de suivre leurs démarches sans souris.',
  body: '## Contexte\n\nUn registre écrit au clavier seul.',
  technologies: 'Rust, PostgreSQL',
};

test('a recruiter writes a product and publishes it with the keyboard only; /projets/{slug} shows it', { timeout: 180_000 }, () =>
  withPage(browser, async ({ page }) => {
    const recruiter = await addStaff(server, 'recruiter', { institution: 'dinum', label: 'recruteur-produits' });
    await signInWithLink(page, recruiter.link, '/recruteur', 'Espace recruteur');

    await tabTo(page, 'main a[href="/recruteur/projets"]', { max: 120 });
    await navigation(page, () => page.keyboard.press('Enter'), '«Produits» (Enter)');
    assert.equal(new URL(page.url()).pathname, '/recruteur/projets');
    await auditCurrentPage(page, '/recruteur/projets');
    await tabTo(page, 'main a[href="/recruteur/projets/nouveau"]', { max: 120 });
    assert.equal((await describeFocus(page)).text, 'Nouveau produit');
    await assertFocusVisible(page, '/recruteur/projets: «Nouveau produit»');
    await navigation(page, () => page.keyboard.press('Enter'), '«Nouveau produit» (Enter)');
    assert.equal(await h1(page), 'Nouveau produit');
    await auditCurrentPage(page, '/recruteur/projets/nouveau');

    // Saving without a mission is refused, with the error on the field and what was typed kept.
    await tabAndType(page, '#titre', NEW_PRODUCT.title);
    await tabToButton(page, 'Enregistrer', 'new product');
    await navigation(page, () => page.keyboard.press('Enter'), '«Enregistrer» without a mission (Enter)');
    assert.equal(await page.locator('#titre').inputValue(), NEW_PRODUCT.title, 'the title typed is kept');
    assert.equal(await page.locator('#mission').getAttribute('aria-invalid'), 'true', 'the mission is marked invalid');
    await auditCurrentPage(page, '/recruteur/projets/nouveau with an error');

    await tabAndType(page, '#mission', NEW_PRODUCT.mission, { max: 40 });
    await tabAndType(page, '#recit', NEW_PRODUCT.body, { max: 3 });
    await tabTo(page, '#phase', { max: 3 });
    await assertFocusVisible(page, 'new product: «Phase actuelle»');
    // Type-ahead sees key presses: an ASCII prefix of «Construction».
    await page.keyboard.type('Constr');
    assert.equal(await page.locator('#phase').inputValue(), 'construction', 'type-ahead chooses «Construction»');
    // The date field takes three Tabs (day, month, year) in Chromium.
    await tabAndType(page, '#technologies', NEW_PRODUCT.technologies, { max: 8 });
    await tabToButton(page, 'Enregistrer', 'new product');
    await navigation(page, () => page.keyboard.press('Enter'), '«Enregistrer» (Enter)');

    const match = new URL(page.url()).pathname.match(/^\/recruteur\/projets\/(\d+)\/modifier$/);
    assert.ok(match, `saving should lead to the product's editor: ${page.url()}`);
    assert.equal(await text(notice(page)), 'Brouillon enregistré : prévisualisez-le, puis publiez-le.');
    assert.equal(await h1(page), `Produit : ${NEW_PRODUCT.title}`);
    assert.equal(await page.locator('#phase').inputValue(), 'construction');
    const callout = page.locator('main section[aria-labelledby="titre-etat"]');
    assert.equal(await text(callout.locator('h2')), 'État : Brouillon');
    await auditCurrentPage(page, '/recruteur/projets/{id}/modifier (draft)');

    await tabToButton(page, 'Publier', 'draft product');
    await navigation(page, () => page.keyboard.press('Space'), '«Publier» (Space)');
    assert.equal(await text(notice(page)), 'Produit publié : il apparaît dans /projets.');
    assert.equal(await text(callout.locator('h2')), 'État : Publié');
    await auditCurrentPage(page, '/recruteur/projets/{id}/modifier (published)');

    await tabTo(page, 'main a.fr-btn[href^="/projets/"]', { max: 120 });
    assert.equal((await describeFocus(page)).text, 'Voir la page publique');
    await navigation(page, () => page.keyboard.press('Enter'), '«Voir la page publique» (Enter)');
    assert.match(new URL(page.url()).pathname, /^\/projets\/registre-clavier-des-demarches/);
    assert.equal(await h1(page), NEW_PRODUCT.title);
    assert.match(await text(page.locator('main')), new RegExp(NEW_PRODUCT.mission.replace('.', '\\.')));
    for (const slug of ['rust', 'postgresql']) {
      assert.equal(await page.locator(`main a.fr-tag[href="/technologies/${slug}"]`).count(), 1, `links to /technologies/${slug}`);
    }
    await auditCurrentPage(page, '/projets/{slug} of the new product');
  }),
);
