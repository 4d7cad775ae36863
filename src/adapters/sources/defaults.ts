/** Limits shared by every source (W7: no unbounded fetches). */
export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
/** Total budget per fetch: connect, redirects, every request and the body. */
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_REDIRECTS = 3;
/** The composition root passes `clef-agent/<version>`; this is only the fallback. */
export const DEFAULT_USER_AGENT = 'clef-agent';
