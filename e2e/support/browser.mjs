// Browser helpers for the e2e tests: Debian's Chromium driven by playwright-core,
// pages in fresh contexts, accessibility checks with axe-core, the Nu HTML Checker
// on what the server sent, and guards that fail a test on console errors, page
// errors, CSP violations or any request leaving the machine.
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium } from 'playwright-core';
import { htmlErrors } from './html.mjs';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Launches headless Chromium (Debian's build, never a downloaded one). */
export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A fresh context (French locale) and a guarded page in it; close the context when done. */
export async function openPage(browser, contextOptions = {}) {
  const context = await browser.newContext({ locale: 'fr-FR', ...contextOptions });
  const page = await context.newPage();
  await guardPage(page);
  return { context, page };
}

/**
 * Runs `fn({ page, context })` with a guarded page in a fresh context (openPage), closed afterwards.
 * @template T
 * @param {import('playwright-core').Browser} browser
 * @param {(opened: { page: import('playwright-core').Page, context: import('playwright-core').BrowserContext }) => Promise<T>} fn
 * @param {{ context?: import('playwright-core').BrowserContextOptions, timeout?: number }} [options]
 *   `context`: options of the context (e.g. javaScriptEnabled); `timeout`: the page's default
 *   timeout in ms (Playwright's own when not given)
 * @returns {Promise<T>}
 */
export async function withPage(browser, fn, { context: contextOptions = {}, timeout } = {}) {
  const { context, page } = await openPage(browser, contextOptions);
  if (timeout !== undefined) page.setDefaultTimeout(timeout);
  try {
    return await fn({ page, context });
  } finally {
    await context.close();
  }
}

/**
 * Runs `fn(open)` where `open()` gives a fresh guarded page, each in a context of its own (its
 * own cookies); every context is closed afterwards.
 * @template T
 * @param {import('playwright-core').Browser} browser
 * @param {(open: () => Promise<import('playwright-core').Page>) => Promise<T>} fn
 * @param {{ timeout?: number, setup?: (page: import('playwright-core').Page) => void,
 *   check?: (page: import('playwright-core').Page) => void }} [options] `timeout`: each page's default
 *   timeout in ms; `setup(page)`: runs on each page as it is opened (e.g. listeners); `check(page)`: runs
 *   on every page once `fn` has succeeded, before the contexts are closed
 * @returns {Promise<T>}
 */
export async function withContexts(browser, fn, { timeout, setup = null, check = null } = {}) {
  const contexts = [];
  const pages = [];
  const open = async () => {
    const { context, page } = await openPage(browser);
    if (timeout !== undefined) page.setDefaultTimeout(timeout);
    setup?.(page);
    contexts.push(context);
    pages.push(page);
    return page;
  };
  try {
    const result = await fn(open);
    if (check) for (const page of pages) await check(page);
    return result;
  } finally {
    for (const context of contexts) await context.close();
  }
}

const guards = new WeakMap();

/**
 * Installs the listeners and the network guard on a page (once) and returns
 * what they record: { consoleErrors, pageErrors, cspViolations, blockedRequests }.
 */
export async function guardPage(page) {
  if (guards.has(page)) return guards.get(page);
  const record = {
    consoleErrors: [],
    pageErrors: [],
    cspViolations: [],
    blockedRequests: [],
    lastDocument: null,
    formAnswers: new Set(),
  };
  guards.set(page, record);

  // The last HTML document the server sent to the tab (after redirects), for the HTML checker.
  page.on('response', (response) => {
    const request = response.request();
    if (!request.isNavigationRequest() || response.frame() !== page.mainFrame()) return;
    if (response.status() >= 300 && response.status() < 400) return;
    if (!(response.headers()['content-type'] || '').startsWith('text/html')) return;
    record.lastDocument = response;
    // A form with errors answers 422 (409 for a conflict) with the page: Chromium logs "Failed
    // to load resource" for that document, which is the answer meant, not a broken resource.
    if (response.status() === 422 || response.status() === 409) record.formAnswers.add(response.url());
  });

  page.on('console', (message) => {
    const text = message.text();
    if (text.includes('Content Security Policy')) {
      record.cspViolations.push(`console: ${text}`);
    } else if (message.type() === 'error') {
      const { url, lineNumber } = message.location();
      record.consoleErrors.push({ text, url, line: lineNumber });
    }
  });
  page.on('pageerror', (error) => {
    record.pageErrors.push(error.stack || error.message || String(error));
  });

  await page.addInitScript(() => {
    window.__cspViolations = [];
    window.addEventListener(
      'securitypolicyviolation',
      (event) => {
        window.__cspViolations.push({
          directive: event.effectiveDirective || event.violatedDirective,
          blockedURI: event.blockedURI,
          sourceFile: event.sourceFile,
          line: event.lineNumber,
          sample: event.sample,
        });
      },
      true,
    );
  });

  // Nothing may leave the machine: abort every request to another host.
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    const local = !['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol) || LOCAL_HOSTS.has(url.hostname);
    if (local) return route.continue();
    record.blockedRequests.push(url.href);
    return route.abort('blockedbyclient');
  });

  return record;
}

function formatAxeViolations(violations) {
  return violations
    .map((violation) => {
      const targets = violation.nodes.map((node) => `      - ${node.target.join(' ')}`).join('\n');
      return `  - ${violation.id} [${violation.impact}] ${violation.help}\n    ${violation.helpUrl}\n${targets}`;
    })
    .join('\n');
}

/** Runs axe (WCAG 2.1 A and AA) on the page as it is: its results, and its violations as a list of problems. */
async function axeProblems(page) {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const problems = [];
  if (results.violations.length) {
    problems.push(`accessibility violations (axe, ${AXE_TAGS.join(', ')}):\n${formatAxeViolations(results.violations)}`);
  }
  return { results, problems };
}

