/** BitbucketSource against the loopback Bitbucket Cloud API: mainbranch lookup,
 * `?format=meta` change detection, raw download pinned to the meta commit. */
import { BitbucketSource, BitbucketSourceOptions } from '../../../src/adapters/sources/vcs/bitbucket-source';
import type { FetchResult, SourceValidator } from '../../../src/domain/ports/artifact-source';
import { FakeBitbucketApi } from '../../support/fakes/bitbucket-api';
import { codeOf } from '../../contracts/artifact-source.contract';

const TOKEN = 'bb-testtoken0123456789';
const PATH = '.clef/packed/api-gateway/production.age.json';
const REPO = '/2.0/repositories/acme/secrets';
let api: FakeBitbucketApi;
let commit: string;
beforeEach(async () => {
  api = await FakeBitbucketApi.start({ token: TOKEN });
  api.addRepo('acme/secrets', 'trunk');
  commit = api.putFile('acme/secrets', PATH, '{"v":1}');
});
afterEach(() => api.close());

const source = (o: Partial<BitbucketSourceOptions> = {}) => new BitbucketSource({ repo: 'acme/secrets', token: TOKEN, identity: 'api-gateway', environment: 'production', apiUrl: api.apiUrl, ...o });
const poll = (s: BitbucketSource, previous?: SourceValidator) => s.fetch({ previous, signal: new AbortController().signal });
const validatorOf = (r: FetchResult) => (r.kind === 'fetched' ? r.validator : undefined);
const calls = () => api.http.log.map((e) => `${e.path} ${e.status}`);

it('looks up mainbranch, reads ?format=meta, then the raw file at that commit', async () => {
  expect(await poll(source())).toMatchObject({ kind: 'fetched', document: '{"v":1}', contentId: commit });
  expect(calls()).toEqual([`${REPO} 200`, `${REPO}/src/trunk/${PATH}?format=meta 200`, `${REPO}/src/${commit}/${PATH} 200`]);
  expect(api.http.log.every((e) => e.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
  expect(api.http.log[1].headers.accept).toBe('application/json');
});

it('answers unchanged from the metadata alone while the commit is the same', async () => {
  const s = source();
  const first = await poll(s);
  api.http.log.length = 0;
  expect(await poll(s, validatorOf(first))).toEqual({ kind: 'unchanged' });
  expect(calls()).toEqual([`${REPO}/src/trunk/${PATH}?format=meta 200`]);

  const next = api.putFile('acme/secrets', PATH, '{"v":2}');
  expect(await poll(s, validatorOf(first))).toMatchObject({ kind: 'fetched', document: '{"v":2}', contentId: next });
});

it('encodes an explicit ref with a slash as one segment', async () => {
  api.putFile('acme/secrets', PATH, '{}', 'release/2026.1');
  expect(await poll(source({ ref: 'release/2026.1' }))).toMatchObject({ kind: 'fetched', document: '{}' });
  expect(calls()[0]).toBe(`${REPO}/src/release%2F2026.1/${PATH}?format=meta 200`);
});

it.each([
  ['no commit', '{"type": "commit_file", "path": "x"}'],
  ['a non-hex hash', '{"commit": {"hash": "../../etc"}}'],
  ['not an object', '[1, 2]'],
])('rejects metadata with %s', async (_, body) => {
  api.http.fault = { kind: 'status', status: 200, body };
  expect((await codeOf(poll(source({ ref: 'trunk' })))).code).toBe('source_bad_response');
});

it('rejects a repository without mainbranch', async () => {
  api.http.fault = { kind: 'status', status: 200, body: '{"type": "repository"}' };
  expect((await codeOf(poll(source()))).code).toBe('source_bad_response');
});
