import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { Router, type RouterContext } from '@koa/router';
import fc from 'fast-check';
import Koa, { type Middleware } from 'koa';
import { createRouter } from '../../../src/adapters/http/routes';
import { dispatchRoutes } from '../../../src/adapters/http/static-dispatch';
import { FakeQuery, TOKEN } from './support';
import { StaticTokenAuthenticator } from '../../../src/adapters/http/authenticator';

/**
 * dispatchRoutes must decide exactly as router.routes() does (issue 8). Each router here
 * records which layers run, in which order, with which ctx.captures, and whether the
 * request falls through to the next app middleware; both dispatchers must leave the same
 * record for every path and method. Route handlers call next() so that a request the
 * router would send through several layers shows up as a difference.
 */

const OPTIONS = { strict: true, sensitive: true };
/** The adapter's own table (routes.ts). */
const AGENT_PATTERNS = ['/v1/health', '/v1/ready', '/v1/secrets', '/v1/keys', '/v1/secrets/:key', '/v1/secrets/:namespace/:key'];
const METHODS = ['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS', 'PROPFIND'];

type Trace = string[];

/** Layers mounted for every method (`all`, as routes.ts does) or for GET and HEAD only. */
function recordingRouter(
  patterns: readonly string[],
  extra?: (router: Router) => void,
  mount: 'all' | 'get' = 'all',
  options: ConstructorParameters<typeof Router>[0] = OPTIONS,
): Router {
  const router = new Router(options);
  extra?.(router);
  for (const pattern of patterns) {
    const layer: Middleware = (ctx, next) => {
      const captures = (ctx as unknown as RouterContext).captures;
      (ctx.state.trace as Trace).push(`${pattern} ${JSON.stringify(captures ?? null)}`);
      return next();
    };
    router[mount](pattern, layer as never);
  }
  return router;
}

const app = new Koa();

async function traceOf(dispatch: Middleware, method: string, url: string, host = 'localhost'): Promise<Trace> {
  const req = new IncomingMessage(new Socket());
  req.method = method;
  req.url = url;
  req.headers.host = host;
  const ctx = app.createContext(req, new ServerResponse(req));
  const trace: Trace = [];
  ctx.state.trace = trace;
  await dispatch(ctx, async () => {
    trace.push('next');
  });
  return trace;
}

async function expectSameDecision(router: Router, method: string, url: string, host?: string): Promise<void> {
  const viaRouter = await traceOf(router.routes() as unknown as Middleware, method, url, host);
  const viaDispatch = await traceOf(dispatchRoutes(router), method, url, host);
  expect({ method, url, trace: viaDispatch }).toEqual({ method, url, trace: viaRouter });
}

const AGENT_PATHS = [
  '/v1/health',
  '/v1/ready',
  '/v1/secrets',
  '/v1/keys',
  '/v1/secrets/api__DB_URL',
  '/v1/secrets/api/DB_URL',
  '/v1/secrets/a%2Fb',
  '/v1/secrets/api/a%2Fb',
  '/v1/secrets/%zz',
  '/v1/secrets/%E2%82%AC',
  '/v1/secrets/',
  '/v1/secrets//x',
  '/v1/secrets/a/b/c',
  '/v1/secrets/api/',
  '/v1/Secrets/x',
  '/V1/secrets',
  '/v1/keys/',
  '/v1/health/',
  '/v1/secrets?wait=1',
  '/v1/secrets/x?y=1',
  '/',
  '/nope',
];

describe('dispatchRoutes', () => {
  it.each(METHODS)('decides as the router on the agent table (%s)', async (method) => {
    const router = recordingRouter(AGENT_PATTERNS);
    for (const url of AGENT_PATHS) await expectSameDecision(router, method, url);
  });

  it.each(METHODS)('decides as the router for layers mounted for GET only (%s)', async (method) => {
    const router = recordingRouter(AGENT_PATTERNS, undefined, 'get');
    for (const url of AGENT_PATHS) await expectSameDecision(router, method, url);
    expect(await traceOf(dispatchRoutes(router), 'POST', '/v1/secrets/x')).toEqual(['next']);
  });

  it('decides as the router on generated paths', async () => {
    const router = recordingRouter(AGENT_PATTERNS);
    const segment = fc.constantFrom('v1', 'V1', 'secrets', 'keys', 'health', 'ready', 'api', 'x', '', 'a%2Fb', '%zz', '%41', '..', ':key', 'API__DB');
    const path = fc.array(segment, { minLength: 0, maxLength: 5 }).map((s) => `/${s.join('/')}`);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...METHODS), path, async (method, url) => {
        await expectSameDecision(router, method, url);
      }),
      { numRuns: 400 },
    );
  });

  it('runs every layer a path matches, as the router does, when a literal overlaps a parameter', async () => {
    const router = recordingRouter(['/v1/secrets/:key', '/v1/secrets/special', '/v1/secrets/:namespace/:key']);
    for (const url of ['/v1/secrets/special', '/v1/secrets/other', '/v1/secrets/a/b']) await expectSameDecision(router, 'GET', url);
    expect(await traceOf(dispatchRoutes(router), 'GET', '/v1/secrets/special')).toEqual(['/v1/secrets/:key ["special"]', '/v1/secrets/special []', 'next']);
  });

  it('runs every layer when two parameterised patterns match one path', async () => {
    const router = recordingRouter(['/v1/:a/x', '/v1/secrets/:b']);
    await expectSameDecision(router, 'GET', '/v1/secrets/x');
    expect(await traceOf(dispatchRoutes(router), 'GET', '/v1/secrets/x')).toEqual(['/v1/:a/x ["secrets"]', '/v1/secrets/:b ["x"]', 'next']);
  });

  it('leaves a router with router-level middleware entirely to the router', async () => {
    const router = recordingRouter(AGENT_PATTERNS, (r) =>
      r.use((ctx, next) => {
        (ctx.state.trace as Trace).push('router.use');
        return next();
      }),
    );
    for (const url of ['/v1/secrets', '/v1/secrets/x', '/nope']) await expectSameDecision(router, 'GET', url);
    expect(await traceOf(dispatchRoutes(router), 'GET', '/v1/secrets')).toEqual(['router.use', '/v1/secrets []', 'next']);
  });

  it('leaves a router restricted to a host entirely to the router', async () => {
    const router = recordingRouter(AGENT_PATTERNS, undefined, 'all', { ...OPTIONS, host: 'example.com' });
    for (const host of ['example.com', 'localhost']) {
      for (const url of ['/v1/secrets', '/v1/secrets/x']) await expectSameDecision(router, 'GET', url, host);
    }
    expect(await traceOf(dispatchRoutes(router), 'GET', '/v1/secrets', 'localhost')).toEqual(['next']);
  });

  it('uses its fast path for the agent’s own router (not a silent fallback to router.routes())', () => {
    const router = createRouter({ query: new FakeQuery(), authenticator: new StaticTokenAuthenticator(TOKEN) });
    expect(dispatchRoutes(router).name).toBe('dispatch');
  });
});
