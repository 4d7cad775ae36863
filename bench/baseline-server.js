'use strict';
/**
 * The baseline of every HTTP scenario: a bare node:http server in its own process that
 * answers each path with the exact bytes and headers the agent sent for it (captured by
 * the bench from the running agent), looked up in a Map. No framework, no checks: the
 * floor any Node HTTP server on this machine can reach.
 *
 *   node bench/baseline-server.js <routes.json> <port>
 *   routes.json: [{ "path", "status", "headers": {Name: value}, "body": base64 }]
 */
const http = require('node:http');
const { readFileSync } = require('node:fs');

const [routesFile, port] = process.argv.slice(2);
const routes = new Map();
for (const r of JSON.parse(readFileSync(routesFile, 'utf8'))) {
  const body = Buffer.from(r.body, 'base64');
  routes.set(r.path, { status: r.status, headers: { ...r.headers, 'Content-Length': String(body.length) }, body });
}
const notFoundBody = Buffer.from('{"error":"not found","code":"not_found"}');
const notFound = { status: 404, headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(notFoundBody.length) }, body: notFoundBody };

const server = http.createServer((req, res) => {
  const r = routes.get(req.url) || notFound;
  res.writeHead(r.status, r.headers);
  res.end(r.body);
});
server.listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
