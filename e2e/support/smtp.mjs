// A real SMTP server for the browser tests: scripts/smtp_catcher.py (aiosmtpd)
// writes every accepted message to a temporary folder as NNNNNN.eml; this
// helper starts it, parses the messages (RFC 5322 headers with RFC 2047
// encoded words, MIME multipart bodies, quoted-printable or base64 parts) and
// waits for the one a test expects.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describeExit, startProcess } from './process.mjs';

const SCRIPT = fileURLToPath(new URL('../../scripts/smtp_catcher.py', import.meta.url));
const STARTUP_TIMEOUT_MS = 15_000;
const SHUTDOWN_TIMEOUT_MS = 5_000;
const POLL_MS = 100;

/** Decodes quoted-printable text (soft line breaks, =XX bytes) as `charset`. */
export function decodeQuotedPrintable(text, charset = 'utf-8') {
  const unfolded = text.replace(/=\r?\n/g, '');
  const bytes = [];
  for (let i = 0; i < unfolded.length; i += 1) {
    const char = unfolded[i];
    if (char === '=' && /^[0-9A-Fa-f]{2}$/.test(unfolded.slice(i + 1, i + 3))) {
      bytes.push(parseInt(unfolded.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      // The .eml is read as latin1: a char below 256 is one raw byte.
      const code = char.charCodeAt(0);
      if (code < 256) bytes.push(code);
      else bytes.push(...Buffer.from(char, 'utf8'));
    }
  }
  return new TextDecoder(charset).decode(Uint8Array.from(bytes));
}

/** Decodes the RFC 2047 encoded words (=?utf-8?b?…?= and =?utf-8?q?…?=) of a header value. */
export function decodeHeader(value) {
  // Whitespace between two adjacent encoded words is not part of the text.
  const joined = value.replace(/(\?=)\s+(=\?)/g, '$1$2');
  return joined.replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_, charset, encoding, data) => {
    if (encoding.toLowerCase() === 'b') return new TextDecoder(charset).decode(Buffer.from(data, 'base64'));
    return decodeQuotedPrintable(data.replace(/_/g, ' '), charset);
  });
}

/** Splits a MIME entity into its headers (lower-cased names, unfolded, decoded) and its raw body. */
function splitEntity(raw) {
  const match = raw.match(/\r?\n\r?\n/);
  // Header bytes are UTF-8 when not encoded words (the file is read as latin1).
  const head = Buffer.from(match ? raw.slice(0, match.index) : raw, 'latin1').toString('utf8');
  const body = match ? raw.slice(match.index + match[0].length) : '';
  const headers = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = decodeHeader(line.slice(colon + 1).trim());
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { headers, body };
}

/** The value of a Content-Type parameter (`boundary`, `charset`). */
function headerParam(value = '', name) {
  const match = value.match(new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i'));
  return match ? (match[1] ?? match[2]) : null;
}

function decodeBody(body, headers) {
  const encoding = (headers['content-transfer-encoding'] || '7bit').toLowerCase();
  const charset = headerParam(headers['content-type'], 'charset') || 'utf-8';
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body, charset);
  if (encoding === 'base64') return new TextDecoder(charset).decode(Buffer.from(body.replace(/\s+/g, ''), 'base64'));
  return new TextDecoder(charset).decode(Buffer.from(body, 'latin1'));
}

/** The leaf parts of a MIME entity: [{ type, headers, content }]. */
function leafParts(raw) {
  const { headers, body } = splitEntity(raw);
  const contentType = headers['content-type'] || 'text/plain; charset=us-ascii';
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = headerParam(contentType, 'boundary');
    assert.ok(boundary, `multipart entity without a boundary: ${contentType}`);
    const delimiter = `--${boundary}`;
    const chunks = body.split(delimiter);
    // chunks[0] is the preamble; the chunk after the closing delimiter starts with "--".
    return chunks
      .slice(1)
      .filter((chunk) => !chunk.startsWith('--'))
      .flatMap((chunk) => leafParts(chunk.replace(/^[ \t]*\r?\n/, '').replace(/\r?\n$/, '')));
  }
  return [{ type, headers, content: decodeBody(body, headers) }];
}

