/**
 * Runs the ArtifactSource contract against every adapter, each over a real backing
 * store: a temp file, or a loopback server speaking the provider's API.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MemorySource } from '../../src/adapters/memory/memory-source';
import { FileSource } from '../../src/adapters/sources/file-source';
import { HttpSource } from '../../src/adapters/sources/http-source';
import { BitbucketSource } from '../../src/adapters/sources/vcs/bitbucket-source';
import { GitHubSource } from '../../src/adapters/sources/vcs/github-source';
import { GitLabSource } from '../../src/adapters/sources/vcs/gitlab-source';
import { ArtifactServer } from '../support/fakes/artifact-server';
import { FakeBitbucketApi } from '../support/fakes/bitbucket-api';
import { FakeGitHubApi } from '../support/fakes/github-api';
import { FakeGitLabApi } from '../support/fakes/gitlab-api';
import { artifactSourceContract, FailureMode, HarnessFactory, INVALID_UTF8, oversizeDocument } from './artifact-source.contract';

const secret = (prefix: string) => `${prefix}${randomBytes(12).toString('hex')}`;

// Root ignores file permissions, so EACCES cannot be produced when tests run as root.
const fileModes: FailureMode[] = ['oversize', 'malformed', ...(process.getuid?.() === 0 ? [] : (['unauthorized'] as const))];

artifactSourceContract('file', async ({ maxBytes }) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'clef-file-source-'));
  const file = path.join(dir, 'artifact.age.json');
  // Atomic replace, the way deploy tooling updates mounted files.
  const write = async (data: string | Buffer) => {
    await writeFile(`${file}.tmp`, data, { mode: 0o600 });
    await rename(`${file}.tmp`, file);
  };
  return {
    source: new FileSource({ path: file, maxBytes }),
    publish: write,
    makeMissing: () => rm(file, { force: true }),
    makeUnauthorized: async () => writeFile(file, '{}', { mode: 0o000 }).then(() => undefined),
    makeOversize: () => write(oversizeDocument(maxBytes)),
    makeMalformed: () => write(INVALID_UTF8),
    close: () => rm(dir, { recursive: true, force: true }),
  };
}, fileModes);

artifactSourceContract('memory', async () => {
  const source = new MemorySource({ name: 'contract' });
  return {
    source,
    publish: async (d) => source.publish(d),
    makeMissing: async () => source.remove(),
    close: async () => undefined,
  };
}, []);

artifactSourceContract('http (userinfo + presigned query)', async ({ timeoutMs, maxBytes }) => {
  const password = secret('pw-');
  const signature = secret('sig');
  const token = secret('tok');
  // The query must reach the server byte-for-byte: routes are keyed on the raw request URL.
  const server = await ArtifactServer.start({ path: `/bucket/prod.age.json?X-Amz-Signature=${signature}&X-Amz-Security-Token=${token}&X-Amz-Expires=900` });
  server.requireAuthorization = `Basic ${Buffer.from(`agent:${password}`).toString('base64')}`;
  const url = server.url.replace('http://', `http://agent:${password}@`);
  return {
    source: new HttpSource({ url, timeoutMs, maxBytes }),
    publish: async (d) => server.publish(d),
    makeMissing: async () => server.mode({ kind: 'missing' }),
    makeUnauthorized: async () => void (server.requireAuthorization = 'Basic cm90YXRlZA=='),
    makeHang: async () => void (server.http.fault = { kind: 'hang' }),
    whenHung: () => server.http.whenHeld(),
    makeOversize: async () => server.publish(oversizeDocument(maxBytes)),
    makeMalformed: async () => server.publish(INVALID_UTF8),
    secrets: [password, signature, token],
    close: () => server.close(),
  };
});

interface VcsVariant {
  basePath?: string;
  ref?: string;
  identity?: string;
  environment?: string;
}

/** Everything the three VCS harnesses share: token, fault injection, secrets. */
interface VcsFake {
  token: string;
  http: { fault: unknown; whenHeld(): Promise<void> };
  close(): Promise<void>;
}

