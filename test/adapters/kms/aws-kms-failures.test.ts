/**
 * AwsKmsDecryptor failure modes against the loopback KMS: input checks before KMS,
 * KMS error mapping, throttling retries, aborts and timeouts, and message hygiene.
 */
import { FakeKmsServer } from '../../support/fakes/kms-server';
import { rejection, sealAws, TREE, withEnvelope } from './helpers';
import { useLoopbackKms, utf8 } from './kms-fixture';

const kms = useLoopbackKms();

describe('AwsKmsDecryptor failures', () => {
  it('rejects a bad IV or tag length with `decrypt` before any KMS call', async () => {
    const { artifact } = sealAws(kms.fake);
    const d = kms.decryptor();
    expect((await rejection(d.decrypt(withEnvelope(artifact, { iv: Buffer.alloc(16).toString('base64') })))).code).toBe('decrypt');
    expect((await rejection(d.decrypt(withEnvelope(artifact, { authTag: Buffer.alloc(12).toString('base64') })))).code).toBe('decrypt');
    expect((await rejection(d.decrypt(withEnvelope(artifact, { iv: 'AAECAwQFBgcICQo*' })))).code).toBe('decrypt');
    expect((await rejection(d.decrypt(withEnvelope(artifact, { wrappedKey: 'not base64!' })))).code).toBe('kms_unwrap');
    expect(kms.fake.calls).toHaveLength(0);
  });

  it('rejects a data key that is not 32 bytes with `kms_unwrap`, after the KMS call', async () => {
    const { artifact } = sealAws(kms.fake);
    kms.fake.register(artifact.envelope!.wrappedKey, Buffer.alloc(16, 7));
    expect((await rejection(kms.decryptor().decrypt(artifact))).code).toBe('kms_unwrap');
    expect(kms.fake.calls).toHaveLength(1);
  });

  it('maps a tampered ciphertext to `decrypt`', async () => {
    const { artifact } = sealAws(kms.fake);
    const ct = Buffer.from(artifact.ciphertext, 'base64');
    ct[0] ^= 1;
    expect((await rejection(kms.decryptor().decrypt({ ...artifact, ciphertext: ct.toString('base64') }))).code).toBe('decrypt');
  });

  it('maps a wrapped key KMS does not know, or the wrong key id, to `kms_invalid_ciphertext`', async () => {
    const d = kms.decryptor();
    expect((await rejection(d.decrypt(sealAws(kms.fake, TREE, { register: false }).artifact))).code).toBe('kms_invalid_ciphertext');
    const other = 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000';
    expect((await rejection(d.decrypt(sealAws(kms.fake, TREE, { keyId: other }).artifact))).code).toBe('kms_invalid_ciphertext');
  });

  it.each([
    ['AccessDeniedException', 400, 'kms_access_denied'],
    ['UnrecognizedClientException', 400, 'kms_access_denied'],
    ['DisabledException', 400, 'kms_key_unavailable'],
    ['NotFoundException', 400, 'kms_key_unavailable'],
    ['KeyUnavailableException', 500, 'kms_key_unavailable'],
    ['KMSInvalidStateException', 400, 'kms_key_unavailable'],
    ['InvalidCiphertextException', 400, 'kms_invalid_ciphertext'],
    ['IncorrectKeyException', 400, 'kms_invalid_ciphertext'],
    ['KMSInternalException', 500, 'kms_unwrap'],
    ['InvalidKeyUsageException', 400, 'kms_unwrap'],
  ])('maps the KMS error %s (HTTP %i) to %s', async (type, status, code) => {
    kms.fake.fail(type, status);
    expect((await rejection(kms.decryptor().decrypt(sealAws(kms.fake).artifact))).code).toBe(code);
  });

  it('maps deny() and disable() through their dedicated modes', async () => {
    const d = kms.decryptor();
    kms.fake.deny();
    expect((await rejection(d.decrypt(sealAws(kms.fake).artifact))).code).toBe('kms_access_denied');
    kms.fake.disable();
    expect((await rejection(d.decrypt(sealAws(kms.fake).artifact))).code).toBe('kms_key_unavailable');
    kms.fake.allow();
    await expect(d.decrypt(sealAws(kms.fake).artifact)).resolves.toBeInstanceOf(Uint8Array);
  });

  it('retries while throttled and then succeeds', async () => {
    kms.fake.throttle(2);
    const plaintext = await kms.decryptor().decrypt(sealAws(kms.fake).artifact);
    expect(utf8(plaintext)).toBe(JSON.stringify(TREE));
    expect(kms.fake.calls.length).toBeGreaterThanOrEqual(3);
  });

  it('stacks its rounds on the SDK retries configured by AWS_MAX_ATTEMPTS, bounded by both', async () => {
    kms.env.set({ AWS_MAX_ATTEMPTS: '2' });
    kms.fake.throttle(3);
    await kms.decryptor({ throttleRounds: 2 }).decrypt(sealAws(kms.fake).artifact);
    expect(kms.fake.calls).toHaveLength(4);

    kms.fake.throttle();
    expect((await rejection(kms.decryptor({ throttleRounds: 2 }).decrypt(sealAws(kms.fake).artifact))).code).toBe('kms_throttled');
    expect(kms.fake.calls).toHaveLength(8);
  });

  it('gives up with `kms_throttled` after a bounded number of calls', async () => {
    kms.fake.throttle();
    expect((await rejection(kms.decryptor({ throttleRounds: 3 }).decrypt(sealAws(kms.fake).artifact))).code).toBe('kms_throttled');
    expect(kms.fake.calls).toHaveLength(3);
  });

  it('rejects promptly when the caller aborts during a slow KMS call', async () => {
    let release!: () => void;
    kms.fake.slow(new Promise<void>((r) => (release = r)));
    const controller = new AbortController();
    const pending = kms.decryptor().decrypt(sealAws(kms.fake).artifact, controller.signal);
    await kms.fake.untilCalls(1);
    controller.abort();
    // Settles while the fake is still holding the response: abort does not wait for KMS.
    expect((await rejection(pending)).code).toBe('kms_network');
    release();
  });

  it('aborts a throttle backoff wait too', async () => {
    kms.fake.throttle();
    const controller = new AbortController();
    const pending = kms.decryptor({ backoffBaseMs: 60_000, backoffMaxMs: 60_000, random: () => 1 }).decrypt(sealAws(kms.fake).artifact, controller.signal);
    await kms.fake.untilCalls(1);
    controller.abort();
    expect((await rejection(pending)).code).toBe('kms_network');
    expect(kms.fake.calls).toHaveLength(1);
  });

  it('bounds each call with its own timeout', async () => {
    let release!: () => void;
    kms.fake.slow(new Promise<void>((r) => (release = r)));
    expect((await rejection(kms.decryptor({ callTimeoutMs: 50 }).decrypt(sealAws(kms.fake).artifact))).code).toBe('kms_network');
    release();
  });

  it('maps an unreachable endpoint to `kms_network`', async () => {
    const closed = await FakeKmsServer.start();
    const endpoint = closed.endpoint;
    await closed.close();
    kms.env.set({ AWS_ENDPOINT_URL_KMS: endpoint });
    expect((await rejection(kms.decryptor().decrypt(sealAws(kms.fake).artifact))).code).toBe('kms_network');
  });


  it('never puts the wrapped key, the DEK or plaintext in error messages or hints', async () => {
    const d = kms.decryptor();
    const sealed = sealAws(kms.fake);
    const tampered = Buffer.from(sealed.artifact.ciphertext, 'base64');
    tampered[3] ^= 0xff;
    const failures: Array<() => Promise<unknown>> = [
      () => d.decrypt({ ...sealed.artifact, ciphertext: tampered.toString('base64') }),
      () => d.decrypt(withEnvelope(sealed.artifact, { iv: Buffer.alloc(8).toString('base64') })),
      async () => {
        kms.fake.deny();
        return d.decrypt(sealed.artifact);
      },
      async () => {
        kms.fake.fail('InvalidCiphertextException');
        return d.decrypt(sealed.artifact);
      },
      async () => {
        kms.fake.allow();
        kms.fake.register(sealed.artifact.envelope!.wrappedKey, sealed.dek.subarray(0, 31));
        return d.decrypt(sealed.artifact);
      },
    ];
    const forbidden = [sealed.artifact.envelope!.wrappedKey, sealed.wrappedKey.toString('hex'), sealed.dek.toString('hex'), sealed.dek.toString('base64'), 'tok-7f3a9c2e51', 'postgres://'];
    for (const fail of failures) {
      const err = await rejection(fail());
      for (const text of [err.message, err.hint ?? '']) for (const f of forbidden) expect(text).not.toContain(f);
    }
  });
});
