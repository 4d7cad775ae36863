/**
 * Loopback Bitbucket Cloud API 2.0: `GET {base}/2.0/repositories/{ws}/{slug}`
 * (`mainbranch.name`) and `GET {base}/2.0/repositories/{ws}/{slug}/src/{ref}/{path}`:
 * raw bytes, or the `commit_file` JSON (with `commit.hash`) when `?format=meta` — and,
 * as on the real service, raw content regardless of `Accept` otherwise. Every write is
 * a new commit, so `ref` may be a branch or a commit hash. Checks the Bearer token.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackServer, segments, sendJson } from './loopback-server';

interface Repo {
  mainbranch: string;
  branches: Map<string, string>;
  commits: Map<string, Map<string, Buffer>>;
}

export class FakeBitbucketApi {
  token: string;
  /** Answer `?format=meta` with a truncated JSON body. */
  malformedMeta = false;
  private readonly repos = new Map<string, Repo>();
  private commitCounter = 0;

  private constructor(readonly http: LoopbackServer, readonly basePath: string, token: string) {
    this.token = token;
  }

  static async start(options: { token: string; basePath?: string }): Promise<FakeBitbucketApi> {
    let self!: FakeBitbucketApi;
    const http = await LoopbackServer.start((req, res) => self.handle(req, res));
    self = new FakeBitbucketApi(http, options.basePath ?? '', options.token);
    return self;
  }

  get apiUrl(): string {
    return this.http.origin + this.basePath;
  }

  addRepo(fullName: string, mainbranch = 'main'): void {
    this.repos.set(fullName, { mainbranch, branches: new Map(), commits: new Map() });
  }

  /** Commits `content` at `path` on `branch` (default: the main branch); returns the commit hash. */
  putFile(fullName: string, path: string, content: string | Buffer | undefined, branch?: string): string {
    const repo = this.repos.get(fullName)!;
    const b = branch ?? repo.mainbranch;
    const head = repo.branches.get(b);
    const tree = new Map(head ? repo.commits.get(head) : []);
    if (content === undefined) tree.delete(path);
    else tree.set(path, Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'));
    const hash = createHash('sha1').update(`commit ${++this.commitCounter}`).digest('hex');
    repo.commits.set(hash, tree);
    repo.branches.set(b, hash);
    return hash;
  }

  deleteFile(fullName: string, path: string, branch?: string): string {
    return this.putFile(fullName, path, undefined, branch);
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const notFound = () => sendJson(res, 404, { type: 'error', error: { message: 'Resource not found' } });
    if (!url.pathname.startsWith(this.basePath + '/')) return notFound();
    if (req.headers.authorization !== `Bearer ${this.token}`) return sendJson(res, 401, { type: 'error', error: { message: 'Access token expired or invalid' } });
    const [version, repositories, ws, slug, src, ref, ...path] = segments(url.pathname.slice(this.basePath.length));
    const repo = this.repos.get(`${ws}/${slug}`);
    if (version !== '2.0' || repositories !== 'repositories' || !repo || req.method !== 'GET') return notFound();
    if (src === undefined) {
      return sendJson(res, 200, { type: 'repository', full_name: `${ws}/${slug}`, mainbranch: { type: 'branch', name: repo.mainbranch } });
    }
    const hash = repo.branches.get(ref) ?? (repo.commits.has(ref) ? ref : undefined);
    const filePath = path.join('/');
    const bytes = hash ? repo.commits.get(hash)!.get(filePath) : undefined;
    if (src !== 'src' || !hash || !bytes) return notFound();
    if (url.searchParams.get('format') === 'meta') {
      if (this.malformedMeta) return sendJson(res, 200, '{"path": ".clef/pa');
      return sendJson(res, 200, { type: 'commit_file', path: filePath, size: bytes.length, commit: { type: 'commit', hash } });
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) });
    res.end(bytes);
  }
}