/**
 * The Nu HTML Checker's errors on `response` (by default the last document the server sent to
 * the page), as a list of problems: empty when valid.
 */
async function validityProblems(page, response = null) {
  const record = await guardPage(page);
  response ??= record.lastDocument;
  if (!response) return [`no HTML document from the server was seen on ${page.url()}: nothing for the HTML checker`];
  let html;
  try {
    html = await response.text();
  } catch (error) {
    return [`the HTML of ${response.url()} could not be read for the HTML checker: ${error.message}`];
  }
  const errors = await htmlErrors(html);
  return errors.length ? [`invalid HTML (Nu HTML Checker) in ${response.url()}:\n${errors.map((e) => `  - ${e}`).join('\n')}`] : [];
}

/** The CSP violations seen by the page's securitypolicyviolation listener. */
export async function pageCspViolations(page) {
  try {
    return await page.evaluate(() => window.__cspViolations || []);
  } catch {
    return [];
  }
}

/**
 * Collects the problems recorded on a guarded page. `ignoreConsole` filters
 * console errors out, e.g. Chromium's "Failed to load resource" for the page
 * itself when a 404 is expected.
 */
export async function pageProblems(page, { ignoreConsole = () => false } = {}) {
  const record = await guardPage(page);
  const problems = [];
  const formAnswer = (error) => error.text.startsWith('Failed to load resource') && record.formAnswers.has(error.url);
  const consoleErrors = record.consoleErrors.filter((error) => !ignoreConsole(error) && !formAnswer(error));
  if (consoleErrors.length) {
    problems.push(
      `console errors:\n${consoleErrors.map((e) => `  - ${e.text}${e.url ? ` (${e.url}:${e.line})` : ''}`).join('\n')}`,
    );
  }
  if (record.pageErrors.length) {
    problems.push(`page errors:\n${record.pageErrors.map((e) => `  - ${e}`).join('\n')}`);
  }
  const csp = [
    ...record.cspViolations,
    ...(await pageCspViolations(page)).map(
      (v) => `${v.directive} blocked ${v.blockedURI || '(inline)'}${v.sourceFile ? ` in ${v.sourceFile}:${v.line}` : ''}${v.sample ? ` «${v.sample}»` : ''}`,
    ),
  ];
  if (csp.length) {
    problems.push(`CSP violations:\n${csp.map((v) => `  - ${v}`).join('\n')}`);
  }
  if (record.blockedRequests.length) {
    problems.push(
      `requests to other hosts (blocked):\n${[...new Set(record.blockedRequests)].map((u) => `  - ${u}`).join('\n')}`,
    );
  }
  return problems;
}

/** Fails when the guarded page recorded any console error, page error, CSP violation or outside request. */
export async function assertPageClean(page, options) {
  const problems = await pageProblems(page, options);
  if (problems.length) assert.fail(`${page.url()}:\n${problems.join('\n')}`);
}

/**
 * Opens `url` in a guarded page, checks the HTTP status, runs axe (WCAG 2.1
 * A and AA) and fails on any accessibility violation, console error, page
 * error, CSP violation or request to another host.
 * @param {import('playwright-core').Page} page
 * @param {string} url
 * @param {{ status?: number } | number} [options] the expected HTTP status (default 200)
 */
export async function checkPage(page, url, options = {}) {
  const { status = 200 } = typeof options === 'number' ? { status: options } : options;
  await guardPage(page);

  const response = await page.goto(url, { waitUntil: 'load' });
  assert.ok(response, `no response for ${url}`);
  assert.equal(response.status(), status, `HTTP status of ${url}`);

  const { results, problems } = await axeProblems(page);
  // With an error status, Chromium logs "Failed to load resource" for the page itself.
  const ignoreConsole = (error) =>
    status >= 400 && error.url === response.url() && error.text.startsWith('Failed to load resource');
  problems.push(...(await pageProblems(page, { ignoreConsole })));
  if ((response.headers()['content-type'] || '').startsWith('text/html')) {
    problems.push(...(await validityProblems(page, response)));
  }

  if (problems.length) assert.fail(`${url}:\n${problems.join('\n')}`);
  return { response, axe: results };
}

/**
 * Runs axe (WCAG 2.1 A and AA) and the console/page-error/CSP/network guards on the page as it
 * is now, without loading it (e.g. after a POST, a redirect, an htmx swap); fails on any
 * problem. The guards' records cover every document the page loaded so far.
 * @param {import('playwright-core').Page} page
 * @param {string} what names the state in the message
 */
export async function auditCurrentPage(page, what) {
  const { problems } = await axeProblems(page);
  problems.push(...(await pageProblems(page)));
  problems.push(...(await validityProblems(page)));
  if (problems.length) assert.fail(`${what} (${page.url()}):\n${problems.join('\n')}`);
}

/**
 * auditCurrentPage for a page of a context without JavaScript. Playwright still evaluates there,
 * but timers never fire, and axe waits on them: they are replaced by promise jobs (for this
 * document only; the page's own scripts never ran) before axe runs on the page as it is.
 * @param {import('playwright-core').Page} page
 * @param {string} what names the state in the message
 */
export async function auditNoScriptPage(page, what) {
  assert.equal(await page.evaluate(() => typeof window.htmx), 'undefined', `${what}: no script should have run`);
  await page.evaluate(() => {
    let last = 0;
    const later = (fn, args) => {
      Promise.resolve().then(() => fn(...args));
      last += 1;
      return last;
    };
    window.setTimeout = (fn, _delay, ...args) => later(fn, args);
    window.clearTimeout = () => {};
    window.requestAnimationFrame = (fn) => later(fn, [performance.now()]);
  });
  await auditCurrentPage(page, what);
}
