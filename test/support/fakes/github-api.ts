/**
 * Loopback GitHub REST API: `GET {base}/repos/{owner}/{repo}/contents/{path}[?ref=]`.
 * With `Accept: application/vnd.github.raw` it answers the raw bytes with the blob SHA
 * as ETag and honours If-None-Match (304); otherwise it answers the JSON object with
 * base64 `content` like the real API. Checks the Bearer token and records the
 * `X-GitHub-Api-Version` it was sent (in the request log). Mountable under a base path
 * (`/api/v3`, as GitHub Enterprise Server serves it).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackServer, segments, sendJson } from './loopback-server';

interface Repo {
  defaultBranch: string;
  /** ref → path → bytes */
  refs: Map<string, Map<string, Buffer>>;
}

export function gitBlobSha(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

export class FakeGitHubApi {
  /** The only token accepted; change it to make the adapter's token stale. */
  token: string;
  /** When set, every request gets the primary rate-limit 403 with this reset instant (epoch s). */
  rateLimitResetEpoch: number | undefined;
  private readonly repos = new Map<string, Repo>();

  private constructor(readonly http: LoopbackServer, readonly basePath: string, token: string) {
    this.token = token;
  }

  static async start(options: { token: string; basePath?: string }): Promise<FakeGitHubApi> {
    let self!: FakeGitHubApi;
    const http = await LoopbackServer.start((req, res) => self.handle(req, res));
    self = new FakeGitHubApi(http, options.basePath ?? '', options.token);
    return self;
  }

  /** The `apiUrl` to configure: origin plus base path. */
  get apiUrl(): string {
    return this.http.origin + this.basePath;
  }

  addRepo(fullName: string, defaultBranch = 'main'): void {
    this.repos.set(fullName, { defaultBranch, refs: new Map([[defaultBranch, new Map()]]) });
  }

  putFile(fullName: string, path: string, content: string | Buffer, ref?: string): void {
    const repo = this.repo(fullName);
    const r = ref ?? repo.defaultBranch;
    if (!repo.refs.has(r)) repo.refs.set(r, new Map());
    repo.refs.get(r)!.set(path, Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'));
  }

  deleteFile(fullName: string, path: string, ref?: string): void {
    const repo = this.repo(fullName);
    repo.refs.get(ref ?? repo.defaultBranch)?.delete(path);
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private repo(fullName: string): Repo {
    const repo = this.repos.get(fullName);
    if (!repo) throw new Error(`fake repo ${fullName} not added`);
    return repo;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (!url.pathname.startsWith(this.basePath + '/')) return sendJson(res, 404, { message: 'Not Found' });
    if (req.headers.authorization !== `Bearer ${this.token}`) return sendJson(res, 401, { message: 'Bad credentials' });
    if (this.rateLimitResetEpoch !== undefined) {
      return sendJson(res, 403, { message: 'API rate limit exceeded' }, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(this.rateLimitResetEpoch) });
    }
    const [kind, owner, name, contents, ...path] = segments(url.pathname.slice(this.basePath.length));
    const repo = this.repos.get(`${owner}/${name}`);
    if (kind !== 'repos' || contents !== 'contents' || !repo || req.method !== 'GET') return sendJson(res, 404, { message: 'Not Found' });
    const filePath = path.join('/');
    const bytes = repo.refs.get(url.searchParams.get('ref') ?? repo.defaultBranch)?.get(filePath);
    if (!bytes) return sendJson(res, 404, { message: 'Not Found' });
    const sha = gitBlobSha(bytes);
    const etag = `"${sha}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag });
      return void res.end();
    }
    if (req.headers.accept === 'application/vnd.github.raw') {
      res.writeHead(200, { 'content-type': 'application/vnd.github.raw', 'content-length': String(bytes.length), etag });
      return void res.end(bytes);
    }
    const b64 = bytes.toString('base64').replace(/.{60}/g, '$&\n'); // GitHub wraps base64 lines
    sendJson(res, 200, { type: 'file', encoding: 'base64', path: filePath, name: path[path.length - 1], sha, size: bytes.length, content: b64 }, { etag });
  }
}
