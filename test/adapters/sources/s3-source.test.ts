/**
 * S3 source behaviour beyond the ArtifactSource contract, through the real SDK against the
 * loopback S3: which credentials sign (ECS container credentials, env keys), the signed /
 * unsigned decision and its switches, S3 error codes and retry hints, endpoint handling.
 */
import { S3Source, type S3SourceOptions } from '../../../src/adapters/sources/s3-source';
import { codeOf } from '../../contracts/artifact-source.contract';
import { FakeEcsCredentials } from '../../support/fakes/ecs-credentials';
import { FakeS3Server } from '../../support/fakes/s3-server';
import { vectorText } from '../../support/vectors';
import { useIsolatedAwsEnv, type IsolatedAwsEnv } from '../../support/aws-test-env';

const BUCKET = 'clef-prod';
const KEY = 'clef/api/production.json';
const DOC = vectorText('a-age-basic');
const ENV_KEY = { AWS_ACCESS_KEY_ID: 'AKIDS3ENVTEST0001', AWS_SECRET_ACCESS_KEY: 'env-secret-access-key-s3-test' };

let s3: FakeS3Server;
let ecs: FakeEcsCredentials;
let env: IsolatedAwsEnv;
let sources: S3Source[];

beforeEach(async () => {
  ecs = await FakeEcsCredentials.start();
  s3 = await FakeS3Server.start({ credentials: { [ecs.accessKeyId]: ecs.secretAccessKey, [ENV_KEY.AWS_ACCESS_KEY_ID]: ENV_KEY.AWS_SECRET_ACCESS_KEY } });
  s3.put(BUCKET, KEY, DOC);
  env = useIsolatedAwsEnv();
  sources = [];
});
afterEach(async () => {
  for (const s of sources) s.close();
  await s3.close();
  await ecs.close();
  env.restore();
});

function source(extra: Partial<S3SourceOptions> = {}): { src: S3Source; modes: Array<[string, string]> } {
  const modes: Array<[string, string]> = [];
  const src = new S3Source({ bucket: BUCKET, key: KEY, region: 'eu-west-1', endpoint: s3.endpoint, onAuthMode: (m, r) => modes.push([m, r]), ...extra });
  sources.push(src);
  return { src, modes };
}
const fetch = (src: S3Source, previous?: { etag?: string }) => src.fetch({ previous, signal: new AbortController().signal });

it('signs GetObject with the ECS container credentials of the default chain (path-style, region in the scope)', async () => {
  env.set(ecs.env);
  const { src, modes } = source();
  const r = await fetch(src);
  expect(r).toMatchObject({ kind: 'fetched', document: DOC });
  expect(s3.requests).toEqual([
    expect.objectContaining({ method: 'GET', path: `/${BUCKET}/${KEY}?x-id=GetObject`, accessKeyId: ecs.accessKeyId, sessionToken: ecs.sessionToken, region: 'eu-west-1', signatureValid: true, status: 200 }),
  ]);
  expect(ecs.calls).toEqual([ecs.authToken]);
  expect(modes.map(([m]) => m)).toEqual(['signed']);
  expect(JSON.stringify(modes)).not.toContain(ecs.accessKeyId);
});

it('signs with env credentials too, and sends If-None-Match: 304 is unchanged with no body', async () => {
  env.set(ENV_KEY);
  const { src } = source();
  const first = await fetch(src);
  if (first.kind !== 'fetched') throw new Error('expected fetched');
  expect(await fetch(src, first.validator)).toEqual({ kind: 'unchanged' });
  expect(s3.requests.map((r) => [r.accessKeyId, r.signatureValid, r.ifNoneMatch, r.status])).toEqual([
    [ENV_KEY.AWS_ACCESS_KEY_ID, true, undefined, 200],
    [ENV_KEY.AWS_ACCESS_KEY_ID, true, first.validator?.etag, 304],
  ]);
});

it('with no credentials at all, reads a public object unsigned and never walks the chain again', async () => {
  // The ECS endpoint refuses (wrong token): the chain ends with nothing, as on a laptop.
  env.set({ ...ecs.env, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'not-the-token' });
  s3.publicObjects.add(`${BUCKET}/${KEY}`);
  const { src, modes } = source();
  for (let i = 0; i < 3; i++) expect(await fetch(src)).toMatchObject({ kind: 'fetched', document: DOC });
  expect(s3.requests.map((r) => [r.accessKeyId, r.status])).toEqual([[undefined, 200], [undefined, 200], [undefined, 200]]);
  const probes = ecs.calls.length;
  expect(probes).toBeGreaterThan(0);
  await fetch(src);
  expect(ecs.calls).toHaveLength(probes);
  expect(modes).toEqual([['unsigned', expect.stringContaining('no AWS credentials')]]);
  expect(src.authMode).toBe('unsigned');
});

it('a credential chain that does not answer in time is decided as unsigned, once, within the probe budget', async () => {
  env.set(ecs.env);
  ecs.hang = true;
  s3.publicObjects.add(`${BUCKET}/${KEY}`);
  const { src, modes } = source({ credentialProbeTimeoutMs: 100 });
  expect(await fetch(src)).toMatchObject({ kind: 'fetched', document: DOC });
  expect(await fetch(src)).toMatchObject({ kind: 'fetched' });
  expect(modes).toEqual([['unsigned', expect.stringContaining('did not answer in time')]]);
  expect(s3.requests.map((r) => r.accessKeyId)).toEqual([undefined, undefined]);
});

