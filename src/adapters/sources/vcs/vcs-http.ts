/**
 * Shared plumbing for the VCS sources (GitHub, GitLab, Bitbucket): option validation,
 * URL building that appends to the API base path (GHE `/api/v3`, GitLab under a
 * sub-path — DIFFERENCES D13), per-segment encoding, the default-branch cache, and
 * status mapping with provider hints. All HTTP goes through `boundedFetch`.
 */
import type { ArtifactSource, FetchRequest, FetchResult, SourceCapabilities, SourceValidator } from '../../../domain/ports/artifact-source';
import { AgentError } from '../../../domain/errors';
import { boundedFetch, BoundedResponse, withDeadline } from '../bounded-fetch';
import { sha256Hex } from '../digest';
import { statusError } from '../http-status';
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_REDIRECTS, DEFAULT_TIMEOUT_MS, DEFAULT_USER_AGENT } from '../defaults';
import { redactUrl } from '../redact';
import { parseSourceUrl } from '../url-policy';

export interface VcsSourceOptions {
  /** `owner/repo` (GitHub), `workspace/slug` (Bitbucket), `group[/subgroup]/project` or numeric id (GitLab). */
  repo: string;
  token: string;
  identity: string;
  environment: string;
  /** Branch, tag or commit; unset means the repository's default branch. */
  ref?: string;
  /** API base, path kept: `https://ghe.example.com/api/v3`, `https://example.com/gitlab`. */
  apiUrl?: string;
  timeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
  userAgent?: string;
  allowInsecureHttp?: boolean;
}

export interface VcsProvider {
  name: 'github' | 'gitlab' | 'bitbucket';
  defaultApiUrl: string;
  /** Checks the repo string's shape; throws TypeError when wrong. */
  checkRepo(repo: string): void;
  authHeaders(token: string): Record<string, string>;
}

export const enc = encodeURIComponent;

/** `.clef/packed/<identity>/<environment>.age.json`, each segment percent-encoded. */
export function encodeSegments(path: string): string {
  return path.split('/').map(enc).join('/');
}

/** Rejects segments that would change the path's shape once in a URL (`/`, `..`, `%2e%2e`). */
export function checkSegment(value: string, what: string): void {
  if (!value || value === '.' || value === '..' || /[/\\\u0000-\u001f]/.test(value)) {
    throw new TypeError(`${what} must be a single non-empty path segment`);
  }
}

export function repoSegments(repo: string, exactly?: number): string[] {
  const parts = repo.split('/');
  if (exactly !== undefined && parts.length !== exactly) throw new TypeError(`repository must have ${exactly} segments ("owner/name")`);
  parts.forEach((p) => checkSegment(p, 'repository segment'));
  return parts;
}

export abstract class VcsSource implements ArtifactSource {
  readonly type: string;
  readonly description: string;
  readonly cacheKey: string;
  readonly capabilities: SourceCapabilities = { conditional: true };
  protected readonly repo: string;
  protected readonly ref: string | undefined;
  /** Repository-relative path of the packed artifact (unencoded). */
  protected readonly path: string;
  private readonly base: string;
  private readonly auth: Record<string, string>;
  private readonly limits: { timeoutMs: number; maxBytes: number; maxRedirects: number; userAgent: string; allowInsecureHttp: boolean };
  private defaultRef: string | undefined;

  /** @throws TypeError for malformed options; InsecureSourceError for a plain-http API off loopback. */
  constructor(provider: VcsProvider, o: VcsSourceOptions) {
    checkSegment(o.identity, 'identity');
    checkSegment(o.environment, 'environment');
    provider.checkRepo(o.repo);
    if (o.ref !== undefined && (!o.ref || /[\u0000-\u001f]/.test(o.ref))) throw new TypeError('ref must be non-empty');
    // Tokens go into a header; rejecting odd bytes here keeps fetch from echoing them.
    if (!/^[\x21-\x7e]+$/.test(o.token)) throw new TypeError(`${provider.name} token is empty or has invalid characters`);
    this.limits = {
      timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxBytes: o.maxBytes ?? DEFAULT_MAX_BYTES,
      maxRedirects: o.maxRedirects ?? DEFAULT_MAX_REDIRECTS,
      userAgent: o.userAgent ?? DEFAULT_USER_AGENT,
      allowInsecureHttp: o.allowInsecureHttp ?? false,
    };
    const api = parseSourceUrl(o.apiUrl ?? provider.defaultApiUrl, this.limits.allowInsecureHttp);
    if (api.username || api.password || api.search || api.hash) throw new TypeError('apiUrl must not carry credentials, a query or a fragment');
    this.base = api.origin + api.pathname.replace(/\/+$/, '');
    this.type = provider.name;
    this.repo = o.repo;
    this.ref = o.ref;
    this.path = `.clef/packed/${o.identity}/${o.environment}.age.json`;
    this.auth = provider.authHeaders(o.token);
    const via = o.apiUrl === undefined ? '' : ` via ${redactUrl(this.base)}`;
    this.description = `${provider.name}:${o.repo}@${o.ref ?? '(default branch)'} ${this.path}${via}`;
    this.cacheKey = `${provider.name}:${sha256Hex(JSON.stringify([this.base, o.repo, o.ref ?? '', this.path]))}`;
  }

  fetch({ previous, signal }: FetchRequest): Promise<FetchResult> {
    return withDeadline(signal, this.limits.timeoutMs, (s) => this.fetchWithin(previous, s));
  }

  protected abstract fetchWithin(previous: SourceValidator | undefined, signal: AbortSignal): Promise<FetchResult>;

  /** `{base}{encodedPath}?{query}`: appended to the base path, never resolved against it. */
  protected endpoint(encodedPath: string, query: Record<string, string | undefined> = {}): URL {
    const url = new URL(this.base + encodedPath);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    return url;
  }

  protected request(url: URL, signal: AbortSignal, init: { method?: 'GET' | 'HEAD'; headers?: Record<string, string> } = {}): Promise<BoundedResponse> {
    return boundedFetch(url, { ...this.limits, ...init, headers: { ...init.headers, ...this.auth }, signal });
  }

  /** Throws the mapped error for a non-2xx response. A 404 also forgets the cached
   * default branch: the branch may have been renamed, so the next poll resolves again. */
  protected ensureOk(res: BoundedResponse): void {
    if (res.status >= 200 && res.status < 300) return;
    if (res.status === 404) this.defaultRef = undefined;
    throw statusError(res.status, res.headers, this.description, {
      auth: `check that the ${this.type} token is valid, unexpired and can read ${this.repo} (repository contents read scope)`,
      notFound: `no artifact at ${this.path}${this.ref ? ` on ${this.ref}` : ''}: is it packed and published for this identity/environment, and is the repository/ref right?`,
    });
  }

  protected json(res: BoundedResponse): Record<string, unknown> {
    this.ensureOk(res);
    try {
      const value: unknown = JSON.parse(res.body.toString('utf8'));
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // fall through: reported below without echoing the body
    }
    throw this.malformed(`malformed ${this.type} API metadata`);
  }

  /** The configured ref, else the default branch looked up once and cached. */
  protected async resolveRef(signal: AbortSignal, lookup: (signal: AbortSignal) => Promise<string>): Promise<string> {
    if (this.ref !== undefined) return this.ref;
    this.defaultRef ??= await lookup(signal);
    return this.defaultRef;
  }

  protected malformed(detail: string): AgentError {
    return new AgentError('source_bad_response', `${this.description}: ${detail}`);
  }
}
