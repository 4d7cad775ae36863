/**
 * The behaviour every ArtifactSource adapter must share, so the domain can treat file,
 * HTTP, GitHub, GitLab, Bitbucket and memory sources alike. Each runner supplies a
 * harness driving a real backing store (temp file, loopback server); optional harness
 * members mark failure modes a source can actually exhibit.
 */
import type { ArtifactSource, FetchResult, SourceValidator } from '../../src/domain/ports/artifact-source';
import { AgentError, ErrorCode } from '../../src/domain/errors';
import { vectorText } from '../support/vectors';

export interface HarnessConfig {
  /** Total per-fetch timeout the source is built with. */
  timeoutMs: number;
  /** Size cap the source is built with. */
  maxBytes: number;
}

export interface SourceHarness {
  source: ArtifactSource;
  /** Makes `document` the current content at the source. */
  publish(document: string): Promise<void>;
  makeMissing(): Promise<void>;
  /** Makes the source's credentials stale (or the file unreadable). */
  makeUnauthorized?(): Promise<void>;
  /** Requests are accepted but never answered. */
  makeHang?(): Promise<void>;
  /** Resolves once a hung request is being held (so an abort lands mid-flight). */
  whenHung?(): Promise<void>;
  /** Publishes content larger than `maxBytes`. */
  makeOversize?(): Promise<void>;
  /** Makes the source answer with something that is not a usable document/metadata. */
  makeMalformed?(): Promise<void>;
  /** Credentials the source was built with; they must never leak. */
  secrets?: string[];
  close(): Promise<void>;
}

export type HarnessFactory = (config: HarnessConfig) => Promise<SourceHarness>;

/** Failure modes a runner declares its source can exhibit; the matching harness method
 * must then exist. Declared up front because jest registers tests synchronously. */
export type FailureMode = 'unauthorized' | 'hang' | 'oversize' | 'malformed';

/** Non-ASCII, astral-plane, CRLF, BOM and combining characters: any re-encoding shows. */
export const UNICODE_DOCUMENT = '\uFEFF{"note": "héllo — ✓ 𝄞 日本語 e\u0301",\r\n "emoji": "🔐"}\n';

/** Above the largest vector (~90 KB), well below the adapters' 5 MiB default. */
const DEFAULTS: HarnessConfig = { timeoutMs: 20_000, maxBytes: 256 * 1024 };

/** Awaits a rejection that must be an AgentError; tests then assert its code. */
export async function codeOf(p: Promise<unknown>): Promise<{ code: ErrorCode; error: AgentError }> {
  const error = await p.then(
    () => {
      throw new Error('expected the fetch to fail');
    },
    (e: unknown) => e,
  );
  if (!(error instanceof AgentError)) throw new Error(`expected an AgentError, got ${String(error)}`);
  return { code: error.code, error };
}

function fetched(r: FetchResult): Extract<FetchResult, { kind: 'fetched' }> {
  if (r.kind !== 'fetched') throw new Error(`expected kind fetched, got ${r.kind}`);
  return r;
}

