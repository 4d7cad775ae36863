/**
 * `Retry-After` is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3). Returns the
 * delay in milliseconds, or undefined when absent or unparseable (the caller then falls
 * back to its own backoff rather than trusting garbage).
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value == null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // Only accept date-looking values: Date.parse is lenient and reads "1.5" as a year.
  if (!/[a-z]/i.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** GitHub's `x-ratelimit-reset` is an epoch-seconds instant. */
export function parseEpochReset(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value == null || !/^\d+$/.test(value.trim())) return undefined;
  return Math.max(0, Number(value.trim()) * 1000 - now);
}
