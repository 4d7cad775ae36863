/**
 * KMS envelope decryption with Azure Key Vault / Managed HSM (ARTIFACT.md §5.2, AGENT.md
 * §9.5): `CryptographyClient(keyId).unwrapKey(envelope.algorithm, wrappedKey)`, then
 * AES-256-GCM opens the ciphertext and the DEK is zeroed.
 *
 * Credentials are `DefaultAzureCredential` (environment service principal, workload
 * identity, managed identity incl. IDENTITY_ENDPOINT/IDENTITY_HEADER, then developer
 * tools), built once and shared. The key URL is checked against the allowed Key Vault
 * domains before the SDK sees it (azure-key-url.ts), and the SDK's challenge-resource
 * verification is left on: no option of this class can turn either off.
 */
import type { TokenCredential } from '@azure/identity';
import type { CryptographyClient, KeyWrapAlgorithm } from '@azure/keyvault-keys';
import type { Decryptor, DecryptorCapabilities } from '../../domain/ports/decryptor';
import type { PackedArtifact } from '../../domain/artifact/types';
import { AgentError } from '../../domain/errors';
import { describeKey } from './aws-key-arn';
import { checkAzureKeyId, DEFAULT_AZURE_KEYVAULT_DOMAINS } from './azure-key-url';
import { azureKvError } from './azure-kv-errors';
import { envelopeFor, envelopeInputs, openEnvelopeAndWipe } from './envelope-cipher';
import { unwrapPolicy, unwrapWithRetries, type UnwrapPolicy, type UnwrapPolicyOptions } from './unwrap-call';

export interface AzureSdk {
  keys: typeof import('@azure/keyvault-keys');
  identity: typeof import('@azure/identity');
}

export interface AzureKvDecryptorOptions extends UnwrapPolicyOptions {
  /** Allowed Key Vault / Managed HSM DNS suffixes or pinned vault hosts (CLEF_AGENT_AZURE_KEYVAULT_DOMAINS). */
  domains?: readonly string[];
  /** Loads both SDK packages; default dynamic imports on the first Azure envelope. */
  loadSdk?: () => Promise<AzureSdk>;
  /** Builds the credential; injectable to count constructions. Default DefaultAzureCredential. */
  createCredential?: (sdk: AzureSdk) => TokenCredential;
}

const defaultLoadSdk = async (): Promise<AzureSdk> => {
  const [keys, identity] = await Promise.all([import('@azure/keyvault-keys'), import('@azure/identity')]);
  return { keys, identity };
};
const defaultCreateCredential = (sdk: AzureSdk): TokenCredential => new sdk.identity.DefaultAzureCredential();

/** Key wrap algorithm names (RSA-OAEP-256, RSA-OAEP, RSA1_5, A256KW, CKM_AES_KEY_WRAP_PAD…): short tokens only. */
const ALGORITHM = /^[A-Za-z0-9_-]{1,32}$/;
const MAX_CLIENTS = 16;

export class AzureKvDecryptor implements Decryptor {
  readonly capabilities: DecryptorCapabilities = { age: false, envelopeProviders: ['azure'] };
  private readonly policy: UnwrapPolicy;
  private readonly domains: readonly string[];
  private readonly loadSdk: () => Promise<AzureSdk>;
  private readonly createCredential: (sdk: AzureSdk) => TokenCredential;
  private sdk?: Promise<AzureSdk>;
  private credential?: TokenCredential;
  /** One client per key URL: each caches the key's metadata and its challenge/token state. */
  private readonly clients = new Map<string, CryptographyClient>();

  constructor(options: AzureKvDecryptorOptions = {}) {
    this.policy = unwrapPolicy(options);
    this.domains = options.domains ?? DEFAULT_AZURE_KEYVAULT_DOMAINS;
    this.loadSdk = options.loadSdk ?? defaultLoadSdk;
    this.createCredential = options.createCredential ?? defaultCreateCredential;
  }

  async decrypt(artifact: PackedArtifact, signal?: AbortSignal): Promise<Uint8Array> {
    const env = envelopeFor(artifact, 'azure', 'Azure Key Vault');
    // Malformed envelopes and refused vault hosts fail before the SDK loads or a token is asked for.
    const inputs = envelopeInputs(artifact);
    const keyUrl = checkAzureKeyId(env.keyId, this.domains);
    if (!ALGORITHM.test(env.algorithm)) throw new AgentError('kms_unwrap', `envelope algorithm ${describeKey(env.algorithm)} is not a Key Vault key wrap algorithm`);
    const client = this.client(await this.sdkModule(), keyUrl);
    const algorithm = env.algorithm as KeyWrapAlgorithm;
    const dek = await unwrapWithRetries(
      this.policy,
      {
        what: `Azure Key Vault unwrapKey for key ${describeKey(keyUrl)}`,
        send: async (s) => (await client.unwrapKey(algorithm, inputs.wrappedKey, { abortSignal: s })).result,
        toError: (e) => azureKvError(e, keyUrl),
      },
      signal,
    );
    return openEnvelopeAndWipe(inputs, dek);
  }

  /** Forgets the clients (their HTTP agents are released with them). Further decrypts rebuild them. */
  close(): void {
    this.clients.clear();
  }

  private sdkModule(): Promise<AzureSdk> {
    if (!this.sdk) {
      this.sdk = this.loadSdk().catch((e: unknown) => {
        this.sdk = undefined; // a later decrypt may retry the load
        throw new AgentError('kms_unwrap', 'the Azure SDK (@azure/keyvault-keys, @azure/identity) could not be loaded', { cause: e });
      });
    }
    return this.sdk;
  }

  private client(sdk: AzureSdk, keyUrl: string): CryptographyClient {
    let client = this.clients.get(keyUrl);
    if (!client) {
      // Key URLs come from artifacts; cap the pool so a stream of odd keys cannot grow it.
      if (this.clients.size >= MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value!);
      this.credential ??= this.createCredential(sdk);
      client = new sdk.keys.CryptographyClient(keyUrl, this.credential);
      this.clients.set(keyUrl, client);
    }
    return client;
  }
}