export function artifactSourceContract(name: string, factory: HarnessFactory, modes: FailureMode[] = ['unauthorized', 'hang', 'oversize', 'malformed']): void {
  const applies = (mode: FailureMode): boolean => modes.includes(mode);
  describe(`ArtifactSource contract: ${name}`, () => {
    let h: SourceHarness | undefined;
    const open = async (config: Partial<HarnessConfig> = {}): Promise<SourceHarness> => (h = await factory({ ...DEFAULTS, ...config }));
    const fetch = (previous?: SourceValidator, signal = new AbortController().signal) => h!.source.fetch({ previous, signal });
    afterEach(async () => {
      await h?.close();
      h = undefined;
    });

    it('returns a real artifact byte-exact, with a content id', async () => {
      await open();
      const text = vectorText('b-ed25519-signed');
      await h!.publish(text);
      const r = fetched(await fetch());
      expect(r.document).toBe(text);
      expect(r.contentId).toEqual(expect.any(String));
    });

    it('returns a unicode document byte-exact', async () => {
      await open();
      await h!.publish(UNICODE_DOCUMENT);
      expect(fetched(await fetch()).document).toBe(UNICODE_DOCUMENT);
    });

    it('answers unchanged for the last validator and fetched once the content changes', async () => {
      await open();
      await h!.publish(vectorText('a-age-basic'));
      const first = fetched(await fetch());
      expect(h!.source.capabilities.conditional).toBe(true);
      expect(await fetch(first.validator)).toEqual({ kind: 'unchanged' });

      await h!.publish(vectorText('b-ed25519-signed'));
      const second = fetched(await fetch(first.validator));
      expect(second.document).toBe(vectorText('b-ed25519-signed'));
      expect(second.contentId).not.toBe(first.contentId);
      expect(await fetch(second.validator)).toEqual({ kind: 'unchanged' });
    });

    it('fetches the full document again without a validator (after a wipe)', async () => {
      await open();
      await h!.publish(UNICODE_DOCUMENT);
      const first = fetched(await fetch());
      expect(await fetch(first.validator)).toEqual({ kind: 'unchanged' });
      expect(fetched(await fetch()).document).toBe(UNICODE_DOCUMENT);
    });

    it('maps a missing artifact to source_not_found', async () => {
      await open();
      await h!.makeMissing();
      expect((await codeOf(fetch())).code).toBe('source_not_found');
    });

    it('maps a removed artifact to source_not_found even with a previous validator', async () => {
      await open();
      await h!.publish(UNICODE_DOCUMENT);
      const first = fetched(await fetch());
      await h!.makeMissing();
      expect((await codeOf(fetch(first.validator))).code).toBe('source_not_found');
    });

    it('rejects an already-aborted signal with its reason, without fetching', async () => {
      await open();
      await h!.publish(UNICODE_DOCUMENT);
      const ac = new AbortController();
      const reason = new Error('stopping');
      ac.abort(reason);
      await expect(fetch(undefined, ac.signal)).rejects.toBe(reason);
    });

    it('never exposes its credentials in description, cacheKey or errors', async () => {
      await open();
      const { source } = h!;
      expect(source.description).toEqual(expect.any(String));
      expect(source.cacheKey).toMatch(new RegExp(`^${source.type}:`));
      await h!.makeMissing();
      const { error } = await codeOf(fetch());
      for (const secret of h!.secrets ?? []) {
        for (const text of [source.description, source.cacheKey, error.message, error.hint ?? '']) expect(text).not.toContain(secret);
      }
    });

    if (applies('unauthorized')) {
      it('maps rejected credentials to source_auth', async () => {
        await open();
        await h!.publish(UNICODE_DOCUMENT);
        await h!.makeUnauthorized!();
        const { code, error } = await codeOf(fetch());
        expect(code).toBe('source_auth');
        for (const secret of h!.secrets ?? []) expect(`${error.message} ${error.hint ?? ''}`).not.toContain(secret);
      });
    }

    if (applies('hang')) {
      it('maps a hung source to source_timeout', async () => {
        await open({ timeoutMs: 250 });
        await h!.publish(UNICODE_DOCUMENT);
        await h!.makeHang!();
        expect((await codeOf(fetch())).code).toBe('source_timeout');
      });

      it('rejects promptly with the abort reason when aborted mid-fetch', async () => {
        // A timeout far beyond the test's own limit: only the abort can end this fetch.
        await open({ timeoutMs: 10 * 60_000 });
        await h!.publish(UNICODE_DOCUMENT);
        await h!.makeHang!();
        const ac = new AbortController();
        const pending = fetch(undefined, ac.signal);
        await h!.whenHung?.();
        const reason = new Error('stopping');
        ac.abort(reason);
        await expect(pending).rejects.toBe(reason);
      });
    }

    if (applies('oversize')) {
      it('maps content over maxBytes to source_too_large', async () => {
        await open();
        await h!.makeOversize!();
        expect((await codeOf(fetch())).code).toBe('source_too_large');
      });
    }

    if (applies('malformed')) {
      it('maps a malformed response to source_bad_response', async () => {
        await open();
        await h!.makeMalformed!();
        expect((await codeOf(fetch())).code).toBe('source_bad_response');
      });
    }
  });
}

/** Valid UTF-8 filler larger than `maxBytes`. */
export function oversizeDocument(maxBytes: number): string {
  return `{"pad": "${'x'.repeat(maxBytes + 1)}"}`;
}

/** Invalid UTF-8 (a lone continuation byte and a truncated sequence). */
export const INVALID_UTF8 = Buffer.from([0x7b, 0x22, 0x80, 0x22, 0x3a, 0xe2, 0x82, 0x7d]);
