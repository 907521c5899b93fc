// Reading and navigating the site's pages in the browser tests: the main
// heading, an element's text, the status message, and the navigation a click
// or a key press causes.
import assert from 'node:assert/strict';

const NAV_TIMEOUT = 10_000;

/**
 * The text of the page's main heading (`main h1`), trimmed.
 * @param {import('playwright-core').Page} page
 * @returns {Promise<string>}
 */
export async function h1(page) {
  return (await page.locator('main h1').first().textContent()).trim();
}

/**
 * The text of `locator` with whitespace collapsed.
 * @param {import('playwright-core').Locator} locator
 * @returns {Promise<string>}
 */
export async function text(locator) {
  return (await locator.textContent()).replace(/\s+/g, ' ').trim();
}

/**
 * The status message at the top of a back-office page (`main [role="status"]`).
 * @param {import('playwright-core').Page} page
 * @returns {import('playwright-core').Locator}
 */
export function notice(page) {
  return page.locator('main [role="status"]');
}

/**
 * Runs `action` (a click, a key press) and waits for the navigation it causes (until the
 * load event); fails when there is none within `timeout` ms.
 * @param {import('playwright-core').Page} page
 * @param {() => Promise<unknown>} action
 * @param {string} what names the step in the message
 * @param {{ timeout?: number }} [options]
 * @returns {Promise<import('playwright-core').Response>} the final response
 */
export async function navigation(page, action, what, { timeout = NAV_TIMEOUT } = {}) {
  let response;
  try {
    [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout }), action()]);
  } catch (error) {
    assert.fail(`${what}: no navigation (${error.message.split('\n')[0]}); the page is ${page.url()}`);
  }
  assert.ok(response, `${what}: no response`);
  return response;
}
