/** GitLabSource against the loopback GitLab API: encoding, default-branch lookup and
 * caching, HEAD-based change detection. */
import { GitLabSource, GitLabSourceOptions } from '../../../src/adapters/sources/vcs/gitlab-source';
import type { FetchResult, SourceValidator } from '../../../src/domain/ports/artifact-source';
import { FakeGitLabApi } from '../../support/fakes/gitlab-api';
import { gitBlobSha } from '../../support/fakes/github-api';
import { codeOf } from '../../contracts/artifact-source.contract';

const TOKEN = 'glpat-testtoken0123456789';
const PROJECT = 'platform/infra/secrets';
const PATH = '.clef/packed/api-gateway/production.age.json';
const FILES = `/gitlab/api/v4/projects/platform%2Finfra%2Fsecrets/repository/files/.clef%2Fpacked%2Fapi-gateway%2Fproduction.age.json`;
let api: FakeGitLabApi;
beforeEach(async () => {
  api = await FakeGitLabApi.start({ token: TOKEN, basePath: '/gitlab' });
  api.addProject(PROJECT, 'trunk');
  api.putFile(PROJECT, PATH, '{"v":1}');
});
afterEach(() => api.close());

const source = (o: Partial<GitLabSourceOptions> = {}) => new GitLabSource({ repo: PROJECT, token: TOKEN, identity: 'api-gateway', environment: 'production', apiUrl: api.apiUrl, ...o });
const poll = (s: GitLabSource, previous?: SourceValidator) => s.fetch({ previous, signal: new AbortController().signal });
const validatorOf = (r: FetchResult) => (r.kind === 'fetched' ? r.validator : undefined);
const calls = () => api.http.log.map((e) => `${e.method} ${e.path} ${e.status}`);

it('resolves the default branch once, then downloads raw with PRIVATE-TOKEN', async () => {
  const r = await poll(source());
  expect(r).toMatchObject({ kind: 'fetched', document: '{"v":1}', contentId: gitBlobSha(Buffer.from('{"v":1}')) });
  expect(calls()).toEqual(['GET /gitlab/api/v4/projects/platform%2Finfra%2Fsecrets 200', `GET ${FILES}/raw?ref=trunk 200`]);
  expect(api.http.log.every((e) => e.headers['private-token'] === TOKEN && e.headers.authorization === undefined)).toBe(true);
});

it('answers unchanged from a HEAD (no download) and reuses the cached default branch', async () => {
  const s = source();
  const first = await poll(s);
  api.http.log.length = 0;
  expect(await poll(s, validatorOf(first))).toEqual({ kind: 'unchanged' });
  expect(calls()).toEqual([`HEAD ${FILES}?ref=trunk 200`]);

  api.putFile(PROJECT, PATH, '{"v":2}');
  api.http.log.length = 0;
  expect(await poll(s, validatorOf(first))).toMatchObject({ kind: 'fetched', document: '{"v":2}' });
  expect(calls()).toEqual([`HEAD ${FILES}?ref=trunk 200`, `GET ${FILES}/raw?ref=trunk 200`]);
});

it('uses an explicit ref without looking up the project (ref encoded)', async () => {
  api.putFile(PROJECT, PATH, '{}', 'release/2026.1');
  await poll(source({ ref: 'release/2026.1' }));
  expect(calls()).toEqual([`GET ${FILES}/raw?ref=release%2F2026.1 200`]);
});

it('re-resolves the default branch after a 404 (branch renamed)', async () => {
  const s = source();
  await poll(s);
  api.deleteFile(PROJECT, PATH);
  api.setDefaultBranch(PROJECT, 'main');
  api.putFile(PROJECT, PATH, '{"moved":true}', 'main');
  expect((await codeOf(poll(s))).code).toBe('source_not_found');
  expect(await poll(s)).toMatchObject({ kind: 'fetched', document: '{"moved":true}' });
  expect(calls().slice(-2)).toEqual(['GET /gitlab/api/v4/projects/platform%2Finfra%2Fsecrets 200', `GET ${FILES}/raw?ref=main 200`]);
});

it('rejects project metadata without a default branch', async () => {
  api.http.fault = { kind: 'status', status: 200, body: '{"id": 1, "default_branch": null}' };
  expect((await codeOf(poll(source()))).code).toBe('source_bad_response');
});

it('maps 429 with Retry-After', async () => {
  api.http.fault = { kind: 'status', status: 429, headers: { 'retry-after': '12' } };
  const { code, error } = await codeOf(poll(source({ ref: 'trunk' })));
  expect([code, error.retryAfterMs]).toEqual(['source_rate_limited', 12_000]);
});
