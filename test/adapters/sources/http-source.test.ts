/** HttpSource over a loopback ArtifactServer: conditional GETs, status mapping,
 * transport failures, size limits and the insecure-URL policy. */
import { InsecureSourceError } from '../../../src/adapters/sources/url-policy';
import { HttpSource, HttpSourceOptions } from '../../../src/adapters/sources/http-source';
import { sha256Hex } from '../../../src/adapters/sources/digest';
import type { FetchResult, SourceValidator } from '../../../src/domain/ports/artifact-source';
import { ArtifactServer } from '../../support/fakes/artifact-server';
import { codeOf } from '../../contracts/artifact-source.contract';
import { vectorText } from '../../support/vectors';

const GiB = 1024 ** 3;
let server: ArtifactServer;
beforeEach(async () => {
  server = await ArtifactServer.start();
  server.publish(vectorText('a-age-basic'));
});
afterEach(() => server.close());

const source = (o: Partial<HttpSourceOptions> = {}) => new HttpSource({ url: server.url, ...o });
const poll = (s: HttpSource, previous?: SourceValidator) => s.fetch({ previous, signal: new AbortController().signal });
const validatorOf = (r: FetchResult) => (r.kind === 'fetched' ? r.validator : undefined);

describe('construction', () => {
  it('refuses plain http to a non-loopback host unless allowed', () => {
    for (const url of ['http://artifacts.example.com/a.json', 'http://10.0.0.5/a.json', 'http://128.0.0.1/a.json']) {
      expect(() => new HttpSource({ url })).toThrow(InsecureSourceError);
      expect(() => new HttpSource({ url })).toThrow(expect.objectContaining({ code: 'source_insecure' }));
      expect(() => new HttpSource({ url, allowInsecureHttp: true })).not.toThrow();
    }
  });

  it('allows loopback over http and rejects other schemes', () => {
    for (const url of ['http://127.0.0.1:8080/a', 'http://127.9.9.9/a', 'http://localhost/a', 'http://[::1]:9000/a']) expect(() => new HttpSource({ url })).not.toThrow();
    expect(() => new HttpSource({ url: 'file:///etc/passwd' })).toThrow(TypeError);
    expect(() => new HttpSource({ url: 'not a url' })).toThrow(TypeError);
  });

  it('does not echo credentials in the construction error', () => {
    let error: unknown;
    try {
      new HttpSource({ url: 'http://u:s3cret@artifacts.example.com/a?sig=abc' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InsecureSourceError);
    expect(String(error)).toContain('http://***@artifacts.example.com/a?sig=***');
    expect(String(error)).not.toMatch(/s3cret|abc/);
  });
});

describe('conditional requests', () => {
  it('sends If-None-Match and gets 304 on unchanged polls (request log)', async () => {
    const s = source();
    const first = await poll(s);
    expect(first.kind).toBe('fetched');
    const etag = validatorOf(first)!.etag!;
    expect(await poll(s, validatorOf(first))).toEqual({ kind: 'unchanged' });
    expect(await poll(s, validatorOf(first))).toEqual({ kind: 'unchanged' });
    expect(server.log.map((e) => [e.headers['if-none-match'], e.status])).toEqual([
      [undefined, 200],
      [etag, 304],
      [etag, 304],
    ]);
  });

  it('uses a strong ETag as contentId', async () => {
    const r = await poll(source());
    expect(r).toMatchObject({ kind: 'fetched', contentId: expect.stringMatching(/^"[0-9a-f]{32}"$/) });
    expect(r.kind === 'fetched' && r.contentId).toBe(validatorOf(r)!.etag);
  });

  it('falls back to If-Modified-Since and a body digest without an ETag', async () => {
    await server.close();
    server = await ArtifactServer.start({ etag: 'none' });
    server.publish('{"a":1}');
    const s = source();
    const first = await poll(s);
    expect(first).toMatchObject({ kind: 'fetched', contentId: sha256Hex('{"a":1}') });
    expect(await poll(s, validatorOf(first))).toEqual({ kind: 'unchanged' });
    expect(server.log[1].headers['if-modified-since']).toBe(validatorOf(first)!.lastModified);
    expect(server.log[1].status).toBe(304);
  });

  it('does not trust a weak ETag as content identity', async () => {
    await server.close();
    server = await ArtifactServer.start({ etag: 'weak' });
    server.publish('{"a":1}');
    expect(await poll(source())).toMatchObject({ kind: 'fetched', contentId: sha256Hex('{"a":1}'), validator: { etag: expect.stringMatching(/^W\//) } });
  });

  it('treats a 304 to an unconditional request as a bad response', async () => {
    server.http.fault = { kind: 'status', status: 304 };
    expect((await codeOf(poll(source()))).code).toBe('source_bad_response');
  });

  it('sends the user agent and extra headers', async () => {
    await poll(source({ userAgent: 'clef-agent/9.9.9', headers: { 'x-broker-key': 'k' } }));
    expect(server.log[0].headers).toMatchObject({ 'user-agent': 'clef-agent/9.9.9', 'x-broker-key': 'k' });
  });
});

describe('status mapping', () => {
  it.each([
    [401, 'source_auth'],
    [403, 'source_auth'],
    [404, 'source_not_found'],
    [429, 'source_rate_limited'],
    [500, 'source_unavailable'],
    [502, 'source_unavailable'],
    [503, 'source_unavailable'],
    [400, 'source_bad_response'],
    [418, 'source_bad_response'],
  ])('HTTP %i → %s', async (status, code) => {
    server.http.fault = { kind: 'status', status };
    expect((await codeOf(poll(source()))).code).toBe(code);
  });

  it('passes Retry-After (seconds or HTTP date) on as retryAfterMs', async () => {
    server.http.fault = { kind: 'status', status: 429, headers: { 'retry-after': '17' } };
    expect((await codeOf(poll(source()))).error.retryAfterMs).toBe(17_000);
    server.http.fault = { kind: 'status', status: 503, headers: { 'retry-after': new Date(Date.now() + 3_600_000).toUTCString() } };
    const { error } = await codeOf(poll(source()));
    expect(error.retryAfterMs).toBeGreaterThan(3_500_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(3_600_000);
  });
});

describe('transport failures', () => {
  it('maps a connection reset to source_unavailable', async () => {
    server.http.fault = { kind: 'reset' };
    expect((await codeOf(poll(source()))).code).toBe('source_unavailable');
  });

  it('maps a refused connection to source_unavailable', async () => {
    const s = source();
    await server.close();
    expect((await codeOf(poll(s))).code).toBe('source_unavailable');
    server = await ArtifactServer.start(); // for afterEach
  });

  it('times out a body that drips forever', async () => {
    server.mode({ kind: 'drip' });
    expect((await codeOf(poll(source({ timeoutMs: 200 })))).code).toBe('source_timeout');
  });

  it('rejects a non-UTF-8 body', async () => {
    server.publish(Buffer.from([0x7b, 0xff, 0x7d]));
    expect((await codeOf(poll(source()))).code).toBe('source_bad_response');
  });
});

describe('size limits', () => {
  it('refuses a declared 1 GiB body from Content-Length without reading it', async () => {
    server.mode({ kind: 'stream', bytes: GiB, declareLength: true });
    expect((await codeOf(poll(source()))).code).toBe('source_too_large');
    expect(await server.streamedBytes()).toBeLessThan(64 * 1024 ** 2);
  });

  it('aborts an undeclared (chunked) 1 GiB body while streaming, closing the socket early', async () => {
    server.mode({ kind: 'stream', bytes: GiB, declareLength: false });
    expect((await codeOf(poll(source({ maxBytes: 1024 * 1024 })))).code).toBe('source_too_large');
    const written = await server.streamedBytes();
    expect(written).toBeGreaterThan(1024 * 1024); // it did get past the cap…
    expect(written).toBeLessThan(64 * 1024 ** 2); // …and the socket closed long before 1 GiB
  });

  it('aborts an endless body too', async () => {
    server.mode({ kind: 'stream', bytes: Infinity, declareLength: false });
    expect((await codeOf(poll(source({ maxBytes: 256 * 1024 })))).code).toBe('source_too_large');
    expect(await server.streamedBytes()).toBeLessThan(64 * 1024 ** 2);
  });

  it('accepts a body of exactly maxBytes', async () => {
    server.publish('x'.repeat(1000));
    expect(await poll(source({ maxBytes: 1000 }))).toMatchObject({ kind: 'fetched', document: 'x'.repeat(1000) });
  });
});
