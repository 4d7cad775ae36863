/**
 * The Decryptor contract for Azure Key Vault envelopes, through the real
 * @azure/keyvault-keys CryptographyClient and DefaultAzureCredential (managed identity
 * fake via IDENTITY_ENDPOINT) against the Key Vault fake over TLS, reached by its
 * *.vault.azure.net name with challenge verification on; directly and behind the router.
 * `sealForOtherKey` wraps (RSA-OAEP-256) a DEK the vault releases but seals the content
 * under another one.
 */
import { randomBytes } from 'node:crypto';
import { DecryptorRouter } from '../../src/adapters/crypto/decryptor-router';
import type { AzureKvDecryptor } from '../../src/adapters/kms/azure-kv-decryptor';
import type { Decryptor } from '../../src/domain/ports/decryptor';
import { withEnvelope } from '../adapters/kms/helpers';
import { startLoopbackAzure } from '../adapters/kms/azure-fixture';
import { decryptorContract, DecryptorHarness } from './decryptor.contract';

async function azureHarness(wrap: (azure: AzureKvDecryptor) => Decryptor): Promise<DecryptorHarness> {
  const azure = await startLoopbackAzure();
  const decryptor = azure.decryptor();
  return {
    decryptor: wrap(decryptor),
    seal: async (plaintext) => azure.seal(plaintext),
    sealForOtherKey: async (plaintext) => withEnvelope(azure.seal(plaintext), { wrappedKey: azure.vault.wrapDek(randomBytes(32)).toString('base64') }),
    close: async () => {
      decryptor.close();
      await azure.close();
    },
  };
}

decryptorContract('azure-kv (loopback Key Vault over TLS + managed identity)', () => azureHarness((azure) => azure));

decryptorContract('router → azure-kv (loopback Key Vault over TLS + managed identity)', () => azureHarness((azure) => new DecryptorRouter({ envelope: { azure: () => azure } })));
