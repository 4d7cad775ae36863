/**
 * KMS envelope decryption with AWS KMS (ARTIFACT.md §5.2, AGENT.md §9.5): KMS `Decrypt`
 * unwraps the DEK, AES-256-GCM opens the ciphertext, the DEK is zeroed.
 *
 * Configuration is the SDK's own: credentials (env, web identity, ECS, IMDS, profiles),
 * endpoint (`AWS_ENDPOINT_URL_KMS` / `AWS_ENDPOINT_URL`), retries (`AWS_MAX_ATTEMPTS`).
 * Only the region is chosen here, from the key ARN (W8 hardening), so cross-region keys work.
 */
import type { DecryptCommand, DecryptCommandOutput, EncryptionAlgorithmSpec, KMSClient } from '@aws-sdk/client-kms';
import type { Decryptor, DecryptorCapabilities } from '../../domain/ports/decryptor';
import type { PackedArtifact } from '../../domain/artifact/types';
import { AgentError } from '../../domain/errors';
import { abortableSleep, callSignal, jitteredBackoff, raceAbort } from './abort';
import { describeKey, regionFromKeyArn } from './aws-key-arn';
import { awsKmsError } from './aws-kms-errors';
import { envelopeFor, envelopeInputs, openEnvelopeAndWipe } from './envelope-cipher';

export type AwsKmsSdk = typeof import('@aws-sdk/client-kms');

export interface AwsKmsDecryptorOptions {
  /** Loads the SDK; default a dynamic import on first envelope decrypt, so age-only
   * deployments never pay its load time or memory. Injectable to observe laziness. */
  loadSdk?: () => Promise<AwsKmsSdk>;
  /** Builds the client of a region (undefined = SDK default region chain). Injectable to
   * count constructions; the default passes nothing else so standard config applies. */
  createClient?: (sdk: AwsKmsSdk, region: string | undefined) => KMSClient;
  /** Bound on one `send` (SDK retries included). Default 10 s. */
  callTimeoutMs?: number;
  /** Rounds of `send` when KMS keeps throttling (each round already includes the SDK's
   * own retries), so the total is bounded by rounds × AWS_MAX_ATTEMPTS. Default 3. */
  throttleRounds?: number;
  /** Backoff between throttled rounds: full jitter on base·2^n, capped. Defaults 250 / 2000 ms. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  random?: () => number;
}

const defaultLoadSdk = (): Promise<AwsKmsSdk> => import('@aws-sdk/client-kms');
const defaultCreateClient = (sdk: AwsKmsSdk, region: string | undefined): KMSClient =>
  new sdk.KMSClient(region === undefined ? {} : { region });

/** Map key for the "no region in the key id" client. */
const DEFAULT_REGION = '';
const MAX_CLIENTS = 16;

export class AwsKmsDecryptor implements Decryptor {
  readonly capabilities: DecryptorCapabilities = { age: false, envelopeProviders: ['aws'] };
  private readonly options: Required<Omit<AwsKmsDecryptorOptions, 'loadSdk' | 'createClient'>>;
  private readonly loadSdk: () => Promise<AwsKmsSdk>;
  private readonly createClient: (sdk: AwsKmsSdk, region: string | undefined) => KMSClient;
  private sdk?: Promise<AwsKmsSdk>;
  /** One client per region: clients hold connection pools and credential caches (W8). */
  private readonly clients = new Map<string, KMSClient>();

  constructor(options: AwsKmsDecryptorOptions = {}) {
    this.loadSdk = options.loadSdk ?? defaultLoadSdk;
    this.createClient = options.createClient ?? defaultCreateClient;
    this.options = {
      callTimeoutMs: options.callTimeoutMs ?? 10_000,
      throttleRounds: Math.max(1, options.throttleRounds ?? 3),
      backoffBaseMs: options.backoffBaseMs ?? 250,
      backoffMaxMs: options.backoffMaxMs ?? 2_000,
      random: options.random ?? Math.random,
    };
  }

