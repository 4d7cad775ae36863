/** Small abort-aware helpers for the KMS call path (retry waits and promptness). */

/** Thrown internally when a signal fires; callers translate it into an AgentError. */
export class Aborted extends Error {
  constructor(readonly signal: AbortSignal) {
    super('aborted');
    this.name = 'Aborted';
  }
}

/** Waits `ms`, or rejects with `Aborted` as soon as `signal` fires (no dangling timer). */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Aborted(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Aborted(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Settles with `work`, or rejects with `Aborted` the moment `signal` fires, even if the
 * SDK is between its own retries. `onAbandoned` receives a late result so secrets in it
 * can be zeroed instead of being left to the GC.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal, onAbandoned: (late: T) => void): Promise<T> {
  if (signal.aborted) {
    work.then(onAbandoned, () => undefined);
    return Promise.reject(new Aborted(signal));
  }
  return new Promise<T>((resolve, reject) => {
    let abandoned = false;
    const onAbort = () => {
      abandoned = true;
      reject(new Aborted(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (abandoned) onAbandoned(value);
        else resolve(value);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        if (!abandoned) reject(e);
      },
    );
  });
}

export interface CallSignal {
  signal: AbortSignal;
  timedOut(): boolean;
  /** Clears the timer and unhooks from the caller's signal. */
  dispose(): void;
}

/**
 * The caller's signal plus a per-call deadline. Hand-rolled rather than
 * AbortSignal.any + AbortSignal.timeout: the caller's signal is typically long-lived
 * (agent shutdown), and this unhooks deterministically after every call instead of
 * relying on GC of composite signals.
 */
export function callSignal(caller: AbortSignal | undefined, timeoutMs: number): CallSignal {
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = () => controller.abort(caller?.reason);
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`timed out after ${timeoutMs} ms`));
  }, timeoutMs);
  timer.unref?.();
  if (caller?.aborted) onAbort();
  else caller?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose: () => {
      clearTimeout(timer);
      caller?.removeEventListener('abort', onAbort);
    },
  };
}

/** "Full jitter" exponential backoff: uniform in [0, min(max, base·2^(attempt-1))]. */
export function jitteredBackoff(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** (attempt - 1)));
}
