'use strict';
/**
 * The second floor of every serving row: bare node:http doing the checks every agent
 * request must do, with no framework. Per request, in the agent's order: security headers
 * are part of the replayed headers; Host allowlist (127.0.0.1 / localhost, with and without
 * the port, duplicate Host refused); no Forwarded / X-Forwarded-For; origin-form target;
 * on the secret routes a bearer token hashed with one-shot SHA-256 and compared with
 * timingSafeEqual against the stored digest, as src/adapters/http/authenticator.ts does.
 * Then the same bytes and headers as the agent (captured from it), looked up in a Map.
 *
 *   node bench/checked-floor-server.js <routes.json> <port>   (token: BENCH_TOKEN)
 */
const http = require('node:http');
const { hash, timingSafeEqual } = require('node:crypto');
const { readFileSync } = require('node:fs');

const [routesFile, port] = process.argv.slice(2);
const expected = hash('sha256', Buffer.from(process.env.BENCH_TOKEN ?? '', 'latin1'), 'buffer');
const allowed = new Set(['127.0.0.1', `127.0.0.1:${port}`, 'localhost', `localhost:${port}`]);
const open = new Set(['/v1/ready', '/v1/health']);
const json = (status, text) => {
  const body = Buffer.from(text);
  return { status, headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(body.length) }, body };
};
const routes = new Map();
for (const r of JSON.parse(readFileSync(routesFile, 'utf8'))) {
  const body = Buffer.from(r.body, 'base64');
  routes.set(r.path, { status: r.status, headers: { ...r.headers, 'Content-Length': String(body.length) }, body });
}
const notFound = json(404, '{"error":"not found","code":"not_found"}');
const forbidden = json(403, '{"error":"forbidden: invalid Host header","code":"forbidden_host"}');
const badRequest = json(400, '{"error":"bad request","code":"bad_request"}');
const unauthorized = json(401, '{"error":"unauthorized","code":"unauthorized"}');

function duplicateHost(raw) {
  let seen = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i].length === 4 && raw[i].toLowerCase() === 'host' && ++seen > 1) return true;
  return false;
}

function authorized(header) {
  if (header === undefined || header.length <= 7 || header.charCodeAt(6) !== 0x20 || header.slice(0, 6).toLowerCase() !== 'bearer') return false;
  return timingSafeEqual(hash('sha256', Buffer.from(header.slice(7), 'latin1'), 'buffer'), expected);
}

function answer(req) {
  const host = req.headers.host;
  if (host === undefined || !(allowed.has(host) || allowed.has(host.toLowerCase()))) return forbidden;
  if (duplicateHost(req.rawHeaders)) return badRequest;
  if (req.headers.forwarded !== undefined || req.headers['x-forwarded-for'] !== undefined || req.url.charCodeAt(0) !== 0x2f) return badRequest;
  const r = routes.get(req.url);
  if (r === undefined) return notFound;
  if (!open.has(req.url) && !authorized(req.headers.authorization)) return unauthorized;
  return r;
}

const server = http.createServer((req, res) => {
  const r = answer(req);
  res.writeHead(r.status, r.headers);
  res.end(r.body);
});
server.listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
