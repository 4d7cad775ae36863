/**
 * Where packed artifacts come from (file, HTTP(S), GitHub, GitLab, Bitbucket, ...).
 * Adapters map their failures onto the `source_*` error codes so the domain and the
 * contract suite treat every source alike.
 */
export const ArtifactSource = Symbol.for('clef-agent.ArtifactSource');

/** What a source remembers from the last accepted response to make the next fetch
 * conditional. Opaque to the domain; persisted in the artifact cache. */
export interface SourceValidator {
  etag?: string;
  lastModified?: string;
  /** Blob SHA / commit id / content digest reported by the source. */
  contentId?: string;
}

export type FetchResult =
  | { kind: 'unchanged' }
  | {
      kind: 'fetched';
      /** The document text, exactly as stored at the source. */
      document: string;
      /** Stable identity of this content at the source (blob sha, ETag, digest). */
      contentId?: string;
      validator?: SourceValidator;
    };

export interface FetchRequest {
  /** Validator of the last accepted document, if any; absent after a wipe. */
  previous?: SourceValidator;
  signal: AbortSignal;
}

export interface SourceCapabilities {
  /** The source can answer "unchanged" without sending the document. */
  conditional: boolean;
}

export interface ArtifactSource {
  /** `file`, `http`, `github`, `gitlab`, `bitbucket`, `memory`, ... */
  readonly type: string;
  /** Human description, safe to log: credentials and signed query strings redacted. */
  readonly description: string;
  /** Stable, credential-free identity of this artifact location, used to namespace
   * cache entries so two sources sharing a cache never read each other's entry. */
  readonly cacheKey: string;
  readonly capabilities: SourceCapabilities;
  fetch(request: FetchRequest): Promise<FetchResult>;
}
