/**
 * Scenario 3c's second floor (issue 20): what the libraries the design requires cost to start,
 * with none of the agent's own code. It loads Koa, @koa/router, inversify with
 * reflect-metadata, zod/mini, pino and age-encryption, makes one of each (a schema parse, a
 * logger, a container, a Decrypter), and serves the routes file as bench/baseline-server.js
 * does, through a Koa router. bench/lib/bundles.ts bundles it the way scripts/bundle.js
 * bundles the agent (esbuild, minified, the same trims), run without a code cache: the npm
 * form's conditions.
 *
 *   node library-floor.js <routes.json> <port>
 */
import 'reflect-metadata';
import Router from '@koa/router';
import { Decrypter } from 'age-encryption';
import { Container } from 'inversify';
import Koa from 'koa';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import pino from 'pino';
import * as z from 'zod/mini';

const [routesFile, port] = process.argv.slice(2);
const env = z.object({ PORT: z.string().check(z.regex(/^\d+$/)) }).parse({ PORT: port });
const logger = pino({ level: 'warn' });
const container = new Container({ defaultScope: 'Singleton' });
container.bind('decrypter').toConstantValue(new Decrypter());

const router = new Router();
for (const r of JSON.parse(readFileSync(routesFile, 'utf8')) as Array<{ path: string; status: number; headers: Record<string, string>; body: string }>) {
  const body = Buffer.from(r.body, 'base64');
  router.get(r.path, (ctx) => {
    ctx.status = r.status;
    ctx.set(r.headers);
    ctx.body = body;
  });
}
const app = new Koa();
app.use(router.routes());
http.createServer(app.callback()).listen(Number(env.PORT), '127.0.0.1', () => logger.debug('listening'));
process.on('SIGTERM', () => process.exit(0));