/**
 * Parses an .eml file (read as latin1 so every byte survives until the parts are decoded).
 * @returns {{ file: string, headers: Record<string, string>, from: string, to: string, subject: string, text: string, html: string, parts: Array<{ type: string, content: string }> }}
 */
export function parseEml(raw, file = '') {
  const { headers } = splitEntity(raw);
  const parts = leafParts(raw);
  const text = parts.filter((p) => p.type === 'text/plain').map((p) => p.content).join('\n');
  const html = parts.filter((p) => p.type === 'text/html').map((p) => p.content).join('\n');
  return {
    file,
    headers,
    from: headers.from || '',
    to: headers.to || '',
    subject: headers.subject || '',
    text,
    html,
    parts: parts.map(({ type, content }) => ({ type, content })),
  };
}

/** The bare addresses of an address header ("Name <a@b>, c@d" → ["a@b", "c@d"]), lower-cased. */
export function addresses(header) {
  return [...header.matchAll(/<([^>]+)>|([^\s,<>"]+@[^\s,<>"]+)/g)].map((m) => (m[1] || m[2]).toLowerCase());
}

/**
 * Starts scripts/smtp_catcher.py on a free port with a fresh temporary folder.
 * The python is $METIERS_SMTP_PYTHON (with aiosmtpd installed), else python3.
 */
export async function startSmtp() {
  const python = process.env.METIERS_SMTP_PYTHON || 'python3';
  const dir = await mkdtemp(path.join(os.tmpdir(), 'metiers-smtp-'));
  const proc = await startProcess({
    name: `the SMTP catcher (${python} ${SCRIPT})`,
    command: python,
    args: [SCRIPT, '--dir', dir],
    ready: /^READY (\d+)$/m,
    readyTimeout: STARTUP_TIMEOUT_MS,
    shutdownTimeout: SHUTDOWN_TIMEOUT_MS,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  });
  const port = Number(proc.ready[1]);

  const parsed = new Map(); // file name → parsed message (files are renamed into place complete)

  /** Every message received so far, oldest first. */
  async function messages() {
    const names = (await readdir(dir)).filter((name) => /^\d+\.eml$/.test(name)).sort();
    for (const name of names) {
      if (!parsed.has(name)) {
        parsed.set(name, parseEml(await readFile(path.join(dir, name), 'latin1'), name));
      }
    }
    return names.map((name) => parsed.get(name));
  }

  /** The messages received so far whose To header holds `to` (and that `match`, if given). */
  async function messagesTo(to, match = () => true) {
    return (await messages()).filter((m) => addresses(m.to).includes(to.toLowerCase()) && match(m));
  }

  /**
   * Waits for a message to `to` whose subject matches `subject` (string: prefix; RegExp)
   * and for which `match(message)` is true.
   */
  async function waitForMessage({ to, subject = null, match = () => true, timeout = 15_000 }) {
    const subjectMatches = (m) =>
      subject === null || (subject instanceof RegExp ? subject.test(m.subject) : m.subject.startsWith(subject));
    const deadline = Date.now() + timeout;
    for (;;) {
      const found = await messagesTo(to, (m) => subjectMatches(m) && match(m));
      if (found.length) return found[found.length - 1];
      if (proc.exitInfo) assert.fail(`the SMTP catcher exited (${describeExit(proc.exitInfo)}); its output:\n${proc.logs()}`);
      if (Date.now() > deadline) {
        const seen = (await messages()).map((m) => `  - ${m.file} to ${m.to}: «${m.subject}»`).join('\n') || '  (none)';
        assert.fail(
          `no message to ${to}${subject ? ` with subject ${subject}` : ''} within ${timeout / 1000} s; messages received:\n${seen}`,
        );
      }
      await sleep(POLL_MS);
    }
  }

  return { port, url: `smtp://127.0.0.1:${port}`, dir, messages, messagesTo, waitForMessage, stop: proc.stop, logs: proc.logs };
}
