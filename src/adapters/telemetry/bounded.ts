/**
 * Waits for `work` but never longer than `timeoutMs`, and never rejects: the Telemetry
 * port promises that flush/shutdown resolve within their bound whatever the backend does
 * (a hung collector must not hold up process exit). The timer is unref'd so it cannot
 * keep the process alive on its own.
 */
export function settleWithin(work: () => Promise<unknown> | unknown, timeoutMs: number): Promise<void> {
  let started: Promise<unknown>;
  try {
    started = Promise.resolve(work());
  } catch {
    return Promise.resolve();
  }
  const done = started.then(
    () => undefined,
    () => undefined,
  );
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, timeoutMs));
    timer.unref();
  });
  return Promise.race([done, expired]).finally(() => clearTimeout(timer));
}
