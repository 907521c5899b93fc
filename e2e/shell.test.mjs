// The site shell: every page is axe-clean (WCAG 2.1 AA), without console
// errors or CSP violations; security and cache headers; the skip link.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertPageClean, checkPage, launchBrowser, withPage } from './support/browser.mjs';
import { stopAll } from './support/process.mjs';
import { startServer } from './support/server.mjs';

const TEST_TIMEOUT = 60_000;

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
}, { timeout: 180_000 });

after(() => stopAll(browser, server));

describe('shell pages', () => {
  const pages = [
    ['/', 200],
    ['/accessibilite', 200],
    ['/mentions-legales', 200],
    ['/donnees-personnelles', 200],
    ['/plan-du-site', 200],
    ['/espace-recruteurs', 200],
    ['/projets', 200],
    ['/projets?techno=python&tri=nom', 200],
    ['/projets?tri=prix', 400],
    ['/projets/rdv-hopital', 200],
    ['/technologies', 200],
    ['/technologies/python', 200],
    ['/temoignages', 200],
    ['/temoignages?employeur=dinum', 200],
    ['/temoignages?employeur=inconnu', 200],
    ['/temoignages/amina-developpeuse-dinum', 200],
    ['/temoignages/claire-data-scientist-insee', 200],
    ['/temoignages/inconnu', 404],
    ['/forum', 200],
    ['/evenements', 200],
    ['/evenements?type=job-dating', 200],
    ['/evenements?type=bal&jour=demain', 200],
    ['/evenements/ouverture-le-numerique-de-l-etat-en-2027', 200],
    ['/evenements/inconnue', 404],
    ['/stands', 200],
    ['/vis-mon-job', 200],
    ['/demande-de-compte?pour=vis-mon-job', 200],
    ['/cette-page-n-existe-pas', 404],
  ];
  for (const [path, status] of pages) {
    test(`${path} answers ${status}, is axe-clean, without console errors nor CSP violations`, { timeout: TEST_TIMEOUT }, () =>
      withPage(browser, ({ page }) => checkPage(page, `${server.baseUrl}${path}`, { status })),
    );
  }
});

test('security headers on /', { timeout: TEST_TIMEOUT }, async () => {
  const response = await fetch(`${server.baseUrl}/`);
  await response.arrayBuffer();
  assert.equal(response.status, 200);

  const csp = response.headers.get('content-security-policy');
  assert.ok(csp, 'content-security-policy header is missing');
  assert.match(csp, /(^|;)\s*default-src 'self'/, `CSP should contain default-src 'self': ${csp}`);
  assert.match(csp, /(^|;)\s*frame-ancestors 'none'/, `CSP should contain frame-ancestors 'none': ${csp}`);

  assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  assert.ok(response.headers.get('referrer-policy'), 'referrer-policy header is missing');
});

test('DSFR stylesheets are served with a long, immutable cache', { timeout: TEST_TIMEOUT }, () =>
  withPage(browser, async ({ page }) => {
    await page.goto(`${server.baseUrl}/`);
    const hrefs = await page.$$eval('link[rel~="stylesheet"]', (links) => links.map((link) => link.href));
    const dsfr = hrefs.filter((href) => /dsfr/i.test(href));
    assert.ok(dsfr.length > 0, `no DSFR stylesheet linked from / (stylesheets: ${hrefs.join(', ') || 'none'})`);

    for (const href of dsfr) {
      assert.equal(new URL(href).origin, server.baseUrl, `${href} should be served by the application itself`);
      const response = await fetch(href);
      await response.arrayBuffer();
      assert.equal(response.status, 200, `GET ${href}`);
      assert.match(response.headers.get('content-type') || '', /^text\/css/, `content-type of ${href}`);
      const cacheControl = response.headers.get('cache-control') || '';
      assert.match(cacheControl, /\bimmutable\b/, `cache-control of ${href}: ${cacheControl}`);
      assert.match(cacheControl, /\bmax-age=31536000\b/, `cache-control of ${href}: ${cacheControl}`);
    }
    await assertPageClean(page);
  }),
);

