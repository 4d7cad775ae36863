import Koa, { type Middleware } from 'koa';
import { AgentError } from '../../../src/domain/errors';
import { errorHandler } from '../../../src/adapters/http/middleware/error-handler';
import { send } from './support';

/**
 * The error handler is not an `async` function (issue 8): it attaches a rejection handler
 * to downstream's promise. These check that every way a middleware below can fail still
 * becomes the JSON error, including a synchronous throw, and that the success path is
 * left alone.
 */
describe('error handler', () => {
  async function serve(...below: Middleware[]) {
    const app = new Koa();
    app.silent = true;
    const errors: unknown[] = [];
    app.on('error', (err) => errors.push(err));
    app.use(errorHandler());
    for (const mw of below) app.use(mw);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const port = (server.address() as { port: number }).port;
    return { errors, port, close: () => new Promise((resolve) => server.close(resolve)) };
  }

  it.each<[string, Middleware]>([
    [
      'a synchronous throw',
      () => {
        throw new AgentError('unauthorized', 'unauthorized');
      },
    ],
    ['a rejection', () => Promise.reject(new AgentError('unauthorized', 'unauthorized'))],
    [
      'a throw after an await',
      async () => {
        await Promise.resolve();
        throw new AgentError('unauthorized', 'unauthorized');
      },
    ],
    [
      'a synchronous throw two middleware down',
      (_ctx, next) => next(),
    ],
  ])('turns %s into the JSON error, with the mapping headers', async (_name, mw) => {
    const thrower: Middleware = () => {
      throw new AgentError('unauthorized', 'unauthorized');
    };
    const s = await serve(mw, thrower);
    try {
      const res = await send(s.port, { path: '/' });
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(JSON.parse(res.body)).toMatchObject({ code: 'unauthorized' });
      expect(s.errors).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('keeps headers set before the failure (Allow)', async () => {
    const s = await serve((ctx) => {
      ctx.set('Allow', 'GET, HEAD');
      throw new AgentError('method_not_allowed', 'method not allowed');
    });
    try {
      const res = await send(s.port, { path: '/', method: 'POST' });
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
      expect(JSON.parse(res.body)).toMatchObject({ code: 'method_not_allowed' });
    } finally {
      await s.close();
    }
  });

  it('answers an unexpected error with a generic 500 and re-emits it on the app', async () => {
    const boom = new Error('secret detail');
    const s = await serve(() => {
      throw boom;
    });
    try {
      const res = await send(s.port, { path: '/' });
      expect(res.status).toBe(500);
      expect(JSON.parse(res.body)).toEqual({ error: 'internal error', code: 'unknown' });
      expect(res.body).not.toContain('secret detail');
      expect(s.errors).toEqual([boom]);
    } finally {
      await s.close();
    }
  });

  it('leaves a successful response alone and returns downstream’s outcome', async () => {
    const s = await serve((ctx) => {
      ctx.status = 200;
      ctx.body = 'ok';
    });
    try {
      const res = await send(s.port, { path: '/' });
      expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: 'ok' });
    } finally {
      await s.close();
    }
  });

  it('also catches a next() that throws instead of rejecting', async () => {
    const ctx = { set: jest.fn(), res: { setHeader: jest.fn() }, response: {}, app: { emit: jest.fn() } } as unknown as Koa.Context;
    await errorHandler()(ctx, () => {
      throw new AgentError('not_found', 'not found');
    });
    expect((ctx.response as { status?: number }).status).toBe(404);
    expect(JSON.parse((ctx.response as { body: string }).body)).toMatchObject({ code: 'not_found' });
  });
});