function vcsHarness<F extends VcsFake>(
  start: (token: string, basePath: string | undefined) => Promise<F>,
  build: (fake: F, v: Required<Pick<VcsVariant, 'identity' | 'environment'>> & VcsVariant, token: string, config: { timeoutMs: number; maxBytes: number }) => {
    source: GitHubSource | GitLabSource | BitbucketSource;
    put(document: string | Buffer): void;
    remove(): void;
    malformed(): void;
  },
  variant: VcsVariant,
): HarnessFactory {
  return async (config) => {
    const token = secret('tok_');
    const fake = await start(token, variant.basePath);
    const v = { identity: 'api-gateway', environment: 'production', ...variant };
    const s = build(fake, v, token, config);
    return {
      source: s.source,
      publish: async (d) => s.put(d),
      makeMissing: async () => s.remove(),
      makeUnauthorized: async () => void (fake.token = 'revoked-token'),
      makeHang: async () => void (fake.http.fault = { kind: 'hang' }),
      whenHung: () => fake.http.whenHeld(),
      makeOversize: async () => s.put(oversizeDocument(config.maxBytes)),
      makeMalformed: async () => s.malformed(),
      secrets: [token],
      close: () => fake.close(),
    };
  };
}

const packed = (v: { identity: string; environment: string }) => `.clef/packed/${v.identity}/${v.environment}.age.json`;

const github = (variant: VcsVariant) =>
  vcsHarness((token, basePath) => FakeGitHubApi.start({ token, basePath }), (fake, v, token, c) => {
    fake.addRepo('acme/secrets', 'trunk');
    return {
      source: new GitHubSource({ repo: 'acme/secrets', token, identity: v.identity, environment: v.environment, ref: v.ref, apiUrl: fake.apiUrl, ...c }),
      put: (d) => fake.putFile('acme/secrets', packed(v), d, v.ref),
      remove: () => fake.deleteFile('acme/secrets', packed(v), v.ref),
      malformed: () => fake.putFile('acme/secrets', packed(v), INVALID_UTF8, v.ref),
    };
  }, variant);

const gitlab = (variant: VcsVariant) =>
  vcsHarness((token, basePath) => FakeGitLabApi.start({ token, basePath }), (fake, v, token, c) => {
    fake.addProject('platform/infra/secrets', 'trunk');
    return {
      source: new GitLabSource({ repo: 'platform/infra/secrets', token, identity: v.identity, environment: v.environment, ref: v.ref, apiUrl: fake.apiUrl, ...c }),
      put: (d) => fake.putFile('platform/infra/secrets', packed(v), d, v.ref),
      remove: () => fake.deleteFile('platform/infra/secrets', packed(v), v.ref),
      // Without a ref the project metadata is read; with one, only the file is.
      malformed: () => (v.ref ? fake.putFile('platform/infra/secrets', packed(v), INVALID_UTF8, v.ref) : void (fake.malformedProject = true)),
    };
  }, variant);

const bitbucket = (variant: VcsVariant) =>
  vcsHarness((token, basePath) => FakeBitbucketApi.start({ token, basePath }), (fake, v, token, c) => {
    fake.addRepo('acme/secrets', 'trunk');
    return {
      source: new BitbucketSource({ repo: 'acme/secrets', token, identity: v.identity, environment: v.environment, ref: v.ref, apiUrl: fake.apiUrl, ...c }),
      put: (d) => void fake.putFile('acme/secrets', packed(v), d, v.ref),
      remove: () => void fake.deleteFile('acme/secrets', packed(v), v.ref),
      malformed: () => {
        fake.putFile('acme/secrets', packed(v), '{}', v.ref);
        fake.malformedMeta = true;
      },
    };
  }, variant);

artifactSourceContract('github (default branch)', github({}));
artifactSourceContract('github enterprise (/api/v3, ref with a slash, spaced identity)', github({ basePath: '/api/v3', ref: 'release/2026.1', identity: 'edge proxy' }));
artifactSourceContract('gitlab (default branch lookup)', gitlab({}));
artifactSourceContract('gitlab self-managed (/gitlab sub-path, explicit ref)', gitlab({ basePath: '/gitlab', ref: 'release/2026.1', environment: 'eu+prod' }));
artifactSourceContract('bitbucket (mainbranch lookup)', bitbucket({}));
artifactSourceContract('bitbucket (explicit ref)', bitbucket({ ref: 'release/2026.1' }));
