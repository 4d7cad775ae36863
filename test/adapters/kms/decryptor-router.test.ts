/** DecryptorRouter: routing by envelope provider, lazy construction, capability union. */
import { DecryptorRouter } from '../../../src/adapters/crypto/decryptor-router';
import type { Decryptor } from '../../../src/domain/ports/decryptor';
import type { PackedArtifact } from '../../../src/domain/artifact/types';
import { AgentError } from '../../../src/domain/errors';
import { rejection } from './helpers';

const base: PackedArtifact = {
  version: 1,
  identity: 'svc',
  environment: 'production',
  packedAt: '2026-05-01T12:00:00.000Z',
  revision: '1-a',
  ciphertextHash: '00',
  ciphertext: 'AA==',
};
const ageArtifact = base;
const envelopeFor = (provider: string): PackedArtifact => ({
  ...base,
  envelope: { provider, keyId: 'k', wrappedKey: 'AA==', algorithm: 'X', iv: 'AA==', authTag: 'AA==' },
});

/** A stub Decryptor that records what it was asked to decrypt. */
class StubDecryptor implements Decryptor {
  readonly seen: PackedArtifact[] = [];
  closed = 0;
  constructor(
    readonly capabilities: Decryptor['capabilities'],
    private readonly answer: string,
  ) {}
  async decrypt(artifact: PackedArtifact): Promise<Uint8Array> {
    this.seen.push(artifact);
    return new TextEncoder().encode(this.answer);
  }
  close(): void {
    this.closed += 1;
  }
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('DecryptorRouter', () => {
  it('routes age artifacts to the age decryptor and envelopes to their provider', async () => {
    const age = new StubDecryptor({ age: true, envelopeProviders: [] }, 'from-age');
    const aws = new StubDecryptor({ age: false, envelopeProviders: ['aws'] }, 'from-aws');
    const router = new DecryptorRouter({ age, envelope: { aws: () => aws } });
    expect(text(await router.decrypt(ageArtifact))).toBe('from-age');
    expect(text(await router.decrypt(envelopeFor('aws')))).toBe('from-aws');
    expect(age.seen).toEqual([ageArtifact]);
    expect(aws.seen).toHaveLength(1);
  });

  it('builds a provider decryptor lazily and once, even under concurrent first use', async () => {
    let built = 0;
    const router = new DecryptorRouter({
      envelope: {
        aws: async () => {
          built += 1;
          return new StubDecryptor({ age: false, envelopeProviders: ['aws'] }, 'x');
        },
      },
    });
    expect(built).toBe(0);
    await Promise.all([router.decrypt(envelopeFor('aws')), router.decrypt(envelopeFor('aws'))]);
    await router.decrypt(envelopeFor('aws'));
    expect(built).toBe(1);
  });

  it('retries construction after a failed factory', async () => {
    let attempts = 0;
    const router = new DecryptorRouter({
      envelope: {
        aws: () => {
          attempts += 1;
          if (attempts === 1) throw new Error('sdk missing');
          return new StubDecryptor({ age: false, envelopeProviders: ['aws'] }, 'ok');
        },
      },
    });
    expect((await rejection(router.decrypt(envelopeFor('aws')))).code).toBe('kms_unwrap');
    expect(text(await router.decrypt(envelopeFor('aws')))).toBe('ok');
  });

  it.each(['gcp', 'azure', 'vault', 'constructor', '__proto__', ''])('rejects provider %j with unsupported_kms_provider', async (provider) => {
    const router = new DecryptorRouter({ envelope: { aws: () => new StubDecryptor({ age: false, envelopeProviders: ['aws'] }, 'x') } });
    const err = await rejection(router.decrypt(envelopeFor(provider)));
    expect(err.code).toBe('unsupported_kms_provider');
  });

  it('rejects an age artifact with no_age_identity when no age decryptor is configured', async () => {
    const router = new DecryptorRouter({ envelope: { aws: () => new StubDecryptor({ age: false, envelopeProviders: ['aws'] }, 'x') } });
    expect((await rejection(router.decrypt(ageArtifact))).code).toBe('no_age_identity');
  });

  it('reports the union of capabilities', () => {
    const age = new StubDecryptor({ age: true, envelopeProviders: [] }, 'x');
    const never = () => {
      throw new Error('must not be built for capabilities');
    };
    expect(new DecryptorRouter({ age, envelope: { aws: never, gcp: never } }).capabilities).toEqual({ age: true, envelopeProviders: ['aws', 'gcp'] });
    expect(new DecryptorRouter().capabilities).toEqual({ age: false, envelopeProviders: [] });
  });

  it('passes provider errors through and closes what it built', async () => {
    const failing: Decryptor & { close(): void; closed: number } = {
      capabilities: { age: false, envelopeProviders: ['aws'] },
      closed: 0,
      async decrypt() {
        throw new AgentError('kms_access_denied', 'denied');
      },
      close() {
        this.closed += 1;
      },
    };
    const router = new DecryptorRouter({ envelope: { aws: () => failing } });
    expect((await rejection(router.decrypt(envelopeFor('aws')))).code).toBe('kms_access_denied');
    await router.close();
    expect(failing.closed).toBe(1);
  });
});