  async decrypt(artifact: PackedArtifact, signal?: AbortSignal): Promise<Uint8Array> {
    const env = envelopeFor(artifact, 'aws', 'AWS KMS');
    // Malformed IV / tag / base64 is rejected before spending a KMS call.
    const inputs = envelopeInputs(artifact);
    const sdk = await this.sdkModule();
    const client = this.client(sdk, regionFromKeyArn(env.keyId));
    // A fresh command per attempt: commands carry per-send middleware state.
    const command = () =>
      new sdk.DecryptCommand({ KeyId: env.keyId, CiphertextBlob: inputs.wrappedKey, EncryptionAlgorithm: env.algorithm as EncryptionAlgorithmSpec });
    const dek = await this.unwrap(client, command, env.keyId, signal);
    return openEnvelopeAndWipe(inputs, dek);
  }

  /** Releases the clients' sockets (shutdown, tests). Further decrypts rebuild them. */
  close(): void {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
  }

  private sdkModule(): Promise<AwsKmsSdk> {
    if (!this.sdk) {
      this.sdk = this.loadSdk().catch((e: unknown) => {
        this.sdk = undefined; // a later decrypt may retry the load
        throw new AgentError('kms_unwrap', 'the AWS KMS SDK (@aws-sdk/client-kms) could not be loaded', { cause: e });
      });
    }
    return this.sdk;
  }

  private client(sdk: AwsKmsSdk, region: string | undefined): KMSClient {
    const key = region ?? DEFAULT_REGION;
    let client = this.clients.get(key);
    if (!client) {
      // Regions come from artifacts; cap the pool so a stream of odd ARNs cannot grow it.
      if (this.clients.size >= MAX_CLIENTS) {
        const [oldestKey, oldest] = this.clients.entries().next().value!;
        this.clients.delete(oldestKey);
        oldest.destroy();
      }
      client = this.createClient(sdk, region);
      this.clients.set(key, client);
    }
    return client;
  }

  /** KMS Decrypt with bounded, abortable, jittered retry rounds while throttled. */
  private async unwrap(client: KMSClient, command: () => DecryptCommand, keyId: string, signal?: AbortSignal): Promise<Uint8Array> {
    for (let round = 1; ; round++) {
      try {
        return await this.sendOnce(client, command, keyId, signal);
      } catch (e) {
        const err = awsKmsError(e, keyId);
        if (err.code !== 'kms_throttled' || round >= this.options.throttleRounds) throw err;
        const { backoffBaseMs, backoffMaxMs, random } = this.options;
        try {
          await abortableSleep(jitteredBackoff(round, backoffBaseMs, backoffMaxMs, random), signal);
        } catch {
          throw this.aborted(keyId, signal);
        }
      }
    }
  }

  private async sendOnce(client: KMSClient, command: () => DecryptCommand, keyId: string, caller?: AbortSignal): Promise<Uint8Array> {
    const call = callSignal(caller, this.options.callTimeoutMs);
    let out: DecryptCommandOutput;
    try {
      const sent = client.send(command(), { abortSignal: call.signal });
      out = await raceAbort(sent, call.signal, (late) => late.Plaintext?.fill(0));
    } catch (e) {
      if (caller?.aborted) throw this.aborted(keyId, caller);
      if (call.timedOut()) {
        throw new AgentError('kms_network', `AWS KMS Decrypt for key ${describeKey(keyId)} timed out after ${this.options.callTimeoutMs} ms`, {
          cause: e,
          hint: 'KMS endpoint unreachable or slow',
        });
      }
      throw e;
    } finally {
      call.dispose();
    }
    const dek = out.Plaintext;
    if (!dek || dek.length === 0) throw new AgentError('kms_unwrap', `AWS KMS Decrypt for key ${describeKey(keyId)} returned no plaintext`);
    return dek;
  }

  private aborted(keyId: string, signal?: AbortSignal): AgentError {
    return new AgentError('kms_network', `AWS KMS Decrypt for key ${describeKey(keyId)} was aborted by the caller`, { cause: signal?.reason });
  }
}
