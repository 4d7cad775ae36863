import { Encrypter, armor, generateHybridIdentity, identityToRecipient } from 'age-encryption';
import { readFileSync } from 'node:fs';
import { AgeDecryptor } from '../../../src/adapters/crypto/age-decryptor';
import { AgeKeyError, loadAgeIdentities } from '../../../src/adapters/crypto/age-identities';
import { parseDocument } from '../../../src/domain/artifact/parse-document';
import { parsePayload } from '../../../src/domain/artifact/payload';
import type { PackedArtifact } from '../../../src/domain/artifact/types';
import { isAgentError, type ErrorCode } from '../../../src/domain/errors';
import { newAgeIdentity, packAge } from '../../support/pack';
import { AGE_KEY_FILE, loadExpect, vectorAgeIdentity, vectorText } from '../../support/vectors';

function artifactOf(text: string): PackedArtifact {
  const doc = parseDocument(text);
  if (doc.kind !== 'artifact') throw new Error('expected an artifact');
  return doc.artifact;
}

async function failure(p: Promise<unknown>): Promise<{ code: ErrorCode; text: string }> {
  try {
    await p;
  } catch (e) {
    if (!isAgentError(e)) throw e;
    return { code: e.code, text: `${e.message} ${e.stack ?? ''} ${String(e.cause ?? '')}` };
  }
  throw new Error('expected a failure');
}

const utf8 = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

/** ARTIFACT.md §13.2: the spec's own age identity and ciphertext. */
const SPEC_IDENTITY = 'AGE-SECRET-KEY-1WLQYHKNT00WF5V4SL04M5FJ20HR3J2AV0P3JFL2P5U3JDQ95827SUVHWVJ';
const SPEC_CIPHERTEXT =
  'YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBFVHBsaS83RXR6QmlrQ0hQakRvb1VIYWFIM241WnJkNnorV3dFS2ZkSzNNCk5vWVUwQnhnR3Y1N0tPenhLZ3UwWnUyeDRjM2FHblgxeVZyWnkxL2kyZEUKLS0tIGNyMklrR3hKRzJkUUZIdzF1VFVQcnJRZTZwVktLUkpxK1B2a1V4QmpHYlkKmppvd/fax27CkrLQwweQS1kadXPyQNTs22XbDdGondeXwk/AfobmIVmHPFK/5DQJfrVawrpk5BQOfYm0mEukZ3JH/BDBhS09Ra5djap7FNOck/Qu4T5lr9021xmwnjtbSt3zCfSMBd3xGc42agzz0t5b6QTHjdrtdrt7tcniWoOtA4SggrSEhEMWqbJ6';
const SPEC_PLAINTEXT =
  '{"api":{"DB_URL":"postgres://db.internal:5432/app","STRIPE_KEY":"sk_test_123"},"shared":{"LOG_LEVEL":"info"}}';

