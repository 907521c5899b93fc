// Child processes for the browser tests (the server, the SMTP catcher, the OpenID
// provider): started with their output kept, optionally waited for until they
// print a ready line, stopped with SIGTERM (SIGKILL when they linger), and never
// left behind when the test runner exits.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

const LOG_LIMIT = 64 * 1024;

/** "code 1" or "signal SIGKILL", for a message. */
export function describeExit({ code, signal }) {
  return signal ? `signal ${signal}` : `code ${code}`;
}

/**
 * @typedef {object} ChildHandle
 * @property {import('node:child_process').ChildProcess} child
 * @property {RegExpMatchArray | null} ready the match of the ready line (null when no `ready` was asked for)
 * @property {{ code: number | null, signal: string | null } | null} exitInfo how it exited, once it has
 * @property {Error | null} spawnError why it could not be started, if it could not
 * @property {() => string} logs the last 64 KiB of its output (stdout and stderr, interleaved)
 * @property {() => Promise<void>} kill SIGKILL if it still runs, waits until it is gone, then runs `cleanup`
 *   (for a failed start)
 * @property {() => Promise<void>} stop SIGTERM, then waits for the exit; fails when it had exited on its own,
 *   did not exit within `shutdownTimeout` (it is killed then), or, with `cleanExit`, exited otherwise than with
 *   code 0; runs `cleanup` in any case. Calls after the first do nothing.
 */

/**
 * Starts `command` with stdout and stderr piped and kept. With `ready`, waits until a line of
 * its stdout matches (at most `readyTimeout` ms) and fails, the process killed, if it exits,
 * cannot be started or stays silent; without, returns at once (the caller checks readiness,
 * e.g. by polling, and looks at `exitInfo` and `spawnError` meanwhile).
 * @param {{ name: string, command: string, args?: string[], env?: NodeJS.ProcessEnv, ready?: RegExp,
 *   readyTimeout?: number, shutdownTimeout?: number, cleanExit?: boolean, cleanup?: () => Promise<unknown> }} options
 *   `name` names the process in messages; `cleanup` runs once the process is gone, whether stop() or kill()
 *   (a failed start too) ended it, e.g. to remove its temporary folder
 * @returns {Promise<ChildHandle>}
 */
export async function startProcess({
  name,
  command,
  args = [],
  env = process.env,
  ready = null,
  readyTimeout = 15_000,
  shutdownTimeout = 5_000,
  cleanExit = false,
  cleanup = null,
}) {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');

  let output = '';
  const record = (chunk) => {
    output += chunk;
    if (output.length > LOG_LIMIT) output = output.slice(-LOG_LIMIT);
  };
  child.stdout.on('data', record);
  child.stderr.on('data', record);
  const logs = () => output;

  // A process that could not be started emits 'error' and never 'exit': either ends it.
  let exitInfo = null;
  let spawnError = null;
  const ended = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve();
    });
    child.on('error', (error) => {
      if (child.pid === undefined && !spawnError) {
        spawnError = error;
        resolve();
      }
    });
  });
  const running = () => !exitInfo && !spawnError;

  // Never leave a process behind if the test runner dies.
  const killOnExit = () => {
    if (running()) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  let cleanedUp = null;
  const cleanUp = () => (cleanedUp ??= Promise.resolve().then(() => cleanup?.()));

  async function kill() {
    process.removeListener('exit', killOnExit);
    if (running()) child.kill('SIGKILL');
    await ended;
    await cleanUp();
  }

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    try {
      if (spawnError) assert.fail(`${name} could not be started: ${spawnError.message}`);
      if (exitInfo) assert.fail(`${name} exited before stop() (${describeExit(exitInfo)}); its output:\n${output}`);
      child.kill('SIGTERM');
      const exited = await Promise.race([ended.then(() => true), sleep(shutdownTimeout, false)]);
      if (!exited) {
        child.kill('SIGKILL');
        await ended;
        assert.fail(`${name} did not exit within ${shutdownTimeout / 1000} s of SIGTERM; its output:\n${output}`);
      }
      if (cleanExit) {
        assert.ok(
          exitInfo.code === 0 && exitInfo.signal === null,
          `${name} should exit with code 0 on SIGTERM, got ${describeExit(exitInfo)}; its output:\n${output}`,
        );
      }
    } finally {
      await cleanUp();
    }
  }

  let match = null;
  if (ready) {
    try {
      match = await readyLine(child, ready, ended, () => ({ exitInfo, spawnError, output }), { name, readyTimeout });
    } catch (error) {
      await kill();
      throw error;
    }
  }

  return {
    child,
    ready: match,
    get exitInfo() {
      return exitInfo;
    },
    get spawnError() {
      return spawnError;
    },
    logs,
    kill,
    stop,
  };
}

/** Waits for a line of the child's stdout that matches `pattern`; rejects on exit, spawn error or timeout. */
function readyLine(child, pattern, ended, state, { name, readyTimeout }) {
  return new Promise((resolve, reject) => {
    let stdout = '';
    const onData = (chunk) => {
      stdout += chunk;
      const found = stdout.match(pattern);
      if (found) {
        finish();
        resolve(found);
      }
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`${name} printed no line matching ${pattern} within ${readyTimeout / 1000} s; its output:\n${state().output}`));
    }, readyTimeout);
    function finish() {
      clearTimeout(timer);
      child.stdout.removeListener('data', onData);
    }
    child.stdout.on('data', onData);
    ended.then(() => {
      finish();
      const { exitInfo, spawnError, output } = state();
      if (spawnError) reject(new Error(`could not start ${name}: ${spawnError.message}`));
      else reject(new Error(`${name} exited before printing a line matching ${pattern} (${describeExit(exitInfo)}); its output:\n${output}`));
    });
  });
}

/**
 * Stops or closes each of `things` in order, all of them even when one fails, then throws the
 * first failure (an AggregateError when there are several). A thing is anything with stop()
 * (the child processes here) or close() (Playwright's browser, a context), or undefined when it
 * was never started.
 * @param {...({ stop: () => Promise<unknown> } | { close: () => Promise<unknown> } | undefined | null)} things
 */
export async function stopAll(...things) {
  const errors = [];
  for (const thing of things) {
    if (!thing) continue;
    try {
      await (typeof thing.stop === 'function' ? thing.stop() : thing.close());
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, errors.map((error) => error.message).join('\n\n'));
}
