'use strict';
/**
 * The Koa floor: the same routes file as bench/baseline-server.js, served by a Koa app with
 * a single middleware (no router, no checks). It shows what the framework itself costs on
 * this machine, i.e. the best an agent built on Koa can approach.
 *
 *   node bench/koa-floor-server.js <routes.json> <port>
 */
const http = require('node:http');
const { readFileSync } = require('node:fs');
const Koa = require('koa');

const [routesFile, port] = process.argv.slice(2);
const routes = new Map();
for (const r of JSON.parse(readFileSync(routesFile, 'utf8'))) routes.set(r.path, { status: r.status, headers: r.headers, body: Buffer.from(r.body, 'base64') });

const app = new Koa();
app.use((ctx) => {
  const r = routes.get(ctx.url);
  if (!r) {
    ctx.status = 404;
    return;
  }
  ctx.status = r.status;
  ctx.set(r.headers);
  ctx.body = r.body;
});
http.createServer(app.callback()).listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
