/**
 * Loopback GitLab REST API v4: `GET {base}/api/v4/projects/{id}` (default_branch),
 * `HEAD|GET {base}/api/v4/projects/{id}/repository/files/{file_path}?ref=` (blob id
 * headers; GET answers JSON with base64 content) and `GET …/files/{file_path}/raw?ref=`.
 * Like GitLab, the project path and file path must each arrive as ONE percent-encoded
 * segment (`group%2Fproject`, `.clef%2Fpacked%2F…`) and `ref` is required. Checks
 * `PRIVATE-TOKEN`. Mountable under a sub-path (`/gitlab`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gitBlobSha } from './github-api';
import { LoopbackServer, segments, sendJson } from './loopback-server';

interface Project {
  id: number;
  defaultBranch: string;
  refs: Map<string, Map<string, Buffer>>;
}

export class FakeGitLabApi {
  token: string;
  /** Answer the project endpoint with a truncated JSON body. */
  malformedProject = false;
  private readonly projects = new Map<string, Project>();

  private constructor(readonly http: LoopbackServer, readonly basePath: string, token: string) {
    this.token = token;
  }

  static async start(options: { token: string; basePath?: string }): Promise<FakeGitLabApi> {
    let self!: FakeGitLabApi;
    const http = await LoopbackServer.start((req, res) => self.handle(req, res));
    self = new FakeGitLabApi(http, options.basePath ?? '', options.token);
    return self;
  }

  get apiUrl(): string {
    return this.http.origin + this.basePath;
  }

  addProject(pathWithNamespace: string, defaultBranch = 'main'): void {
    this.projects.set(pathWithNamespace, { id: this.projects.size + 1, defaultBranch, refs: new Map([[defaultBranch, new Map()]]) });
  }

  putFile(project: string, path: string, content: string | Buffer, ref?: string): void {
    const p = this.projects.get(project)!;
    const r = ref ?? p.defaultBranch;
    if (!p.refs.has(r)) p.refs.set(r, new Map());
    p.refs.get(r)!.set(path, Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'));
  }

  deleteFile(project: string, path: string, ref?: string): void {
    const p = this.projects.get(project)!;
    p.refs.get(ref ?? p.defaultBranch)?.delete(path);
  }

  setDefaultBranch(project: string, branch: string): void {
    this.projects.get(project)!.defaultBranch = branch;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (!url.pathname.startsWith(this.basePath + '/')) return sendJson(res, 404, { message: '404 Not Found' });
    if (req.headers['private-token'] !== this.token) return sendJson(res, 401, { message: '401 Unauthorized' });
    const [api, v4, projects, id, repository, files, filePath, raw, ...extra] = segments(url.pathname.slice(this.basePath.length));
    const project = [...this.projects.entries()].find(([name, p]) => name === id || String(p.id) === id)?.[1];
    if (api !== 'api' || v4 !== 'v4' || projects !== 'projects' || !project || extra.length > 0) return sendJson(res, 404, { message: '404 Project Not Found' });
    if (repository === undefined) {
      if (this.malformedProject) return sendJson(res, 200, '{"id": 1, "default_branch": "ma');
      return sendJson(res, 200, { id: project.id, path_with_namespace: id, default_branch: project.defaultBranch });
    }
    if (repository !== 'repository' || files !== 'files' || !filePath || (raw !== undefined && raw !== 'raw')) return sendJson(res, 404, { message: '404 Not Found' });
    const ref = url.searchParams.get('ref');
    if (!ref) return sendJson(res, 400, { error: 'ref is missing' });
    const bytes = project.refs.get(ref)?.get(filePath);
    if (!bytes) return sendJson(res, 404, { message: '404 File Not Found' });
    const blobId = gitBlobSha(bytes);
    const meta = { 'x-gitlab-blob-id': blobId, 'x-gitlab-commit-id': 'c'.repeat(40), 'x-gitlab-file-path': filePath, 'x-gitlab-ref': ref, 'x-gitlab-size': String(bytes.length) };
    if (raw === 'raw') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(bytes.length), ...meta });
      return void res.end(req.method === 'HEAD' ? undefined : bytes);
    }
    if (req.method === 'HEAD') {
      res.writeHead(200, meta);
      return void res.end();
    }
    sendJson(res, 200, { file_path: filePath, ref, blob_id: blobId, encoding: 'base64', size: bytes.length, content: bytes.toString('base64') }, meta);
  }
}
