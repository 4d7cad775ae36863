/** GitHubSource against the loopback GitHub API: request shape, ETag polling, blob
 * ids, large files and rate-limit handling. */
import { GitHubSource, GitHubSourceOptions } from '../../../src/adapters/sources/vcs/github-source';
import type { SourceValidator } from '../../../src/domain/ports/artifact-source';
import { FakeGitHubApi, gitBlobSha } from '../../support/fakes/github-api';
import { codeOf } from '../../contracts/artifact-source.contract';
import { vectorText } from '../../support/vectors';

const TOKEN = 'ghp_testtoken0123456789';
const PATH = '.clef/packed/api-gateway/production.age.json';
let api: FakeGitHubApi;
beforeEach(async () => {
  api = await FakeGitHubApi.start({ token: TOKEN, basePath: '/api/v3' });
  api.addRepo('acme/secrets', 'trunk');
  api.putFile('acme/secrets', PATH, vectorText('a-age-basic'));
});
afterEach(() => api.close());

const source = (o: Partial<GitHubSourceOptions> = {}) =>
  new GitHubSource({ repo: 'acme/secrets', token: TOKEN, identity: 'api-gateway', environment: 'production', apiUrl: api.apiUrl, userAgent: 'clef-agent/1.2.3', ...o });
const poll = (s: GitHubSource, previous?: SourceValidator) => s.fetch({ previous, signal: new AbortController().signal });

it('requests the raw contents under the GHE base path with the API headers', async () => {
  api.putFile('acme/secrets', PATH, '{}', 'release/2026.1');
  await poll(source({ ref: 'release/2026.1' }));
  expect(api.http.log).toHaveLength(1);
  expect(api.http.log[0]).toMatchObject({
    method: 'GET',
    path: `/api/v3/repos/acme/secrets/contents/${PATH}?ref=release%2F2026.1`,
    status: 200,
    headers: { accept: 'application/vnd.github.raw', authorization: `Bearer ${TOKEN}`, 'x-github-api-version': '2022-11-28', 'user-agent': 'clef-agent/1.2.3' },
  });
});

it('omits ref for the default branch and polls with If-None-Match → 304', async () => {
  const s = source();
  const first = await poll(s);
  const validator = first.kind === 'fetched' ? first.validator : undefined;
  expect(await poll(s, validator)).toEqual({ kind: 'unchanged' });
  expect(api.http.log.map((e) => [e.path, e.headers['if-none-match'], e.status])).toEqual([
    [`/api/v3/repos/acme/secrets/contents/${PATH}`, undefined, 200],
    [`/api/v3/repos/acme/secrets/contents/${PATH}`, validator!.etag, 304],
  ]);
});

it('reports the git blob sha as contentId', async () => {
  const r = await poll(source());
  expect(r).toMatchObject({ kind: 'fetched', contentId: gitBlobSha(Buffer.from(vectorText('a-age-basic'))) });
});

it('fetches files over the 1 MB contents-API limit', async () => {
  const big = `{"pad": "${'é'.repeat(1024 * 1024)}"}`;
  api.putFile('acme/secrets', PATH, big);
  expect(await poll(source())).toMatchObject({ kind: 'fetched', document: big });
});

it('maps the primary rate limit (x-ratelimit-remaining: 0) with the reset delay', async () => {
  api.rateLimitResetEpoch = Math.ceil(Date.now() / 1000) + 60;
  const { code, error } = await codeOf(poll(source()));
  expect(code).toBe('source_rate_limited');
  expect(error.retryAfterMs).toBeGreaterThan(0);
  expect(error.retryAfterMs).toBeLessThanOrEqual(61_000);
});

it.each([403, 429])('maps a secondary rate limit (%i + Retry-After)', async (status) => {
  api.http.fault = { kind: 'status', status, headers: { 'retry-after': '30' } };
  const { code, error } = await codeOf(poll(source()));
  expect([code, error.retryAfterMs]).toEqual(['source_rate_limited', 30_000]);
});

it('keeps a plain 403 as source_auth with a token-scope hint', async () => {
  api.http.fault = { kind: 'status', status: 403, body: '{"message":"Resource not accessible by integration"}' };
  const { code, error } = await codeOf(poll(source()));
  expect(code).toBe('source_auth');
  expect(error.hint).toMatch(/token/);
  expect(error.hint).not.toContain(TOKEN);
});

it('hints at packing/publishing on 404', async () => {
  const { code, error } = await codeOf(poll(source({ environment: 'staging' })));
  expect(code).toBe('source_not_found');
  expect(error.hint).toMatch(/\.clef\/packed\/api-gateway\/staging\.age\.json/);
});

it('does not forward the token when a redirect leaves the API origin', async () => {
  const elsewhere = await FakeGitHubApi.start({ token: TOKEN });
  try {
    api.http.fault = { kind: 'status', status: 302, headers: { location: `${elsewhere.apiUrl}/repos/acme/secrets/contents/${PATH}` } };
    expect((await codeOf(poll(source()))).code).toBe('source_auth');
    expect(elsewhere.http.log[0].headers.authorization).toBeUndefined();
  } finally {
    await elsewhere.close();
  }
});
