/**
 * The behaviour every ArtifactSource adapter must share, so the domain can treat file,
 * HTTP, GitHub, GitLab, Bitbucket, memory and third-party sources alike. A harness
 * drives a real backing store (temp file, loopback fake of the provider's API); the
 * failure modes a source can actually exhibit are declared up front, and the matching
 * harness method must then exist.
 */
import assert from 'node:assert/strict';
import type { ArtifactSource, FetchResult, SourceValidator } from '../domain/ports/artifact-source';
import type { AgentError } from '../domain/errors';
import type { ErrorCode } from '../domain/errors';
import { referenceDocument } from './fixtures';
import { rejection, type TestRunner } from './runner';

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

/** Failure modes a source declares it can exhibit (its capability flags). */
export type FailureMode = 'unauthorized' | 'hang' | 'oversize' | 'malformed';

export const ALL_FAILURE_MODES: readonly FailureMode[] = ['unauthorized', 'hang', 'oversize', 'malformed'];

/** Non-ASCII, astral-plane, CRLF, BOM and combining characters: any re-encoding shows. */
export const UNICODE_DOCUMENT = '\uFEFF{"note": "héllo — ✓ 𝄞 日本語 e\u0301",\r\n "emoji": "🔐"}\n';

/** Valid UTF-8 filler larger than `maxBytes`. */
export function oversizeDocument(maxBytes: number): string {
  return `{"pad": "${'x'.repeat(maxBytes + 1)}"}`;
}

/** Invalid UTF-8 (a lone continuation byte and a truncated sequence). */
export const INVALID_UTF8: Uint8Array = Uint8Array.from([0x7b, 0x22, 0x80, 0x22, 0x3a, 0xe2, 0x82, 0x7d]);

/** Above the largest reference vector (~90 KB), well below the adapters' 5 MiB default. */
const DEFAULTS: HarnessConfig = { timeoutMs: 20_000, maxBytes: 256 * 1024 };

/** Awaits a rejection that must be an AgentError; tests then assert its code. */
export async function codeOf(p: Promise<unknown>): Promise<{ code: ErrorCode; error: AgentError }> {
  const error = await rejection(p, 'the fetch');
  return { code: error.code, error };
}

function fetched(r: FetchResult): Extract<FetchResult, { kind: 'fetched' }> {
  assert.equal(r.kind, 'fetched', `expected kind fetched, got ${r.kind}`);
  return r as Extract<FetchResult, { kind: 'fetched' }>;
}

