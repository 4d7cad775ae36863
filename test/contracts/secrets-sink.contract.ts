/**
 * Reusable contract for SecretsSink adapters (secrets as files, docs/FILES.md). The
 * harness configures a sink with two outputs, a single file (`file`) and a directory of
 * files (`directory`), reads back what a consumer would see, and can make the file
 * output unwritable so a publish fails part-way through preparing.
 *
 *   secretsSinkContract('files', async () => ({ sink, file, directory, read, list, breakFile, close }));
 */
import type { RenderedOutput } from '../../src/domain/files/render';
import type { SecretsSink } from '../../src/domain/ports/secrets-sink';

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

export function secretsSinkContract(name: string, factory: () => Promise<SecretsSinkHarness>): void {
  describe(`SecretsSink contract: ${name}`, () => {
    let h: SecretsSinkHarness;
    beforeEach(async () => (h = await factory()));
    afterEach(() => h.close());

    const outputs = (rev: string, extra: Record<string, string> = {}): RenderedOutput[] => [
      { path: h.directory, kind: 'directory', files: Object.entries({ A: `a-${rev}`, B: `b-${rev}\r\n-----END-----\n`, ...extra }) },
      { path: h.file, kind: 'file', content: `KEY='${rev}'\n` },
    ];

    it('publishes every output of a revision', async () => {
      const { changed } = await h.sink.publish('r1', outputs('r1'));
      expect(changed.sort()).toEqual([h.directory, h.file].sort());
      expect(await h.read(h.file)).toBe("KEY='r1'\n");
      expect(await h.list(h.directory)).toEqual({ A: 'a-r1', B: 'b-r1\r\n-----END-----\n' });
    });

    it('reports nothing changed when the same revision is published again', async () => {
      await h.sink.publish('r1', outputs('r1'));
      expect((await h.sink.publish('r1', outputs('r1'))).changed).toEqual([]);
    });

    it('changes only what changed, and drops names a revision no longer has', async () => {
      await h.sink.publish('r1', outputs('r1', { OLD: 'gone soon' }));
      const next = outputs('r2');
      next[1] = { path: h.file, kind: 'file', content: "KEY='r1'\n" };
      expect((await h.sink.publish('r2', next)).changed).toEqual([h.directory]);
      expect(await h.list(h.directory)).toEqual({ A: 'a-r2', B: 'b-r2\r\n-----END-----\n' });
    });

    it('a failure while preparing leaves every output at the previous revision', async () => {
      await h.sink.publish('r1', outputs('r1'));
      await h.breakFile();
      await expect(h.sink.publish('r2', outputs('r2'))).rejects.toMatchObject({ code: expect.stringMatching(/^files_/) });
      expect(await h.list(h.directory)).toEqual({ A: 'a-r1', B: 'b-r1\r\n-----END-----\n' });
    });

    it('withdraw removes every output, and is idempotent', async () => {
      await h.sink.publish('r1', outputs('r1'));
      expect((await h.sink.withdraw()).sort()).toEqual([h.directory, h.file].sort());
      expect(await h.read(h.file)).toBeUndefined();
      expect(await h.list(h.directory)).toEqual({});
      expect(await h.sink.withdraw()).toEqual([]);
      // and a later revision can be published again
      await h.sink.publish('r3', outputs('r3'));
      expect(await h.read(h.file)).toBe("KEY='r3'\n");
    });
  });
}
