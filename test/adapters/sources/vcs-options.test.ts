/** Construction-time validation, descriptions and cache keys shared by the VCS sources. */
import { BitbucketSource } from '../../../src/adapters/sources/vcs/bitbucket-source';
import { GitHubSource } from '../../../src/adapters/sources/vcs/github-source';
import { GitLabSource } from '../../../src/adapters/sources/vcs/gitlab-source';
import type { VcsSourceOptions } from '../../../src/adapters/sources/vcs/vcs-http';
import { InsecureSourceError } from '../../../src/adapters/sources/url-policy';

const TOKEN = 'glpat-SECRETSECRET123';
const base: VcsSourceOptions = { repo: 'acme/secrets', token: TOKEN, identity: 'api-gateway', environment: 'production' };
const kinds = [
  ['github', (o: VcsSourceOptions) => new GitHubSource(o)],
  ['gitlab', (o: VcsSourceOptions) => new GitLabSource(o)],
  ['bitbucket', (o: VcsSourceOptions) => new BitbucketSource(o)],
] as const;

describe.each(kinds)('%s options', (name, make) => {
  it.each([
    ['identity with a slash', { identity: 'a/b' }],
    ['dot-dot identity', { identity: '..' }],
    ['empty environment', { environment: '' }],
    ['repo without owner', { repo: 'secrets' }],
    ['repo with a dot-dot segment', { repo: 'acme/..' }],
    ['empty token', { token: '' }],
    ['token with a newline', { token: 'abc\r\nX-Injected: 1' }],
    ['empty ref', { ref: '' }],
    ['apiUrl with credentials', { apiUrl: 'https://user:pw@git.example.com' }],
    ['apiUrl with a query', { apiUrl: 'https://git.example.com/api?x=1' }],
  ])('rejects %s', (_, override) => {
    expect(() => make({ ...base, ...override })).toThrow(TypeError);
  });

  it('refuses a plain-http API off loopback unless allowed', () => {
    expect(() => make({ ...base, apiUrl: 'http://git.example.com' })).toThrow(InsecureSourceError);
    expect(() => make({ ...base, apiUrl: 'http://git.example.com', allowInsecureHttp: true })).not.toThrow();
  });

  it('describes provider, repo, ref and path without the token', () => {
    expect(make({ ...base, ref: 'release/1' }).description).toBe(`${name}:acme/secrets@release/1 .clef/packed/api-gateway/production.age.json`);
    expect(make(base).description).toBe(`${name}:acme/secrets@(default branch) .clef/packed/api-gateway/production.age.json`);
    expect(make({ ...base, apiUrl: 'https://git.example.com/prefix/' }).description).toMatch(/ via https:\/\/git\.example\.com\/prefix$/);
  });

  it('derives a credential-free cache key from api base, repo, ref and path', () => {
    const key = make(base).cacheKey;
    expect(key).toMatch(new RegExp(`^${name}:[0-9a-f]{64}$`));
    expect(make({ ...base, token: 'other-token' }).cacheKey).toBe(key);
    for (const change of [{ ref: 'dev' }, { repo: 'acme/other' }, { environment: 'staging' }, { identity: 'worker' }, { apiUrl: 'https://git.example.com/api/v3' }]) {
      expect(make({ ...base, ...change }).cacheKey).not.toBe(key);
    }
    const s = make({ ...base, apiUrl: 'https://git.example.com/api/v3' });
    expect(s.cacheKey + s.description).not.toContain(TOKEN);
  });
});

it('gitlab also accepts nested groups and numeric project ids', () => {
  expect(() => new GitLabSource({ ...base, repo: 'platform/infra/secrets' })).not.toThrow();
  expect(() => new GitLabSource({ ...base, repo: '42' })).not.toThrow();
});

it('github and bitbucket require exactly owner/name', () => {
  expect(() => new GitHubSource({ ...base, repo: 'a/b/c' })).toThrow(TypeError);
  expect(() => new BitbucketSource({ ...base, repo: 'a/b/c' })).toThrow(TypeError);
});
