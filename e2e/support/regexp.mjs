// Regular expressions built from literal text (addresses, URLs, names) in the
// browser tests.

/**
 * `value` with every character that means something in a regular expression escaped.
 * @param {string} value
 * @returns {string}
 */
export function escapeRegExp(value) {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
