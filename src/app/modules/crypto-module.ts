import { ContainerModule } from 'inversify';
import { AgeDecryptor } from '../../adapters/crypto/age-decryptor';
import { DecryptorRouter, type DecryptorFactory } from '../../adapters/crypto/decryptor-router';
import { NodeHasher } from '../../adapters/crypto/node-hasher';
import { NodeSignatureVerifier } from '../../adapters/crypto/signature-verifier';
import { SystemClock } from '../../adapters/clock/system-clock';
import { Clock, Decryptor, Hasher, SignatureVerifier } from '../../domain/ports';
import type { AgentConfig } from '../config/agent-config';
import { AppTypes } from '../types';

/** Hashing, signatures, decryption and time. Each KMS adapter (and with it its provider's
 * SDK) is imported only when the first envelope artifact of that provider arrives. */
export const cryptoModule = new ContainerModule(({ bind }) => {
  bind(Hasher).toConstantValue(new NodeHasher());
  bind(Clock).toConstantValue(new SystemClock());
  bind(SignatureVerifier)
    .toResolvedValue((c: AgentConfig) => new NodeSignatureVerifier({ keys: c.verifyKeys }), [AppTypes.Config])
    .inSingletonScope();
  bind(AppTypes.AgeDecryptor)
    .toResolvedValue((c: AgentConfig) => new AgeDecryptor({ identities: c.ageIdentities }), [AppTypes.Config])
    .inSingletonScope();
  bind<Record<string, DecryptorFactory>>(AppTypes.ExtraEnvelopeDecryptors).toConstantValue({});
  bind(Decryptor)
    .toResolvedValue(
      (c: AgentConfig, age: AgeDecryptor, extra: Record<string, DecryptorFactory>) =>
        new DecryptorRouter({
          age: c.ageIdentities.length > 0 ? age : undefined,
          envelope: {
            aws: async () => new (await import('../../adapters/kms/aws-kms-decryptor')).AwsKmsDecryptor(),
            gcp: async () => new (await import('../../adapters/kms/gcp-kms-decryptor')).GcpKmsDecryptor({ endpoint: c.kms.gcpEndpoint }),
            azure: async () => new (await import('../../adapters/kms/azure-kv-decryptor')).AzureKvDecryptor({ domains: c.kms.azureDomains }),
            ...extra,
          },
        }),
      [AppTypes.Config, AppTypes.AgeDecryptor, AppTypes.ExtraEnvelopeDecryptors],
    )
    .inSingletonScope();
});
