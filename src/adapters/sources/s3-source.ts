/**
 * S3 object source (AGENT.md §9.4): `GetObject` through `@aws-sdk/client-s3`, so the
 * SDK's full credential chain, SigV4, endpoint rules (dotted buckets go path-style),
 * region redirects and `AWS_ENDPOINT_URL_S3` all work as in any AWS tool. Everything the
 * HTTP source guarantees holds: conditional polls (`If-None-Match`; 304 = unchanged),
 * a size cap while streaming, one total deadline, abort on stop, `source_*` codes.
 *
 * Signed or unsigned: the credential chain is asked once, on the first fetch, with a
 * bounded probe. Credentials → every request is signed. None → requests are anonymous
 * (a public bucket keeps working with no AWS setup, and no poll walks the chain again).
 * When S3 denies a request the other way is tried, at most once per `reprobeIntervalMs`
 * (the first time at once), and the agent keeps whichever works; each choice is reported
 * through `onAuthMode` (one log line).
 *
 * The SDK is imported on the first fetch only (it is its own bundle chunk).
 */
import type { GetObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import type { ArtifactSource, FetchRequest, FetchResult, SourceCapabilities, SourceValidator } from '../../domain/ports/artifact-source';
import { AgentError } from '../../domain/errors';
import { decodeUtf8, withDeadline } from './bounded-fetch';
import { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS } from './defaults';
import { sha256Hex } from './digest';
import { createS3Client, probeCredentials, type S3AuthMode, type S3ClientSettings, type S3Sdk } from './s3-clients';
import { s3Error } from './s3-errors';
import { destroyBody, readCapped } from './s3-body';
import { raceAbort } from '../kms/abort';

export interface S3SourceOptions extends S3ClientSettings {
  bucket: string;
  key: string;
  /** How the location was written (an https URL or `s3://…`), for logs; default `s3://bucket/key`. */
  description?: string;
  maxBytes?: number;
  timeoutMs?: number;
  /** Bound on the one-time credential lookup. Default 5 s. */
  credentialProbeTimeoutMs?: number;
  /** After a denial, how long before the other auth mode may be tried again. Default 5 min. */
  reprobeIntervalMs?: number;
  /** Told once per auth decision (never with credentials): the app logs it. */
  onAuthMode?: (mode: S3AuthMode, reason: string) => void;
  loadSdk?: () => Promise<S3Sdk>;
  now?: () => number;
}

const defaultLoadSdk = (): Promise<S3Sdk> => import('@aws-sdk/client-s3');

export class S3Source implements ArtifactSource {
  readonly type = 's3';
  readonly description: string;
  readonly cacheKey: string;
  readonly capabilities: SourceCapabilities = { conditional: true };
  private readonly o: Required<Pick<S3SourceOptions, 'maxBytes' | 'timeoutMs' | 'credentialProbeTimeoutMs' | 'reprobeIntervalMs' | 'now' | 'loadSdk'>>;
  private sdk?: Promise<S3Sdk>;
  private readonly clients = new Map<S3AuthMode, S3Client>();
  private mode?: S3AuthMode;
  private lastAlternateAt = -Infinity;

  constructor(private readonly options: S3SourceOptions) {
    this.o = {
      maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      credentialProbeTimeoutMs: options.credentialProbeTimeoutMs ?? 5_000,
      reprobeIntervalMs: options.reprobeIntervalMs ?? 5 * 60_000,
      now: options.now ?? Date.now,
      loadSdk: options.loadSdk ?? defaultLoadSdk,
    };
    this.description = options.description ?? `s3://${options.bucket}/${options.key}`;
    this.cacheKey = `s3:${sha256Hex(`${options.endpoint ?? ''}\n${options.bucket}\n${options.key}`)}`;
  }

  /** Current auth mode, once decided (tests, diagnostics). */
  get authMode(): S3AuthMode | undefined {
    return this.mode;
  }

  fetch({ previous, signal }: FetchRequest): Promise<FetchResult> {
    return withDeadline(signal, this.o.timeoutMs, async (s) => {
      // raceAbort: the SDK does not listen to the signal everywhere (credential lookups);
      // withDeadline turns the rejection into the caller's or the deadline's reason.
      const sdk = await raceAbort(this.sdkModule(), s, () => undefined);
      this.mode ??= await this.decideMode(sdk, s);
      try {
        return await this.get(sdk, this.mode, previous, s);
      } catch (e) {
        if (s.aborted) throw e;
        const err = s3Error(e, this.description);
        if (err.code !== 'source_auth' || this.o.now() - this.lastAlternateAt < this.o.reprobeIntervalMs) throw err;
        return await this.tryOtherMode(sdk, previous, s, err);
      }
    });
  }

  /** Releases the clients' sockets (shutdown, tests). */
  close(): void {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
  }

  private async decideMode(sdk: S3Sdk, signal: AbortSignal): Promise<S3AuthMode> {
    const probe = await probeCredentials(this.client(sdk, 'signed'), this.probeBudget(), signal);
    if (probe.mode === 'signed') {
      this.options.onAuthMode?.('signed', 'AWS credentials found by the default credential chain');
    } else {
      this.options.onAuthMode?.('unsigned', probe.reason === 'probe-timeout' ? 'AWS credential lookup did not answer in time; sending unsigned requests' : 'no AWS credentials found; sending unsigned requests (public objects only)');
    }
    return probe.mode;
  }

  /** S3 denied the current mode: try the other one once; keep it if S3 accepts it. */
  private async tryOtherMode(sdk: S3Sdk, previous: SourceValidator | undefined, signal: AbortSignal, denied: AgentError): Promise<FetchResult> {
    this.lastAlternateAt = this.o.now();
    const other: S3AuthMode = this.mode === 'signed' ? 'unsigned' : 'signed';
    if (other === 'signed') {
      // A fresh chain: the old client's provider may have memoised "nothing found".
      this.dropClient('signed');
      const probe = await probeCredentials(this.client(sdk, 'signed'), this.probeBudget(), signal);
      if (probe.mode !== 'signed') throw denied;
    }
    let result: FetchResult;
    try {
      result = await this.get(sdk, other, previous, signal);
    } catch (e) {
      if (signal.aborted) throw e;
      throw denied; // the first mode's denial says more (IAM hint) than the fallback's
    }
    this.mode = other;
    this.options.onAuthMode?.(other, other === 'signed' ? 'unsigned request denied; AWS credentials now found, signing requests' : 'signed request denied but the object is public; sending unsigned requests');
    return result;
  }

  private async get(sdk: S3Sdk, mode: S3AuthMode, previous: SourceValidator | undefined, signal: AbortSignal): Promise<FetchResult> {
    const command = new sdk.GetObjectCommand({ Bucket: this.options.bucket, Key: this.options.key, IfNoneMatch: previous?.etag });
    let out: GetObjectCommandOutput;
    try {
      out = await raceAbort(this.client(sdk, mode).send(command, { abortSignal: signal }), signal, (late) => destroyBody(late.Body));
    } catch (e) {
      if (signal.aborted) throw e;
      if ((e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 304) {
        if (!previous?.etag) throw new AgentError('source_bad_response', `${this.description} answered 304 to an unconditional request`);
        return { kind: 'unchanged' };
      }
      throw e;
    }
    const body = await readCapped(out.Body, out.ContentLength, this.o.maxBytes, signal);
    const document = decodeUtf8(body);
    const etag = out.ETag ?? undefined;
    const contentId = etag && !etag.startsWith('W/') ? etag : sha256Hex(body);
    return { kind: 'fetched', document, contentId, validator: { etag, contentId } };
  }

  /** At most half the fetch deadline, so a slow chain still ends in a decision (and a
   * request) instead of a timeout that would make every poll probe again. */
  private probeBudget(): number {
    return Math.min(this.o.credentialProbeTimeoutMs, Math.floor(this.o.timeoutMs / 2));
  }

  private client(sdk: S3Sdk, mode: S3AuthMode): S3Client {
    let c = this.clients.get(mode);
    if (!c) {
      c = createS3Client(sdk, mode, this.options);
      this.clients.set(mode, c);
    }
    return c;
  }

  private dropClient(mode: S3AuthMode): void {
    this.clients.get(mode)?.destroy();
    this.clients.delete(mode);
  }

  private sdkModule(): Promise<S3Sdk> {
    this.sdk ??= this.o.loadSdk().catch((e: unknown) => {
      this.sdk = undefined; // a later poll may retry the load
      throw new AgentError('fetch_failed', 'the AWS S3 SDK (@aws-sdk/client-s3) could not be loaded', { cause: e });
    });
    return this.sdk;
  }
}
