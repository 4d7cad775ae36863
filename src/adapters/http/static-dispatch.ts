import type { Layer, Router, RouterContext } from '@koa/router';
import type { Middleware, Next, ParameterizedContext } from 'koa';

interface Route {
  layer: Layer;
  methods: ReadonlySet<string>;
  run: Middleware;
}

/** path-to-regexp syntax: a path holding none of it matches exactly its own string. */
const PATTERN_SYNTAX = /[:*?+(){}[\]\\!]/;

/** The router's captures for a pattern without parameters (shared: nothing mutates them). */
const NO_CAPTURES = Object.freeze([]) as unknown as string[];

/**
 * `router.routes()` with fast paths that reach the same decision (issue 8). @koa/router
 * tests every layer's regexp and builds the matched chain anew on each request
 * (allocations, and a koa-compose that flattens the stack): for `/v1/secrets` that was
 * about a quarter of the adapter's CPU per request (bench/RESULTS.md), for
 * `/v1/secrets/:key` about a seventh of the instructions the whole process spent per
 * request (callgrind, 179k → 148k once dispatched here). Here each layer's stack is
 * chained once at startup and a request runs it directly when exactly one route layer
 * matches its path and was mounted for its method, which is the only case where the
 * router runs a single layer:
 *
 * - a path equal to a literal pattern (no parameters) is found by one Map lookup: with
 *   `strict` and `sensitive`, such a layer matches only its own string (its captures
 *   are empty);
 * - any other path is tested against the parameterised layers' own regexps (literal
 *   layers cannot match it); the one matching layer's own `captures()` becomes
 *   `ctx.captures`, exactly as the router's param step sets it. The handlers decode
 *   `ctx.captures` themselves (routes.ts `param()`).
 *
 * Everything else (no match, a method the layer was not mounted for, a literal path a
 * parameterised layer also matches, several matching layers) goes through
 * `router.routes()` unchanged, as does every request if the router holds anything these
 * paths do not model (router-level middleware, a host or prefix, `exclusive`, RegExp
 * paths). The rest of the router's bookkeeping (`ctx.params`, `ctx.matched`,
 * `ctx._matchedRoute`...) is not set on the fast paths: nothing in the adapter reads it
 * (`ctx.params` would cost a decodeURIComponent per parameter that nothing uses).
 * test/adapters/http/static-dispatch.test.ts checks both paths against the router.
 * Routes must be registered before this is called.
 */
export function dispatchRoutes(router: Router): Middleware {
  const routed = router.routes() as unknown as Middleware;
  if (!modelled(router)) return routed;

  const literal = new Map<string, Route | null>();
  const parameterised: Route[] = [];
  for (const layer of router.stack) {
    const route = { layer, methods: new Set(layer.methods), run: chain(layer.stack as unknown as Middleware[]) };
    if (layer.paramNames.length > 0) parameterised.push(route);
    else if (PATTERN_SYNTAX.test(layer.path as string) || !layer.match(layer.path as string)) return routed;
    // Two layers on one path compose in the router; keep its semantics rather than guess.
    else if (literal.has(layer.path as string)) return routed;
    else literal.set(layer.path as string, route);
  }
  // A literal path that a parameterised layer matches too runs both in the router.
  for (const path of literal.keys()) if (parameterised.some((p) => p.layer.match(path))) literal.set(path, null);

  return function dispatch(ctx, next) {
    // ctx.request, not the ctx.path / ctx.method delegates: same getters, one hop less.
    const path = ctx.request.path;
    const method = ctx.request.method;
    const exact = literal.get(path);
    if (exact !== undefined) {
      if (exact === null || !exact.methods.has(method)) return routed(ctx, next);
      (ctx as unknown as RouterContext).captures = NO_CAPTURES;
      return exact.run(ctx, next);
    }
    let found: Route | undefined;
    for (const route of parameterised) {
      if (!route.layer.match(path)) continue;
      if (found !== undefined) return routed(ctx, next);
      found = route;
    }
    if (found === undefined || !found.methods.has(method)) return routed(ctx, next);
    (ctx as unknown as RouterContext).captures = found.layer.captures(path);
    return found.run(ctx, next);
  };
}

/** What the fast paths assume of the router: plain string routes and nothing around them. */
function modelled(router: Router): boolean {
  const opts = router.opts;
  if (router.host || router.exclusive || opts.prefix || opts.routerPath) return false;
  return router.stack.every((layer) => layer.methods.length > 0 && typeof layer.path === 'string' && !layer.opts.ignoreCaptures && !layer.opts.pathAsRegExp && !layer.opts.prefix);
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
