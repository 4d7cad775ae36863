/**
 * KMS envelope decryption with Google Cloud KMS (ARTIFACT.md §5.2, AGENT.md §9.5):
 * `POST {endpoint}/v1/{keyId}:decrypt` with the wrapped key, AES-256-GCM opens the
 * ciphertext, the DEK is zeroed.
 *
 * Spoken over REST through google-auth-library's authorised client, not gRPC
 * (@google-cloud/kms): a small chunk, no native HTTP/2 stack, and ordinary HTTPS proxies
 * (HTTPS_PROXY) work. Credentials are Application Default Credentials, resolved by
 * Google's library: GOOGLE_APPLICATION_CREDENTIALS (service account key, workload
 * identity federation, impersonation), gcloud's ADC file, then the GKE/GCE metadata
 * server (GCE_METADATA_HOST honoured). One auth client serves every key: it caches and
 * refreshes the token; the endpoint is `https://cloudkms.<universe domain>` unless
 * CLEF_AGENT_GCP_KMS_ENDPOINT overrides it.
 */
import type { AuthClient, GoogleAuth } from 'google-auth-library';
import type { Decryptor, DecryptorCapabilities } from '../../domain/ports/decryptor';
import type { PackedArtifact } from '../../domain/artifact/types';
import { AgentError } from '../../domain/errors';
import { decodeStrictBase64 } from '../crypto/strict-base64';
import { describeKey } from './aws-key-arn';
import { envelopeFor, envelopeInputs, openEnvelopeAndWipe } from './envelope-cipher';
import { checkGcpKeyName } from './gcp-key-name';
import { gcpCredentialsError, gcpKmsError } from './gcp-kms-errors';
import { unwrapPolicy, unwrapWithRetries, type UnwrapPolicy, type UnwrapPolicyOptions } from './unwrap-call';

export type GoogleAuthSdk = typeof import('google-auth-library');

/** The scope Cloud KMS accepts (cloud-platform would work too, but is broader). */
export const CLOUD_KMS_SCOPE = 'https://www.googleapis.com/auth/cloudkms';

export interface GcpKmsDecryptorOptions extends UnwrapPolicyOptions {
  /** Validated base URL (CLEF_AGENT_GCP_KMS_ENDPOINT); default `https://cloudkms.<universe domain>`. */
  endpoint?: string;
  /** Loads the library; default a dynamic import on the first GCP envelope. */
  loadSdk?: () => Promise<GoogleAuthSdk>;
  /** Builds the ADC resolver; injectable to count constructions. */
  createAuth?: (sdk: GoogleAuthSdk, projectId: string) => GoogleAuth;
}

interface DecryptResponse {
  plaintext?: unknown;
}

const defaultLoadSdk = (): Promise<GoogleAuthSdk> => import('google-auth-library');
/**
 * `projectId` is the first key's project. ADC otherwise discovers one (env, files, then by
 * spawning `gcloud`, ~0.6 s) that Cloud KMS never needs: the key name carries its project,
 * and the project id is not sent on requests (a quota project is a separate setting).
 */
const defaultCreateAuth = (sdk: GoogleAuthSdk, projectId: string): GoogleAuth => new sdk.GoogleAuth({ scopes: [CLOUD_KMS_SCOPE], projectId });

export class GcpKmsDecryptor implements Decryptor {
  readonly capabilities: DecryptorCapabilities = { age: false, envelopeProviders: ['gcp'] };
  private readonly policy: UnwrapPolicy;
  private readonly loadSdk: () => Promise<GoogleAuthSdk>;
  private readonly createAuth: (sdk: GoogleAuthSdk, projectId: string) => GoogleAuth;
  private sdk?: Promise<GoogleAuthSdk>;
  /** The resolved ADC client, shared by all keys; dropped after a resolution failure. */
  private authClient?: Promise<AuthClient>;

  constructor(private readonly options: GcpKmsDecryptorOptions = {}) {
    this.policy = unwrapPolicy(options);
    this.loadSdk = options.loadSdk ?? defaultLoadSdk;
    this.createAuth = options.createAuth ?? defaultCreateAuth;
  }

  async decrypt(artifact: PackedArtifact, signal?: AbortSignal): Promise<Uint8Array> {
    const env = envelopeFor(artifact, 'gcp', 'GCP Cloud KMS');
    // Malformed IV / tag / base64 / key name are rejected before any token or KMS call.
    const inputs = envelopeInputs(artifact);
    const keyName = checkGcpKeyName(env.keyId);
    const client = await this.client(keyName);
    const url = `${this.options.endpoint ?? `https://cloudkms.${client.universeDomain || 'googleapis.com'}`}/v1/${keyName}:decrypt`;
    const ciphertext = inputs.wrappedKey.toString('base64');
    const dek = await unwrapWithRetries(
      this.policy,
      {
        what: `GCP Cloud KMS decrypt for key ${describeKey(keyName)}`,
        send: (s) => this.post(client, url, ciphertext, keyName, s),
        toError: (e) => (isKmsResponse(e, url) ? gcpKmsError(e, keyName) : gcpCredentialsError(e, keyName)),
        // REST has no SDK retry layer underneath: a dropped connection or a 503 gets another round too.
        retryable: (code) => code === 'kms_throttled' || code === 'kms_network',
      },
      signal,
    );
    return openEnvelopeAndWipe(inputs, dek);
  }

  /** Nothing to release: gaxios keeps no pooled sockets of its own. Kept for the router. */
  close(): void {
    this.authClient = undefined;
  }

  private async post(client: AuthClient, url: string, ciphertext: string, keyName: string, signal: AbortSignal): Promise<Uint8Array> {
    const res = await client.request<DecryptResponse>({ url, method: 'POST', data: { ciphertext }, responseType: 'json', retry: false, signal });
    const b64 = typeof res.data?.plaintext === 'string' ? res.data.plaintext : undefined;
    const dek = b64 === undefined ? undefined : decodeStrictBase64(b64);
    if (!dek) throw new AgentError('kms_unwrap', `GCP Cloud KMS decrypt for key ${describeKey(keyName)} returned no usable plaintext`);
    return dek;
  }

  private async client(keyName: string): Promise<AuthClient> {
    if (!this.sdk) {
      this.sdk = this.loadSdk().catch((e: unknown) => {
        this.sdk = undefined; // a later decrypt may retry the load
        throw new AgentError('kms_unwrap', 'the Google auth library (google-auth-library) could not be loaded', { cause: e });
      });
    }
    const sdk = await this.sdk;
    if (!this.authClient) {
      const pending = Promise.resolve()
        .then(() => this.createAuth(sdk, keyName.split('/')[1]).getClient())
        .catch((e: unknown) => {
          // Resolution failed (no credentials yet, metadata server down): try again next time.
          if (this.authClient === pending) this.authClient = undefined;
          throw gcpCredentialsError(e, keyName);
        });
      this.authClient = pending;
    }
    return this.authClient;
  }
}

/** Whether a failure is Cloud KMS's own answer (else it came from minting the token). */
function isKmsResponse(e: unknown, url: string): boolean {
  if (e instanceof AgentError) return true;
  const config = (typeof e === 'object' && e !== null ? (e as { config?: { url?: unknown } }).config : undefined) ?? {};
  return config.url !== undefined && String(config.url) === url;
}