describe('AgeDecryptor', () => {
  it('decrypts the shared vector a-age-basic to the expected secrets', async () => {
    const decryptor = new AgeDecryptor({ identities: await loadAgeIdentities(readFileSync(AGE_KEY_FILE, 'utf8')) });
    const plaintext = await decryptor.decrypt(artifactOf(vectorText('a-age-basic')));
    expect(JSON.parse(JSON.stringify(parsePayload(plaintext)))).toEqual(loadExpect('a-age-basic').secrets);
  });

  it('decrypts ARTIFACT.md §13.2 to the example plaintext', async () => {
    const decryptor = new AgeDecryptor({ identities: [SPEC_IDENTITY] });
    const artifact = { ...artifactOf(vectorText('a-age-basic')), ciphertext: SPEC_CIPHERTEXT };
    expect(utf8(await decryptor.decrypt(artifact))).toBe(SPEC_PLAINTEXT);
  });

  it('accepts an ASCII-armored ciphertext [hardening]', async () => {
    const me = await newAgeIdentity();
    const e = new Encrypter();
    e.addRecipient(me.recipient);
    const armored = armor.encode(await e.encrypt('armored plaintext'));
    const base = artifactOf(await packAge('unused', me.recipient));
    const decryptor = new AgeDecryptor({ identities: [me.identity] });
    expect(utf8(await decryptor.decrypt({ ...base, ciphertext: armored }))).toBe('armored plaintext');
  });

  it('rejects malformed armor with `decrypt`', async () => {
    const me = await newAgeIdentity();
    const base = artifactOf(await packAge('unused', me.recipient));
    const bad = '-----BEGIN AGE ENCRYPTED FILE-----\n!!!!\n-----END AGE ENCRYPTED FILE-----\n';
    expect((await failure(new AgeDecryptor({ identities: [me.identity] }).decrypt({ ...base, ciphertext: bad }))).code).toBe('decrypt');
  });

  it('decrypts for a post-quantum hybrid identity', async () => {
    const pq = await generateHybridIdentity();
    const artifact = artifactOf(await packAge('pq plaintext', await identityToRecipient(pq)));
    expect(utf8(await new AgeDecryptor({ identities: [pq] }).decrypt(artifact))).toBe('pq plaintext');
  });

  it('without identities fails with `no_age_identity`', async () => {
    const me = await newAgeIdentity();
    const artifact = artifactOf(await packAge('x', me.recipient));
    const decryptor = new AgeDecryptor({ identities: [] });
    expect(decryptor.identityCount).toBe(0);
    expect((await failure(decryptor.decrypt(artifact))).code).toBe('no_age_identity');
  });

  it('refuses a KMS envelope artifact with `unsupported_kms_provider`', async () => {
    const decryptor = new AgeDecryptor({ identities: [vectorAgeIdentity()] });
    const artifact = artifactOf(vectorText('a-age-basic'));
    const envelope = { provider: 'aws', keyId: 'k', wrappedKey: 'AAAA', algorithm: 'SYMMETRIC_DEFAULT', iv: 'AAAA', authTag: 'AAAA' };
    expect((await failure(decryptor.decrypt({ ...artifact, envelope }))).code).toBe('unsupported_kms_provider');
  });

  it('a wrong identity fails with `decrypt` and the error never quotes any identity', async () => {
    const me = await newAgeIdentity();
    const other = await newAgeIdentity();
    const artifact = artifactOf(await packAge('secret-plaintext', me.recipient));
    const { code, text } = await failure(new AgeDecryptor({ identities: [other.identity] }).decrypt(artifact));
    expect(code).toBe('decrypt');
    expect(text).not.toContain(other.identity.slice(16));
    expect(text).not.toContain('secret-plaintext');
  });

  describe('setIdentities (SIGHUP reload)', () => {
    it('swaps the identities used by later decryptions', async () => {
      const oldKey = await newAgeIdentity();
      const newKey = await newAgeIdentity();
      const decryptor = new AgeDecryptor({ identities: [oldKey.identity] });
      const forNew = artifactOf(await packAge('rotated', newKey.recipient));
      expect((await failure(decryptor.decrypt(forNew))).code).toBe('decrypt');
      decryptor.setIdentities([newKey.identity]);
      expect(utf8(await decryptor.decrypt(forNew))).toBe('rotated');
      expect(decryptor.identityCount).toBe(1);
    });

    it('keeps the previous identities when a new one is malformed', async () => {
      const me = await newAgeIdentity();
      const decryptor = new AgeDecryptor({ identities: [me.identity] });
      const bad = `${me.identity.slice(0, -1)}${me.identity.endsWith('Q') ? 'P' : 'Q'}`;
      let err: unknown;
      try {
        decryptor.setIdentities([me.identity, bad]);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(AgeKeyError);
      expect((err as Error).message).not.toContain(bad.slice(16));
      expect(utf8(await decryptor.decrypt(artifactOf(await packAge('still works', me.recipient))))).toBe('still works');
    });

    it('an empty list disables age decryption', async () => {
      const me = await newAgeIdentity();
      const decryptor = new AgeDecryptor({ identities: [me.identity] });
      decryptor.setIdentities([]);
      expect((await failure(decryptor.decrypt(artifactOf(await packAge('x', me.recipient))))).code).toBe('no_age_identity');
    });
  });
});
