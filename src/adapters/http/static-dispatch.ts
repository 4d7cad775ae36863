import type { Router } from '@koa/router';
import type { Middleware, Next, ParameterizedContext } from 'koa';

/**
 * `router.routes()` with a fast path for literal route patterns (issue 8, measured in
 * bench/RESULTS.md). @koa/router matches every request against every layer's regexp and
 * composes the matched chain anew on each request; for `/v1/secrets` that was about a
 * quarter of the adapter's CPU per request. Here a request whose raw path is exactly a
 * literal (parameterless) pattern runs that layer's middleware stack, chained once at
 * startup, found by one Map lookup.
 *
 * The decision is the router's own: with `strict` and `sensitive`, a literal pattern
 * matches only its exact string, and a method the layer was not mounted for still goes to
 * the router. Parameterised routes (`/v1/secrets/:key`) and every other path go through
 * `router.routes()` unchanged. Routes must be registered before this is called.
 */
export function dispatchRoutes(router: Router): Middleware {
  const routed = router.routes() as unknown as Middleware;
  const literal = new Map<string, { methods: ReadonlySet<string>; run: Middleware }>();
  for (const layer of router.stack) {
    if (typeof layer.path !== 'string' || layer.paramNames.length > 0 || layer.methods.length === 0) continue;
    // Two layers on one path compose in the router; keep its semantics rather than guess.
    if (literal.has(layer.path)) return routed;
    literal.set(layer.path, { methods: new Set(layer.methods), run: chain(layer.stack as unknown as Middleware[]) });
  }
  return function dispatch(ctx, next) {
    const route = literal.get(ctx.path);
    if (route !== undefined && route.methods.has(ctx.method)) return route.run(ctx, next);
    return routed(ctx, next);
  };
}

/** koa-compose for a fixed stack: each middleware gets a `next` that runs the one after it. */
function chain(stack: readonly Middleware[]): Middleware {
  return (ctx: ParameterizedContext, next: Next) => {
    const step = (i: number): Promise<unknown> => {
      if (i === stack.length) return Promise.resolve(next());
      try {
        return Promise.resolve(stack[i](ctx, () => step(i + 1) as Promise<void>));
      } catch (e) {
        return Promise.reject(e);
      }
    };
    return step(0);
  };
}
