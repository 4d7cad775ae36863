/**
 * AwsKmsDecryptor against the loopback KMS, through the real @aws-sdk/client-kms:
 * endpoint, credentials and region come from the standard environment only.
 */
import * as KmsSdk from '@aws-sdk/client-kms';
import type { AwsKmsDecryptor, AwsKmsSdk } from '../../../src/adapters/kms/aws-kms-decryptor';
import { FAKE_KEY_ARN } from '../../support/fakes/kms-server';
import { EXAMPLE_A_DEK_HEX, EXAMPLE_A_DOCUMENT, EXAMPLE_A_PLAINTEXT, EXAMPLE_A_WRAPPED_KEY } from './example-a';
import { artifactOf, rejection, sealAws, TREE, withEnvelope } from './helpers';
import { ALIAS, EU_KEY_ARN, useLoopbackKms, utf8 } from './kms-fixture';

const kms = useLoopbackKms();

describe('AwsKmsDecryptor', () => {
  it('decrypts ARTIFACT.md Example A with the real SDK routed by AWS_ENDPOINT_URL_KMS', async () => {
    kms.fake.register(EXAMPLE_A_WRAPPED_KEY, Buffer.from(EXAMPLE_A_DEK_HEX, 'hex'));
    const plaintext = await kms.decryptor().decrypt(artifactOf(EXAMPLE_A_DOCUMENT));
    expect(utf8(plaintext)).toBe(EXAMPLE_A_PLAINTEXT);

    expect(kms.fake.calls).toHaveLength(1);
    const [call] = kms.fake.calls;
    expect(call).toMatchObject({
      target: 'TrentService.Decrypt',
      contentType: 'application/x-amz-json-1.1',
      signed: true,
      service: 'kms',
      // From the ARN, although AWS_REGION=eu-west-1.
      region: 'us-east-1',
      keyId: FAKE_KEY_ARN,
      encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    });
    expect(call.host).toBe(new URL(kms.fake.endpoint).host);
  });

  it('reuses one client per region and leaves key ids without a region to the SDK chain', async () => {
    const regions: Array<string | undefined> = [];
    const d = kms.decryptor({
      createClient: (sdk, region) => {
        regions.push(region);
        return new sdk.KMSClient(region === undefined ? {} : { region });
      },
    });
    for (let i = 0; i < 3; i++) await d.decrypt(sealAws(kms.fake).artifact);
    await d.decrypt(sealAws(kms.fake, TREE, { keyId: EU_KEY_ARN }).artifact);
    await d.decrypt(sealAws(kms.fake, TREE, { keyId: ALIAS }).artifact);
    await d.decrypt(sealAws(kms.fake).artifact);

    expect(regions).toEqual(['us-east-1', 'eu-central-1', undefined]);
    expect(kms.fake.calls.map((c) => c.region)).toEqual(['us-east-1', 'us-east-1', 'us-east-1', 'eu-central-1', 'eu-west-1', 'us-east-1']);
  });

  it('loads the SDK only on the first envelope decrypt, once', async () => {
    let loads = 0;
    const d = kms.decryptor({
      loadSdk: async () => {
        loads += 1;
        return KmsSdk;
      },
    });
    expect(loads).toBe(0);
    // An age artifact or a malformed envelope never needs the SDK.
    const { artifact } = sealAws(kms.fake);
    await rejection(d.decrypt({ ...artifact, envelope: undefined }));
    await rejection(d.decrypt(withEnvelope(artifact, { iv: 'AAEC' })));
    expect(loads).toBe(0);
    await d.decrypt(artifact);
    await d.decrypt(sealAws(kms.fake).artifact);
    expect(loads).toBe(1);
  });

  it('its default loader does not require @aws-sdk/client-kms when the module is imported or constructed', async () => {
    let required = 0;
    let Ctor!: typeof AwsKmsDecryptor;
    jest.isolateModules(() => {
      jest.doMock('@aws-sdk/client-kms', () => {
        required += 1;
        return jest.requireActual('@aws-sdk/client-kms');
      });
      Ctor = (require('../../../src/adapters/kms/aws-kms-decryptor') as typeof import('../../../src/adapters/kms/aws-kms-decryptor')).AwsKmsDecryptor;
    });
    const d = new Ctor();
    try {
      expect(required).toBe(0);
      expect(utf8(await d.decrypt(sealAws(kms.fake).artifact))).toBe(JSON.stringify(TREE));
      expect(required).toBe(1);
    } finally {
      d.close();
      jest.dontMock('@aws-sdk/client-kms');
    }
  });

  it('zeroes the unwrapped data key after use', async () => {
    const seen: Uint8Array[] = [];
    const d = kms.decryptor({
      createClient: (sdk, region) => {
        const client = new sdk.KMSClient({ region });
        const send = client.send.bind(client) as (...a: unknown[]) => Promise<KmsSdk.DecryptCommandOutput>;
        (client as unknown as { send: unknown }).send = async (...args: unknown[]) => {
          const out = await send(...args);
          if (out.Plaintext) seen.push(out.Plaintext);
          return out;
        };
        return client;
      },
    });
    await d.decrypt(sealAws(kms.fake).artifact);
    await rejection(d.decrypt(withEnvelope(sealAws(kms.fake).artifact, { authTag: Buffer.alloc(16).toString('base64') })));
    expect(seen).toHaveLength(2);
    for (const dek of seen) expect(dek.every((b) => b === 0)).toBe(true);
  });


  it('routes only AWS envelopes', async () => {
    const { artifact } = sealAws(kms.fake);
    const d = kms.decryptor();
    expect(d.capabilities).toEqual({ age: false, envelopeProviders: ['aws'] });
    expect((await rejection(d.decrypt({ ...artifact, envelope: undefined }))).code).toBe('no_age_identity');
    expect((await rejection(d.decrypt(withEnvelope(artifact, { provider: 'gcp' })))).code).toBe('unsupported_kms_provider');
  });

});

// Keeps the type of the injected loader honest against the real module shape.
const _typecheck: AwsKmsSdk = KmsSdk;
void _typecheck;
