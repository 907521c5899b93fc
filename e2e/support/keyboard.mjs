// Keyboard-only navigation for the browser tests: where the focus is, Tab (or
// another key) until it reaches an element (and typing into it), one key press that
// must land on an element, a <select> driven with the arrow keys, and the visible focus ring.
import assert from 'node:assert/strict';

/**
 * Where the focus is, in a form that reads well in an assertion message.
 * @param {import('playwright-core').Page} page
 * @returns {Promise<{ tag: string | null, id?: string | null, name?: string | null, type?: string | null,
 *   text?: string, href?: string | null, connected?: boolean }>} `text`: the first 60 characters, whitespace
 *   collapsed; `connected`: still in the document (not swapped out)
 */
export function describeFocus(page) {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element) return { tag: null };
    return {
      tag: element.tagName.toLowerCase(),
      id: element.id || null,
      name: element.getAttribute('name'),
      type: element.getAttribute('type'),
      text: (element.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 60),
      href: element.getAttribute('href'),
      connected: element.isConnected,
    };
  });
}

/**
 * Whether the focused element matches `selector`.
 * @param {import('playwright-core').Page} page
 * @param {string} selector
 * @returns {Promise<boolean>}
 */
export function focusMatches(page, selector) {
  return page.evaluate((sel) => Boolean(document.activeElement?.matches(sel)), selector);
}

/**
 * Asserts the focus is on `selector`.
 * @param {import('playwright-core').Page} page
 * @param {string} selector
 * @param {string} what names the step in the message
 */
export async function assertFocusOn(page, selector, what) {
  assert.ok(
    await focusMatches(page, selector),
    `${what}: the focus should be on ${selector}; it is on ${JSON.stringify(await describeFocus(page))}`,
  );
}

/**
 * Presses Tab (or Shift+Tab) until the focused element matches `selector` (and `filter`,
 * a function evaluated in the page on it), at most `max` times; fails otherwise.
 * @param {import('playwright-core').Page} page
 * @param {string} selector
 * @param {{ max?: number, reverse?: boolean, filter?: ((element: Element) => boolean) | null }} [options]
 * @returns {Promise<Awaited<ReturnType<typeof describeFocus>> & { presses: number }>} the focus reached,
 *   and the number of presses it took
 */
export async function tabTo(page, selector, { max = 80, reverse = false, filter = null } = {}) {
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

/**
 * Focuses `selector` with Tab (Shift+Tab when `reverse`) and types `value` over its content
 * (select all, then type); asserts the field then holds `value`.
 * @param {import('playwright-core').Page} page
 * @param {string} selector
 * @param {string} value
 * @param {{ max?: number, reverse?: boolean }} [options] as for tabTo
 */
export async function tabAndType(page, selector, value, options = {}) {
  await tabTo(page, selector, options);
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(value);
  assert.equal(await page.locator(selector).inputValue(), value, `${selector} should hold what was typed`);
}

/**
 * Presses `key` once and asserts the focus lands on `selector`.
 * @param {import('playwright-core').Page} page
 * @param {string} selector
 * @param {string} what names the step in the message
 * @param {string} [key] Tab by default (Shift+Tab to go back)
 */
export async function tabExpect(page, selector, what, key = 'Tab') {
  await page.keyboard.press(key);
  assert.ok(
    await focusMatches(page, selector),
    `${what}: ${key} should move the focus to ${selector}; it is on ${JSON.stringify(await describeFocus(page))}`,
  );
}

/**
 * Presses `key` (ArrowDown, ArrowUp…) on the focused <select> `selector` until its value is
 * `value`, at most `max` times; the focus must stay on the select.
 * @param {import('playwright-core').Page} page
 * @param {string} selector
 * @param {string} value
 * @param {{ key?: string, max?: number }} [options]
 */
export async function arrowSelect(page, selector, value, { key = 'ArrowDown', max = 6 } = {}) {
  const select = page.locator(selector);
  for (let i = 0; i < max && (await select.inputValue()) !== value; i += 1) {
    await page.keyboard.press(key);
    assert.ok(
      await focusMatches(page, selector),
      `${key} should keep the focus on ${selector}; it is on ${JSON.stringify(await describeFocus(page))}`,
    );
  }
  assert.equal(await select.inputValue(), value, `${key} on ${selector} should reach the option «${value}»`);
}

/**
 * Asserts the focused element shows a visible focus indicator: it matches :focus-visible and
 * has an outline (the DSFR focus ring), a size, and is in view.
 * @param {import('playwright-core').Page} page
 * @param {string} what names the step in the message
 */
export async function assertFocusVisible(page, what) {
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
      boxShadow: style.boxShadow,
      size: [rect.width, rect.height],
      inViewport: rect.bottom > 0 && rect.top < window.innerHeight,
    };
  });
  assert.notEqual(state.element, 'body', `${what}: nothing has the focus`);
  assert.ok(state.focusVisible, `${what}: ${state.element} should match :focus-visible after keyboard navigation`);
  // The inputs' box-shadow is their bottom border, drawn with or without the focus: only the outline counts.
  const ring = state.outlineStyle !== 'none' && state.outlineWidth >= 1;
  assert.ok(ring, `${what}: ${state.element} has no visible focus ring (outline ${state.outline}, box-shadow ${state.boxShadow})`);
  assert.ok(state.size[0] > 0 && state.size[1] > 0, `${what}: the focused ${state.element} has no size`);
  assert.ok(state.inViewport, `${what}: the focused ${state.element} is scrolled out of view`);
}
