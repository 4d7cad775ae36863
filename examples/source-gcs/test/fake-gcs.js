/**
 * A loopback fake of the Cloud Storage JSON API, as much as the source uses:
 *   GET [/storage/v1]/b/{bucket}/o/{object}              object metadata (generation, size, etag)
 *   GET [/storage/v1]/b/{bucket}/o/{object}?alt=media    the bytes (`generation=` pins one)
 * Errors are the API's JSON error bodies. Faults: `denied` (403 for everything, as after an
 * IAM change), `hang` (requests are held unanswered until close).
 */
import { createHash } from 'node:crypto';
import http from 'node:http';

export class FakeGcs {
  /** @type {Map<string, { data: Buffer, generation: number }>} */
  objects = new Map();
  /** Every request path with its query, in order. */
  log = [];
  denied = false;
  hang = false;
  #generation = 1_700_000_000_000_000;
  #held = [];
  #heldWaiters = [];

  static async start() {
    const fake = new FakeGcs();
    fake.server = http.createServer((req, res) => fake.#handle(req, res));
    await new Promise((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${fake.server.address().port}`;
    return fake;
  }

  put(bucket, name, data) {
    this.#generation += 1;
    this.objects.set(`${bucket}/${name}`, { data: Buffer.from(data), generation: this.#generation });
  }

  remove(bucket, name) {
    this.objects.delete(`${bucket}/${name}`);
  }

  /** Resolves once a request is being held by `hang`. */
  whenHeld() {
    return this.#held.length > 0 ? Promise.resolve() : new Promise((resolve) => this.#heldWaiters.push(resolve));
  }

  async close() {
    for (const res of this.#held) res.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  #handle(req, res) {
    this.log.push(req.url);
    if (this.hang) {
      this.#held.push(res);
      for (const wake of this.#heldWaiters.splice(0)) wake();
      return;
    }
    const url = new URL(req.url, 'http://fake');
    const route = /^(?:\/storage\/v1)?\/b\/([^/]+)\/o\/([^/]+)$/.exec(url.pathname);
    if (req.method !== 'GET' || !route) return error(res, 404, 'Not Found');
    if (this.denied) return error(res, 403, 'caller does not have storage.objects.get access to the Google Cloud Storage object.');
    const [bucket, name] = [decodeURIComponent(route[1]), decodeURIComponent(route[2])];
    const object = this.objects.get(`${bucket}/${name}`);
    const pinned = url.searchParams.get('generation');
    if (!object || (pinned !== null && pinned !== String(object.generation))) return error(res, 404, `No such object: ${bucket}/${name}`);
    if (url.searchParams.get('alt') === 'media') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-goog-generation': String(object.generation), 'content-length': object.data.length });
      return res.end(object.data);
    }
    const body = {
      kind: 'storage#object',
      id: `${bucket}/${name}/${object.generation}`,
      bucket,
      name,
      generation: String(object.generation),
      metageneration: '1',
      size: String(object.data.length),
      md5Hash: createHash('md5').update(object.data).digest('base64'),
      etag: `C${object.generation.toString(36)}EAE=`,
    };
    res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify(body));
  }
}

function error(res, code, message) {
  res.writeHead(code, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify({ error: { code, message, errors: [{ message, domain: 'global', reason: code === 404 ? 'notFound' : 'forbidden' }] } }));
}
