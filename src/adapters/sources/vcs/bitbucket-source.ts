/**
 * Bitbucket Cloud source API. The default branch comes from the repository's
 * `mainbranch` (not a hard-coded `main`, D12); metadata needs `?format=meta` (W9). The
 * raw download is pinned to the commit the metadata named, so contentId and content
 * always match even if the branch moves between the two requests. Auth is Bearer
 * (repository/workspace access tokens); app passwords, which need Basic, are not supported.
 */
import type { FetchResult, SourceValidator } from '../../../domain/ports/artifact-source';
import { decodeUtf8 } from '../bounded-fetch';
import { enc, encodeSegments, repoSegments, VcsSource, VcsSourceOptions } from './vcs-http';

export type BitbucketSourceOptions = VcsSourceOptions;

export class BitbucketSource extends VcsSource {
  constructor(options: BitbucketSourceOptions) {
    super(
      {
        name: 'bitbucket',
        defaultApiUrl: 'https://api.bitbucket.org',
        checkRepo: (repo) => repoSegments(repo, 2),
        authHeaders: (token) => ({ authorization: `Bearer ${token}` }),
      },
      options,
    );
  }

  protected async fetchWithin(previous: SourceValidator | undefined, signal: AbortSignal): Promise<FetchResult> {
    const [workspace, slug] = this.repo.split('/');
    const repo = `/2.0/repositories/${enc(workspace)}/${enc(slug)}`;
    const ref = await this.resolveRef(signal, async (s) => {
      const main = this.json(await this.request(this.endpoint(repo), s)).mainbranch as { name?: unknown } | null | undefined;
      if (typeof main?.name !== 'string' || !main.name) throw this.malformed('repository has no mainbranch');
      return main.name;
    });
    const path = encodeSegments(this.path);
    const metaUrl = this.endpoint(`${repo}/src/${enc(ref)}/${path}`, { format: 'meta' });
    const meta = this.json(await this.request(metaUrl, signal, { headers: { accept: 'application/json' } }));
    const hash = (meta.commit as { hash?: unknown } | null | undefined)?.hash;
    if (typeof hash !== 'string' || !/^[0-9a-f]{7,64}$/i.test(hash)) throw this.malformed('file metadata has no commit.hash');
    if (previous?.contentId === hash) return { kind: 'unchanged' };
    const raw = await this.request(this.endpoint(`${repo}/src/${enc(hash)}/${path}`), signal);
    this.ensureOk(raw);
    return { kind: 'fetched', document: decodeUtf8(raw.body), contentId: hash, validator: { contentId: hash } };
  }
}