export function testArtifactSource(runner: TestRunner, name: string, factory: HarnessFactory, modes: readonly FailureMode[] = ALL_FAILURE_MODES): void {
  const { describe, test, afterEach } = runner;
  describe(`ArtifactSource contract: ${name}`, () => {
    let h: SourceHarness | undefined;
    const open = async (config: Partial<HarnessConfig> = {}): Promise<SourceHarness> => (h = await factory({ ...DEFAULTS, ...config }));
    const fetch = (previous?: SourceValidator, signal = new AbortController().signal) => h!.source.fetch({ previous, signal });
    afterEach(async () => {
      await h?.close();
      h = undefined;
    });

    test('returns a real artifact byte-exact, with a content id', async () => {
      await open();
      const text = referenceDocument('b-ed25519-signed');
      await h!.publish(text);
      const r = fetched(await fetch());
      assert.equal(r.document, text);
      assert.equal(typeof r.contentId, 'string');
    });

    test('returns a unicode document byte-exact', async () => {
      await open();
      await h!.publish(UNICODE_DOCUMENT);
      assert.equal(fetched(await fetch()).document, UNICODE_DOCUMENT);
    });

    test('answers unchanged for the last validator and fetched once the content changes', async () => {
      await open();
      await h!.publish(referenceDocument('a-age-basic'));
      const first = fetched(await fetch());
      assert.equal(h!.source.capabilities.conditional, true);
      assert.deepEqual(await fetch(first.validator), { kind: 'unchanged' });

      await h!.publish(referenceDocument('b-ed25519-signed'));
      const second = fetched(await fetch(first.validator));
      assert.equal(second.document, referenceDocument('b-ed25519-signed'));
      assert.notEqual(second.contentId, first.contentId);
      assert.deepEqual(await fetch(second.validator), { kind: 'unchanged' });
    });

    test('fetches the full document again without a validator (after a wipe)', async () => {
      await open();
      await h!.publish(UNICODE_DOCUMENT);
      const first = fetched(await fetch());
      assert.deepEqual(await fetch(first.validator), { kind: 'unchanged' });
      assert.equal(fetched(await fetch()).document, UNICODE_DOCUMENT);
    });

    test('maps a missing artifact to source_not_found', async () => {
      await open();
      await h!.makeMissing();
      assert.equal((await codeOf(fetch())).code, 'source_not_found');
    });

    test('maps a removed artifact to source_not_found even with a previous validator', async () => {
      await open();
      await h!.publish(UNICODE_DOCUMENT);
      const first = fetched(await fetch());
      await h!.makeMissing();
      assert.equal((await codeOf(fetch(first.validator))).code, 'source_not_found');
    });

    test('rejects an already-aborted signal with its reason, without fetching', async () => {
      await open();
      await h!.publish(UNICODE_DOCUMENT);
      const ac = new AbortController();
      const reason = new Error('stopping');
      ac.abort(reason);
      await assert.rejects(fetch(undefined, ac.signal), (e) => e === reason);
    });

    test('never exposes its credentials in description, cacheKey or errors', async () => {
      await open();
      const { source } = h!;
      assert.equal(typeof source.description, 'string');
      assert.ok(source.cacheKey.startsWith(`${source.type}:`), `cacheKey ${source.cacheKey} must start with "${source.type}:"`);
      await h!.makeMissing();
      const { error } = await codeOf(fetch());
      for (const secret of h!.secrets ?? []) {
        for (const text of [source.description, source.cacheKey, error.message, error.hint ?? '']) assert.ok(!text.includes(secret), 'a credential leaked');
      }
    });

    if (modes.includes('unauthorized')) {
      test('maps rejected credentials to source_auth', async () => {
        await open();
        await h!.publish(UNICODE_DOCUMENT);
        await h!.makeUnauthorized!();
        const { code, error } = await codeOf(fetch());
        assert.equal(code, 'source_auth');
        for (const secret of h!.secrets ?? []) assert.ok(!`${error.message} ${error.hint ?? ''}`.includes(secret), 'a credential leaked');
      });
    }

    if (modes.includes('hang')) {
      test('maps a hung source to source_timeout', async () => {
        await open({ timeoutMs: 250 });
        await h!.publish(UNICODE_DOCUMENT);
        await h!.makeHang!();
        assert.equal((await codeOf(fetch())).code, 'source_timeout');
      });

      test('rejects promptly with the abort reason when aborted mid-fetch', async () => {
        // A timeout far beyond any test's limit: only the abort can end this fetch.
        await open({ timeoutMs: 10 * 60_000 });
        await h!.publish(UNICODE_DOCUMENT);
        await h!.makeHang!();
        const ac = new AbortController();
        const pending = fetch(undefined, ac.signal);
        await h!.whenHung?.();
        const reason = new Error('stopping');
        ac.abort(reason);
        await assert.rejects(pending, (e) => e === reason);
      });
    }

    if (modes.includes('oversize')) {
      test('maps content over maxBytes to source_too_large', async () => {
        await open();
        await h!.makeOversize!();
        assert.equal((await codeOf(fetch())).code, 'source_too_large');
      });
    }

    if (modes.includes('malformed')) {
      test('maps a malformed response to source_bad_response', async () => {
        await open();
        await h!.makeMalformed!();
        assert.equal((await codeOf(fetch())).code, 'source_bad_response');
      });
    }
  });
}
