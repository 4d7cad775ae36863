/**
 * The behaviour every SecretsSink adapter must share (secrets as files, docs/FILES.md).
 * The harness configures a sink with two outputs, a single file (`file`) and a directory
 * of files (`directory`), reads back what a consumer would see, and can make the file
 * output unwritable so a publish fails part-way through preparing: the directory, which
 * comes first in every set published, is prepared by then and must not become visible.
 *
 *   testSecretsSink(runner, 'my-sink', async () => ({ sink, file, directory, read, list, breakFile, close }));
 */
import assert from 'node:assert/strict';
import type { RenderedOutput } from '../domain/files/render';
import type { SecretsSink } from '../domain/ports/secrets-sink';
import { rejection, type TestRunner } from './runner';

export interface SecretsSinkHarness {
  sink: SecretsSink;
  /** Destination of the single-file output. */
  file: string;
  /** Destination of the directory output. */
  directory: string;
  /** What a reader of `file` sees; undefined when it does not exist. */
  read(file: string): Promise<string | undefined>;
  /** Name → content a reader of `directory` sees (empty when withdrawn). */
  list(directory: string): Promise<Record<string, string>>;
  /** Makes the single-file output impossible to write from now on. */
  breakFile(): Promise<void>;
  close(): Promise<void>;
}

export function testSecretsSink(runner: TestRunner, name: string, factory: () => Promise<SecretsSinkHarness>): void {
  const { describe, test, beforeEach, afterEach } = runner;
  describe(`SecretsSink contract: ${name}`, () => {
    let h: SecretsSinkHarness;
    beforeEach(async () => {
      h = await factory();
    });
    afterEach(() => h.close());

    const outputs = (rev: string, extra: Record<string, string> = {}): RenderedOutput[] => [
      { path: h.directory, kind: 'directory', files: Object.entries({ A: `a-${rev}`, B: `b-${rev}\r\n-----END-----\n`, ...extra }) },
      { path: h.file, kind: 'file', content: `KEY='${rev}'\n` },
    ];
    const sorted = (paths: readonly string[]) => [...paths].sort();
    /** What a reader of the directory sees at revision `rev` (no extra names). */
    const dirAt = (rev: string) => ({ A: `a-${rev}`, B: `b-${rev}\r\n-----END-----\n` });

    test('publishes every output of a revision', async () => {
      const { changed } = await h.sink.publish('r1', outputs('r1'));
      assert.deepEqual(sorted(changed), sorted([h.directory, h.file]));
      assert.equal(await h.read(h.file), "KEY='r1'\n");
      assert.deepEqual(await h.list(h.directory), dirAt('r1'));
    });

    test('reports nothing changed when the same revision is published again', async () => {
      await h.sink.publish('r1', outputs('r1'));
      assert.deepEqual((await h.sink.publish('r1', outputs('r1'))).changed, []);
      assert.equal(await h.read(h.file), "KEY='r1'\n");
      assert.deepEqual(await h.list(h.directory), dirAt('r1'));
    });

    test('changes only what changed, and drops names a revision no longer has', async () => {
      await h.sink.publish('r1', outputs('r1', { OLD: 'gone soon' }));
      const next = outputs('r2');
      next[1] = { path: h.file, kind: 'file', content: "KEY='r1'\n" };
      assert.deepEqual((await h.sink.publish('r2', next)).changed, [h.directory]);
      assert.deepEqual(await h.list(h.directory), dirAt('r2'));
      assert.equal(await h.read(h.file), "KEY='r1'\n");
    });

    test('a failure while preparing leaves every output at the previous revision', async () => {
      await h.sink.publish('r1', outputs('r1'));
      await h.breakFile();
      const error = await rejection(h.sink.publish('r2', outputs('r2')), 'publish to an unwritable output');
      assert.match(error.code, /^files_/);
      assert.deepEqual(await h.list(h.directory), dirAt('r1'));
    });

    test('withdraw removes every output, and is idempotent', async () => {
      await h.sink.publish('r1', outputs('r1'));
      assert.deepEqual(sorted(await h.sink.withdraw()), sorted([h.directory, h.file]));
      assert.equal(await h.read(h.file), undefined);
      assert.deepEqual(await h.list(h.directory), {});
      assert.deepEqual(await h.sink.withdraw(), []);
      // and a later revision can be published again
      const { changed } = await h.sink.publish('r3', outputs('r3'));
      assert.deepEqual(sorted(changed), sorted([h.directory, h.file]));
      assert.equal(await h.read(h.file), "KEY='r3'\n");
      assert.deepEqual(await h.list(h.directory), dirAt('r3'));
    });
  });
}
