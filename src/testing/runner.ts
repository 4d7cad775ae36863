/**
 * The test runner a contract suite registers its cases with. Pass your runner's own
 * functions, the way abstract-level's suite takes `test`:
 *
 *   node:test   testHasher(require('node:test'), 'mine', () => new MyHasher())
 *   jest        testHasher({ describe, test, beforeEach, afterEach }, ...)
 *   vitest      import * as vitest from 'vitest'; testHasher(vitest, ...)
 *
 * Suites assert with node:assert, so a failure is an AssertionError under every runner.
 */
import { AgentError, type ErrorCode } from '../domain/errors';

/** A hook or test body: always async, which every runner awaits. */
export type TestBody = () => Promise<void>;

/** @public */
export interface TestRunner {
  describe(name: string, fn: () => void): unknown;
  test(name: string, fn: TestBody): unknown;
  beforeEach(fn: TestBody): unknown;
  afterEach(fn: TestBody): unknown;
}

/** Awaits a rejection that must be an AgentError (of this package's copy) and returns it. */
export async function rejection(p: Promise<unknown>, what = 'the call'): Promise<AgentError & { code: ErrorCode }> {
  const error = await p.then(
    () => {
      throw new Error(`expected ${what} to fail`);
    },
    (e: unknown) => e,
  );
  if (!(error instanceof AgentError)) {
    throw new Error(`expected an AgentError from clef-agent (one copy of the package: make it a peer dependency), got ${String(error)}`);
  }
  return error;
}

/** Calls `fn`, expecting a synchronous AgentError; returns its code, or 'no error'. */
export function syncCodeOf(fn: () => unknown): ErrorCode | 'no error' {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof AgentError)) throw e;
    return e.code;
  }
  return 'no error';
}

/** Everything an error exposes that could end up in a log. */
export function errorText(e: Error): string {
  return `${e.message}\n${e.stack ?? ''}\n${JSON.stringify(e)}\n${String((e as { cause?: unknown }).cause ?? '')}\n${(e as { hint?: string }).hint ?? ''}`;
}
