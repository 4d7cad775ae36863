/**
 * GcpKmsDecryptor through the real google-auth-library: Application Default Credentials
 * resolve to the metadata-server fake (GCE_METADATA_HOST), the bearer token it issues is
 * sent to the Cloud KMS REST fake, and failures map onto the AWS adapter's kms_* codes.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as GoogleAuthSdk from 'google-auth-library';
import { parseGcpKmsEndpoint, checkGcpKeyName } from '../../../src/adapters/kms/gcp-key-name';
import { classifyGcpKmsError } from '../../../src/adapters/kms/gcp-kms-errors';
import type { GcpKmsDecryptor } from '../../../src/adapters/kms/gcp-kms-decryptor';
import { FAKE_GCP_KEY, FakeCloudKms } from '../../support/fakes/gcp-kms-server';
import { LoopbackServer, sendJson } from '../../support/fakes/loopback-server';
import { rejection, TREE, withEnvelope } from './helpers';
import { startLoopbackGcp, type LoopbackGcp } from './gcp-fixture';

let gcp: LoopbackGcp;
const opened: GcpKmsDecryptor[] = [];
const decryptor = (options: Parameters<LoopbackGcp['decryptor']>[0] = {}) => {
  const d = gcp.decryptor(options);
  opened.push(d);
  return d;
};
const json = (b: Uint8Array) => JSON.parse(Buffer.from(b).toString('utf8'));

beforeEach(async () => {
  gcp = await startLoopbackGcp();
});
afterEach(async () => {
  for (const d of opened.splice(0)) d.close();
  await gcp.close();
});

describe('GcpKmsDecryptor', () => {
  it('POSTs /v1/{keyId}:decrypt with the base64 wrapped key and the metadata server token', async () => {
    expect(json(await decryptor().decrypt(gcp.seal(TREE)))).toEqual(TREE);
    expect(gcp.kms.calls).toEqual([{ name: FAKE_GCP_KEY, authorization: `Bearer ${gcp.metadata.token}` }]);
    const post = gcp.kms.http.log[0];
    expect(post).toMatchObject({ method: 'POST', path: `/v1/${FAKE_GCP_KEY}:decrypt`, status: 200 });
    expect(post.headers['content-type']).toMatch(/^application\/json/);
    const tokenRequest = gcp.metadata.http.log.find((l) => l.path.includes('/service-accounts/default/token'));
    expect(tokenRequest?.path).toContain('scopes=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcloudkms');
  });

  it('resolves ADC once and reuses the token for later decrypts and other keys', async () => {
    let auths = 0;
    const other = 'projects/clef-test/locations/europe-west1/keyRings/agent/cryptoKeys/other';
    const kms = await FakeCloudKms.start(() => gcp.metadata.token, [FAKE_GCP_KEY, other]);
    try {
      const d = decryptor({ endpoint: kms.endpoint, createAuth: (sdk, projectId) => (auths++, new sdk.GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloudkms'], projectId })) });
      const seal = (keyId: string) => {
        const dek = randomBytes(32);
        return withEnvelope(gcp.seal(TREE, { dek, register: false, keyId }), { wrappedKey: kms.wrapDek(dek).toString('base64') });
      };
      for (let i = 0; i < 3; i++) await d.decrypt(seal(FAKE_GCP_KEY));
      await d.decrypt(seal(other));
      expect(auths).toBe(1);
      expect(gcp.metadata.tokenRequests).toBe(1);
      expect(kms.calls.map((c) => c.name)).toEqual([FAKE_GCP_KEY, FAKE_GCP_KEY, FAKE_GCP_KEY, other]);
    } finally {
      await kms.close();
    }
  });

  it('loads google-auth-library only on the first gcp envelope, once', async () => {
    let loads = 0;
    const d = decryptor({ loadSdk: async () => (loads++, GoogleAuthSdk) });
    const artifact = gcp.seal(TREE);
    await rejection(d.decrypt({ ...artifact, envelope: undefined }));
    await rejection(d.decrypt(withEnvelope(artifact, { iv: 'AAEC' })));
    await rejection(d.decrypt(withEnvelope(artifact, { keyId: 'projects/../x' })));
    expect(loads).toBe(0);
    await d.decrypt(artifact);
    await d.decrypt(gcp.seal(TREE));
    expect(loads).toBe(1);
  });

  it('its default loader does not require google-auth-library when the module is imported or constructed', async () => {
    let required = 0;
    let Ctor!: typeof GcpKmsDecryptor;
    jest.isolateModules(() => {
      jest.doMock('google-auth-library', () => {
        required += 1;
        return jest.requireActual('google-auth-library');
      });
      Ctor = (require('../../../src/adapters/kms/gcp-kms-decryptor') as typeof import('../../../src/adapters/kms/gcp-kms-decryptor')).GcpKmsDecryptor;
    });
    try {
      const d = new Ctor({ endpoint: gcp.kms.endpoint });
      expect(required).toBe(0);
      expect(json(await d.decrypt(gcp.seal(TREE)))).toEqual(TREE);
      expect(required).toBe(1);
    } finally {
      jest.dontMock('google-auth-library');
    }
  });

  it.each([
    ['a path escape', 'projects/p/locations/global/keyRings/r/cryptoKeys/k/../../../../x'],
    ['a query', 'projects/p/locations/global/keyRings/r/cryptoKeys/k?alt=media'],
    ['a key version', 'projects/p/locations/global/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1'],
    ['a URL', 'https://cloudkms.googleapis.com/v1/projects/p/locations/global/keyRings/r/cryptoKeys/k'],
    ['percent-encoding', 'projects/p/locations/global/keyRings/r/cryptoKeys/k%2F..'],
  ])('refuses a keyId with %s before any token or KMS request (kms_unwrap)', async (_label, keyId) => {
    const err = await rejection(decryptor().decrypt(withEnvelope(gcp.seal(TREE), { keyId })));
    expect(err.code).toBe('kms_unwrap');
    expect(gcp.metadata.http.log).toHaveLength(0);
    expect(gcp.kms.http.log).toHaveLength(0);
  });

  it.each([
    ['PERMISSION_DENIED (403)', 'kms_access_denied', () => gcp.kms.deny()],
    ['a disabled key version (FAILED_PRECONDITION)', 'kms_key_unavailable', () => gcp.kms.disable()],
    ['NOT_FOUND (404)', 'kms_key_unavailable', () => gcp.kms.fail(404, 'NOT_FOUND')],
    ['UNAVAILABLE (503), on every round', 'kms_network', () => gcp.kms.fail(503, 'UNAVAILABLE')],
  ])('maps %s to %s', async (_label, code, arrange) => {
    arrange();
    const err = await rejection(decryptor().decrypt(gcp.seal(TREE)));
    expect(err.code).toBe(code);
    expect(err.message).not.toContain(gcp.metadata.token);
    expect(JSON.stringify(err)).not.toContain(gcp.metadata.token);
  });

  it('a wrapped key Cloud KMS cannot decrypt is kms_invalid_ciphertext', async () => {
    expect((await rejection(decryptor().decrypt(gcp.seal(TREE, { register: false })))).code).toBe('kms_invalid_ciphertext');
  });

  it('retries throttling (429 RESOURCE_EXHAUSTED) and succeeds; gives up with kms_throttled after the rounds', async () => {
    gcp.kms.throttle(2);
    expect(json(await decryptor().decrypt(gcp.seal(TREE)))).toEqual(TREE);
    expect(gcp.kms.calls).toHaveLength(3);
    gcp.kms.throttle();
    expect((await rejection(decryptor({ throttleRounds: 2 }).decrypt(gcp.seal(TREE)))).code).toBe('kms_throttled');
    expect(gcp.kms.calls).toHaveLength(5);
  });

  it('no credentials (the metadata server has no service account) is kms_access_denied, and resolves later', async () => {
    gcp.metadata.tokenStatus = 404;
    const d = decryptor();
    const err = await rejection(d.decrypt(gcp.seal(TREE)));
    expect(err.code).toBe('kms_access_denied');
    expect(gcp.kms.http.log).toHaveLength(0);
    gcp.metadata.tokenStatus = 200;
    expect(json(await d.decrypt(gcp.seal(TREE)))).toEqual(TREE);
  });

  it('workload identity federation (GOOGLE_APPLICATION_CREDENTIALS external_account) wins over the metadata server', async () => {
    // The STS exchange is the real library's: subject token from a file, token_url from the config.
    const exchanges: Array<Record<string, string>> = [];
    const sts = await LoopbackServer.start(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      exchanges.push(Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
      sendJson(res, 200, { access_token: 'federated-token', issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: 3600 });
    });
    const kms = await FakeCloudKms.start(() => 'federated-token');
    try {
      const subject = path.join(gcp.home, 'oidc-token');
      writeFileSync(subject, 'eyJ.subject.token');
      const config = path.join(gcp.home, 'wif.json');
      const audience = '//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/providers/oidc';
      writeFileSync(
        config,
        JSON.stringify({ type: 'external_account', audience, subject_token_type: 'urn:ietf:params:oauth:token-type:jwt', token_url: `${sts.origin}/v1/token`, credential_source: { file: subject } }),
      );
      process.env.GOOGLE_APPLICATION_CREDENTIALS = config;
      const dek = randomBytes(32);
      const artifact = withEnvelope(gcp.seal(TREE, { dek, register: false }), { wrappedKey: kms.wrapDek(dek).toString('base64') });
      expect(json(await decryptor({ endpoint: kms.endpoint }).decrypt(artifact))).toEqual(TREE);
      expect(exchanges).toEqual([expect.objectContaining({ audience, subject_token: 'eyJ.subject.token', scope: 'https://www.googleapis.com/auth/cloudkms' })]);
      expect(kms.calls).toEqual([{ name: FAKE_GCP_KEY, authorization: 'Bearer federated-token' }]);
      expect(gcp.metadata.tokenRequests).toBe(0);
    } finally {
      await kms.close();
      await sts.close();
    }
  });

  it('an unreachable endpoint is kms_network', async () => {
    const d = decryptor({ endpoint: 'http://127.0.0.1:1', throttleRounds: 1 });
    expect((await rejection(d.decrypt(gcp.seal(TREE)))).code).toBe('kms_network');
  });

  it('a 16-byte data key from KMS is refused (kms_unwrap)', async () => {
    const short = randomBytes(16);
    const artifact = withEnvelope(gcp.seal(TREE), { wrappedKey: gcp.kms.wrapDek(short).toString('base64') });
    expect((await rejection(decryptor().decrypt(artifact))).code).toBe('kms_unwrap');
  });

  it('a slow KMS is abandoned at the call deadline, and a caller abort ends the wait (kms_network)', async () => {
    let release!: () => void;
    gcp.kms.slow(new Promise<void>((r) => (release = r)));
    try {
      expect((await rejection(decryptor({ callTimeoutMs: 200 }).decrypt(gcp.seal(TREE)))).code).toBe('kms_network');
      const controller = new AbortController();
      const pending = decryptor().decrypt(gcp.seal(TREE), controller.signal);
      await gcp.kms.untilCalls(2);
      controller.abort();
      expect((await rejection(pending)).code).toBe('kms_network');
    } finally {
      release();
    }
  });
});

describe('Cloud KMS names, endpoints and error classes', () => {
  it('accepts CryptoKey resource names, including domain-scoped projects', () => {
    expect(checkGcpKeyName(FAKE_GCP_KEY)).toBe(FAKE_GCP_KEY);
    expect(checkGcpKeyName('projects/example.com:app/locations/us-east1/keyRings/r_1/cryptoKeys/K-2')).toBeTruthy();
  });

  it.each([
    ['https://cloudkms.googleapis.com', { endpoint: 'https://cloudkms.googleapis.com' }],
    ['https://kms-psc.p.googleapis.com/', { endpoint: 'https://kms-psc.p.googleapis.com' }],
    ['http://127.0.0.1:8080', { endpoint: 'http://127.0.0.1:8080' }],
    ['http://kms.internal', { problem: expect.stringContaining('loopback') }],
    ['https://user:pw@kms.example', { problem: expect.stringContaining('credentials') }],
    ['https://kms.example/?x=1', { problem: expect.stringContaining('query') }],
    ['ftp://kms.example', { problem: expect.stringContaining('https') }],
    ['not a url', { problem: expect.stringContaining('https') }],
  ])('CLEF_AGENT_GCP_KMS_ENDPOINT %s', (raw, expected) => {
    expect(parseGcpKmsEndpoint(raw)).toEqual(expected);
  });

  it('classifies by google.rpc status name, then HTTP status, then socket code', () => {
    const rpc = (status: number, name: string) => ({ status, response: { status, data: { error: { status: name } } } });
    expect(classifyGcpKmsError(rpc(400, 'INVALID_ARGUMENT')).code).toBe('kms_invalid_ciphertext');
    expect(classifyGcpKmsError(rpc(401, 'UNAUTHENTICATED')).code).toBe('kms_access_denied');
    expect(classifyGcpKmsError(rpc(504, 'DEADLINE_EXCEEDED')).code).toBe('kms_network');
    expect(classifyGcpKmsError({ status: 429 }).code).toBe('kms_throttled');
    expect(classifyGcpKmsError({ code: 'ECONNRESET' }).code).toBe('kms_network');
    expect(classifyGcpKmsError(new Error('strange')).code).toBe('kms_unwrap');
  });
});