test('the first Tab focuses the skip link, which leads to #contenu', { timeout: TEST_TIMEOUT }, () =>
  withPage(browser, async ({ page }) => {
    await page.goto(`${server.baseUrl}/`);
    await page.keyboard.press('Tab');

    const focused = await page.evaluate(() => {
      const element = document.activeElement;
      return {
        tag: element?.tagName.toLowerCase(),
        inSkiplinks: Boolean(element?.closest('.fr-skiplinks')),
        href: element?.getAttribute('href'),
        text: element?.textContent.trim(),
      };
    });
    assert.equal(focused.tag, 'a', `the first Tab should focus a link, focused: ${JSON.stringify(focused)}`);
    assert.ok(focused.inSkiplinks, `the first focused link should be in .fr-skiplinks: ${JSON.stringify(focused)}`);
    assert.equal(focused.href, '#contenu', `the first skip link should lead to #contenu: ${JSON.stringify(focused)}`);
    assert.ok(await page.locator(':focus').isVisible(), 'the focused skip link should be visible');

    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash === '#contenu', null, { timeout: 5_000 });

    const target = await page.evaluate(() => {
      const main = document.getElementById('contenu');
      if (!main) return null;
      const active = document.activeElement;
      const rect = main.getBoundingClientRect();
      const root = document.scrollingElement || document.documentElement;
      const atBottom = window.scrollY + window.innerHeight >= root.scrollHeight - 2;
      return {
        isMain: main.matches('main, [role="main"]'),
        focused: active === main || main.contains(active),
        // Scrolled to the top of #contenu, or as far as the page allows with #contenu in view.
        scrolled: Math.abs(rect.top) <= 2 || (atBottom && rect.top >= 0 && rect.top < window.innerHeight),
      };
    });
    assert.ok(target, 'no element with id="contenu"');
    assert.ok(target.isMain, '#contenu should be the main landmark (<main> or role="main")');
    assert.ok(target.focused || target.scrolled, `activating the skip link should move focus or scroll to #contenu: ${JSON.stringify(target)}`);

    await assertPageClean(page);
  }),
);

test('the home page at 375 and 1280 px: «Voir toutes les offres» overlaps no card', { timeout: TEST_TIMEOUT }, () =>
  withPage(browser, async ({ page }) => {
    for (const width of [375, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${server.baseUrl}/`);
      const boxes = await page.evaluate(() => {
        const section = document.getElementById('dernieres-offres')?.closest('section');
        const cards = [...(section?.querySelectorAll('.fr-card') || [])].map((c) => c.getBoundingClientRect().bottom);
        const link = section?.querySelector('a[href="/offres-emploi"]')?.getBoundingClientRect();
        return { cards, linkTop: link ? link.top : null };
      });
      assert.ok(boxes.cards.length > 0, `the latest offers are listed at ${width} px`);
      assert.ok(boxes.linkTop !== null, `«Voir toutes les offres» is there at ${width} px`);
      assert.ok(boxes.linkTop >= Math.max(...boxes.cards), `at ${width} px the link (top ${boxes.linkTop}) starts below the cards (bottom ${Math.max(...boxes.cards)})`);
    }
  }),
);

test('an offer page: the share buttons show their network, and «Imprimer l’offre» comes with JavaScript', { timeout: TEST_TIMEOUT }, () =>
  withPage(browser, async ({ page }) => {
    const list = await (await fetch(`${server.baseUrl}/api/v1/offres?par_page=1`)).json();
    await page.goto(`${server.baseUrl}/emploi/${list.offres[0].slug}`);
    const share = page.locator('.fr-share a.fr-btn');
    assert.equal(await share.count(), 4);
    for (let i = 0; i < 4; i += 1) {
      const mask = await share.nth(i).evaluate((a) => getComputedStyle(a, '::before').maskImage || getComputedStyle(a, '::before').webkitMaskImage);
      assert.match(mask || '', /url\(/, `share button ${i + 1} draws its network's logo`);
    }
    const print = page.getByRole('button', { name: 'Imprimer l’offre' });
    assert.ok(await print.isVisible(), 'the print button is shown when JavaScript runs');
    await assertPageClean(page);
  }),
);

test('without JavaScript on a phone, the navigation and «Se connecter» are there', { timeout: TEST_TIMEOUT }, () =>
  withPage(
    browser,
    async ({ page }) => {
      await page.goto(`${server.baseUrl}/`);
      const header = page.locator('header[role="banner"]');
      assert.ok(await header.getByRole('link', { name: 'Se connecter', exact: true }).isVisible(), '«Se connecter» is visible');
      assert.ok(await header.getByRole('link', { name: 'Offres d’emploi', exact: true }).isVisible(), 'the main navigation is visible');
      assert.ok(!(await page.locator('#bouton-menu').isVisible()), 'no «Menu» button that could not open');
      await page.screenshot({ path: process.env.METIERS_SCREENSHOTS ? `${process.env.METIERS_SCREENSHOTS}/menu-sans-js-375.png` : undefined });
    },
    { context: { javaScriptEnabled: false, viewport: { width: 375, height: 800 } } },
  ),
);

test('with JavaScript on a phone, «Menu» opens the navigation', { timeout: TEST_TIMEOUT }, () =>
  withPage(
    browser,
    async ({ page }) => {
      await page.goto(`${server.baseUrl}/`);
      const menu = page.locator('#bouton-menu');
      assert.ok(await menu.isVisible(), 'the «Menu» button is shown');
      assert.ok(!(await page.locator('#navigation-principale').isVisible()), 'the navigation waits in the menu');
      await menu.click();
      await page.locator('#navigation-principale').waitFor({ state: 'visible', timeout: 5_000 });
      await assertPageClean(page);
    },
    { context: { viewport: { width: 375, height: 800 } } },
  ),
);