it('a signed request denied on a public object falls back to unsigned once and stays there', async () => {
  env.set(ENV_KEY);
  s3.denySigned = true;
  s3.publicObjects.add(`${BUCKET}/${KEY}`);
  const { src, modes } = source();
  expect(await fetch(src)).toMatchObject({ kind: 'fetched', document: DOC });
  expect(await fetch(src)).toMatchObject({ kind: 'fetched' });
  expect(s3.requests.map((r) => [r.accessKeyId ?? 'unsigned', r.status])).toEqual([
    [ENV_KEY.AWS_ACCESS_KEY_ID, 403],
    ['unsigned', 200],
    ['unsigned', 200],
  ]);
  expect(modes.map(([m]) => m)).toEqual(['signed', 'unsigned']);
});

it('unsigned and denied: re-probes the chain at once, then at most once per interval', async () => {
  let now = 1_000_000;
  const { src, modes } = source({ now: () => now, reprobeIntervalMs: 60_000 });
  expect((await codeOf(fetch(src))).code).toBe('source_auth'); // no credentials, private object
  expect((await codeOf(fetch(src))).code).toBe('source_auth');
  expect(s3.requests).toHaveLength(2); // the second denial did not re-probe
  env.set(ENV_KEY); // credentials appear (e.g. a role attached later)
  expect((await codeOf(fetch(src))).code).toBe('source_auth'); // still inside the interval
  now += 60_000;
  expect(await fetch(src)).toMatchObject({ kind: 'fetched', document: DOC });
  expect(s3.requests.map((r) => r.accessKeyId ?? 'unsigned')).toEqual(['unsigned', 'unsigned', 'unsigned', 'unsigned', ENV_KEY.AWS_ACCESS_KEY_ID]);
  expect(modes.map(([m]) => m)).toEqual(['unsigned', 'signed']);
});

it.each([
  [{ status: 403, code: 'AccessDenied' }, 'source_auth', undefined],
  [{ status: 403, code: 'InvalidAccessKeyId' }, 'source_auth', undefined],
  [{ status: 400, code: 'ExpiredToken' }, 'source_auth', undefined],
  [{ status: 404, code: 'NoSuchKey' }, 'source_not_found', undefined],
  [{ status: 404, code: 'NoSuchBucket' }, 'source_not_found', undefined],
  [{ status: 503, code: 'SlowDown', headers: { 'retry-after': '7' } }, 'source_rate_limited', 7000],
  [{ status: 503, code: 'SlowDown' }, 'source_rate_limited', undefined],
  [{ status: 503, code: 'ServiceUnavailable', headers: { 'retry-after': '3' } }, 'source_unavailable', 3000],
  [{ status: 500, code: 'InternalError' }, 'source_unavailable', undefined],
  [{ status: 400, code: 'InvalidRequest' }, 'source_bad_response', undefined],
])('S3 error %j → %s (retry hint %s)', async (fault, code, retryAfterMs) => {
  env.set(ENV_KEY);
  const { src } = source({ reprobeIntervalMs: Number.MAX_SAFE_INTEGER });
  await fetch(src); // decide the auth mode first; the fault then applies to the poll
  s3.fault = { kind: 'error', ...fault };
  const { error } = await codeOf(fetch(src));
  expect([error.code, error.retryAfterMs]).toEqual([code, retryAfterMs]);
  expect(error.message).toContain(`s3://${BUCKET}/${KEY}`);
  expect(`${error.message} ${error.hint ?? ''}`).not.toMatch(new RegExp(`${ENV_KEY.AWS_ACCESS_KEY_ID}|${ENV_KEY.AWS_SECRET_ACCESS_KEY}|Signature`));
  expect(error.cause).toBeUndefined(); // S3 error bodies can echo the string to sign
});

it('an unreachable endpoint is source_unavailable naming only the socket error', async () => {
  env.set(ENV_KEY);
  const dead = await FakeS3Server.start();
  const endpoint = dead.endpoint;
  await dead.close();
  const { src } = source({ endpoint });
  const { error } = await codeOf(fetch(src));
  expect(error.code).toBe('source_unavailable');
  expect(error.message).toMatch(/ECONNREFUSED/);
});

it('loads the SDK on the first fetch only, once', async () => {
  env.set(ENV_KEY);
  let loads = 0;
  const { src } = source({ loadSdk: () => (loads++, import('@aws-sdk/client-s3')) });
  expect(loads).toBe(0);
  await fetch(src);
  await fetch(src);
  expect(loads).toBe(1);
});

it('dotted bucket names and keys with spaces and non-ASCII go path-style and arrive intact', async () => {
  env.set(ENV_KEY);
  const bucket = 'clef.artifacts.example';
  const key = 'teams/ä b/prod env.json';
  s3.put(bucket, key, DOC);
  const { src } = source({ bucket, key });
  expect(await fetch(src)).toMatchObject({ kind: 'fetched', document: DOC });
  expect(s3.requests.at(-1)).toMatchObject({ bucket, key, signatureValid: true });
  expect(src.description).toBe(`s3://${bucket}/${key}`);
});

it('cache keys differ per bucket, key and endpoint and carry no credentials', () => {
  const a = source().src.cacheKey;
  expect(source({ key: 'other.json' }).src.cacheKey).not.toBe(a);
  expect(source({ bucket: 'other-bucket' }).src.cacheKey).not.toBe(a);
  expect(source({ endpoint: 'http://127.0.0.1:1' }).src.cacheKey).not.toBe(a);
  expect(a).toMatch(/^s3:[0-9a-f]{64}$/);
});
