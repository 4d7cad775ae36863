/**
 * GitHub (and GitHub Enterprise Server) contents API with the raw media type, so files
 * over 1 MB work (W9). Change detection uses the response ETag: GitHub answers
 * `If-None-Match` with 304, and conditional 304s do not count against the rate limit.
 * contentId is computed as the git blob SHA-1 of the received bytes (equal to GitHub's
 * blob sha) rather than read from the ETag, whose format GitHub does not document.
 */
import type { FetchResult, SourceValidator } from '../../../domain/ports/artifact-source';
import { AgentError } from '../../../domain/errors';
import type { BoundedResponse } from '../bounded-fetch';
import { decodeUtf8 } from '../bounded-fetch';
import { gitBlobSha1 } from '../digest';
import { parseEpochReset, parseRetryAfter } from '../retry-after';
import { enc, encodeSegments, repoSegments, VcsSource, VcsSourceOptions } from './vcs-http';

export type GitHubSourceOptions = VcsSourceOptions;

export class GitHubSource extends VcsSource {
  constructor(options: GitHubSourceOptions) {
    super(
      {
        name: 'github',
        defaultApiUrl: 'https://api.github.com',
        checkRepo: (repo) => repoSegments(repo, 2),
        authHeaders: (token) => ({ authorization: `Bearer ${token}`, 'x-github-api-version': '2022-11-28' }),
      },
      options,
    );
  }

  protected async fetchWithin(previous: SourceValidator | undefined, signal: AbortSignal): Promise<FetchResult> {
    const [owner, name] = this.repo.split('/');
    // No ref → GitHub serves the default branch itself; no lookup needed.
    const url = this.endpoint(`/repos/${enc(owner)}/${enc(name)}/contents/${encodeSegments(this.path)}`, { ref: this.ref });
    const headers: Record<string, string> = { accept: 'application/vnd.github.raw' };
    if (previous?.etag) headers['if-none-match'] = previous.etag;
    const res = await this.request(url, signal, { headers });
    if (res.status === 304 && previous?.etag) return { kind: 'unchanged' };
    const limited = rateLimited(res, this.description);
    if (limited) throw limited;
    this.ensureOk(res);
    const contentId = gitBlobSha1(res.body);
    const etag = res.headers.get('etag') ?? undefined;
    return { kind: 'fetched', document: decodeUtf8(res.body), contentId, validator: { etag, contentId } };
  }
}

/** GitHub signals primary limits with 403/429 + `x-ratelimit-remaining: 0` (wait until
 * `x-ratelimit-reset`) and secondary limits with 403/429 + `Retry-After`; a plain 403
 * without either is a permission problem and stays source_auth. */
function rateLimited(res: BoundedResponse, what: string): AgentError | undefined {
  if (res.status !== 403 && res.status !== 429) return undefined;
  const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
  const exhausted = res.headers.get('x-ratelimit-remaining') === '0';
  if (res.status === 403 && !exhausted && retryAfter === undefined) return undefined;
  const retryAfterMs = retryAfter ?? (exhausted ? parseEpochReset(res.headers.get('x-ratelimit-reset')) : undefined);
  return new AgentError('source_rate_limited', `${what} hit the GitHub API rate limit (HTTP ${res.status})`, { retryAfterMs });
}
