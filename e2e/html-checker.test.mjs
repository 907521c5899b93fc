// The HTML checker itself: it must see the errors the project once had (htmx attributes,
// aria-labelledby on a plain div, role="status" on a heading), and pass a valid page, so that
// "0 errors" on the other pages means something.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { htmlErrors } from './support/html.mjs';

test('the Nu HTML Checker reports invalid markup and passes valid markup', { timeout: 120_000 }, async () => {
  const invalid = await htmlErrors(
    '<!doctype html><html lang="fr"><head><title>x</title></head><body>'
      + '<div aria-labelledby="t">menu</div><h2 role="status" id="t">3 offres</h2>'
      + '<button hx-post="/x" type="button">b</button></body></html>',
  );
  assert.equal(invalid.length, 3, invalid.join('\n'));
  assert.ok(invalid.some((e) => e.includes('aria-labelledby')), invalid.join('\n'));
  assert.ok(invalid.some((e) => e.includes('“status”')), invalid.join('\n'));
  assert.ok(invalid.some((e) => e.includes('hx-post')), invalid.join('\n'));
  const valid = await htmlErrors(
    '<!doctype html><html lang="fr"><head><title>x</title></head><body>'
      + '<div role="status"><h2>3 offres</h2></div><button data-hx-post="/x" type="button">b</button></body></html>',
  );
  assert.deepEqual(valid, []);
});
