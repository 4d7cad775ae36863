/**
 * GitLab (gitlab.com or self-managed, also under a sub-path) repository files API.
 * `ref` is required by GitLab, so when unset the project's default branch is looked up
 * once and cached (D12). Change detection: a HEAD on the files endpoint returns
 * `X-Gitlab-Blob-Id` without the content; only when it differs from the previous
 * contentId is the raw file downloaded. GitLab's ETag support on these endpoints is not
 * documented, so it is not relied on.
 */
import type { FetchResult, SourceValidator } from '../../../domain/ports/artifact-source';
import { decodeUtf8 } from '../bounded-fetch';
import { gitBlobSha1 } from '../digest';
import { enc, repoSegments, VcsSource, VcsSourceOptions } from './vcs-http';

export type GitLabSourceOptions = VcsSourceOptions;

export class GitLabSource extends VcsSource {
  constructor(options: GitLabSourceOptions) {
    super(
      {
        name: 'gitlab',
        defaultApiUrl: 'https://gitlab.com',
        checkRepo: (repo) => {
          if (/^\d+$/.test(repo)) return; // numeric project id
          if (repoSegments(repo).length < 2) throw new TypeError('repository must be a numeric id or "group[/subgroup]/project"');
        },
        authHeaders: (token) => ({ 'private-token': token }),
      },
      options,
    );
  }

  protected async fetchWithin(previous: SourceValidator | undefined, signal: AbortSignal): Promise<FetchResult> {
    const project = `/api/v4/projects/${enc(this.repo)}`;
    const ref = await this.resolveRef(signal, async (s) => {
      const branch = this.json(await this.request(this.endpoint(project), s)).default_branch;
      if (typeof branch !== 'string' || !branch) throw this.malformed('project has no default_branch');
      return branch;
    });
    const file = `${project}/repository/files/${enc(this.path)}`;
    if (previous?.contentId) {
      const head = await this.request(this.endpoint(file, { ref }), signal, { method: 'HEAD' });
      this.ensureOk(head);
      if (head.headers.get('x-gitlab-blob-id') === previous.contentId) return { kind: 'unchanged' };
    }
    const raw = await this.request(this.endpoint(`${file}/raw`, { ref }), signal);
    this.ensureOk(raw);
    // The raw response's own blob id describes exactly these bytes; the computed git blob
    // sha is the same value for SHA-1 repositories and covers a proxy that strips headers.
    const contentId = raw.headers.get('x-gitlab-blob-id') ?? gitBlobSha1(raw.body);
    return { kind: 'fetched', document: decodeUtf8(raw.body), contentId, validator: { contentId } };
  }
}
