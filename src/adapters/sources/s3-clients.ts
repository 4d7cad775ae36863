/**
 * Builds the two kinds of S3 client the S3 source uses: signed (the SDK's full default
 * credential chain: env, shared config/SSO, web identity/IRSA, EKS Pod Identity, ECS,
 * IMDS) and unsigned (anonymous, for public objects). And the bounded credential probe
 * that chooses between them once, so a user with no AWS credentials does not pay a
 * credential-chain walk on every poll.
 */
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { callSignal, raceAbort } from '../kms/abort';

export type S3Sdk = typeof import('@aws-sdk/client-s3');
export type S3AuthMode = 'signed' | 'unsigned';

export interface S3ClientSettings {
  region: string;
  /** AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL: an S3-compatible store or VPC endpoint. */
  endpoint?: string;
  userAgent?: string;
}

/** Smithy's "no auth" scheme: requests go out without Authorization, and no identity
 * (credential) provider is ever asked. */
const NO_AUTH = 'smithy.api#noAuth';
const unsignedAuth: Partial<S3ClientConfig> = {
  httpAuthSchemes: [{ schemeId: NO_AUTH, identityProvider: () => async () => ({}), signer: { sign: async (request) => request } }],
  httpAuthSchemeProvider: (() => [{ schemeId: NO_AUTH }]) as unknown as S3ClientConfig['httpAuthSchemeProvider'],
};

export function createS3Client(sdk: S3Sdk, mode: S3AuthMode, s: S3ClientSettings): S3Client {
  return new sdk.S3Client({
    region: s.region,
    // The agent's own poll backoff retries, honouring Retry-After (as for every source);
    // SDK retries would multiply requests inside one fetch deadline.
    maxAttempts: 1,
    // `https://bucket.s3.amazonaws.com/…` means us-east-1 only for old buckets: follow
    // S3's region hint instead of failing with PermanentRedirect.
    followRegionRedirects: true,
    // A custom endpoint (MinIO, Ceph, R2, tests) rarely has per-bucket DNS names.
    ...(s.endpoint === undefined ? {} : { endpoint: s.endpoint, forcePathStyle: true }),
    ...(s.userAgent === undefined ? {} : { customUserAgent: s.userAgent }),
    ...(mode === 'unsigned' ? unsignedAuth : {}),
  });
}

export type ProbeResult = { mode: 'signed' } | { mode: 'unsigned'; reason: 'no-credentials' | 'probe-timeout' };

/**
 * Asks a signed client's credential chain once, bounded by `timeoutMs` (IMDS on a machine
 * without it can take seconds). Credentials → signed; none, an error or no answer in time
 * → unsigned. Rejects only with `signal`'s reason.
 */
export async function probeCredentials(client: S3Client, timeoutMs: number, signal: AbortSignal): Promise<ProbeResult> {
  const call = callSignal(signal, timeoutMs);
  try {
    const credentials = (client.config.credentials as () => Promise<{ accessKeyId?: string }>)();
    const found = await raceAbort(credentials, call.signal, () => undefined);
    return found?.accessKeyId ? { mode: 'signed' } : { mode: 'unsigned', reason: 'no-credentials' };
  } catch {
    if (signal.aborted) throw signal.reason;
    return { mode: 'unsigned', reason: call.timedOut() ? 'probe-timeout' : 'no-credentials' };
  } finally {
    call.dispose();
  }
}
