import type { TestRunner } from '../../src/testing/runner';

/** Jest's globals as the runner the runner-agnostic contract suites (src/testing) take. */
export const jestRunner: TestRunner = { describe, test, beforeEach, afterEach };
