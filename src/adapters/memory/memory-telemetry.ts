import type { AgentEvent, AgentEventType, Telemetry } from '../../domain/ports/telemetry';

export type EventOf<T extends AgentEventType> = Extract<AgentEvent, { type: T }>;

interface Waiter {
  type: AgentEventType;
  predicate: (event: AgentEvent) => boolean;
  resolve: (event: AgentEvent) => void;
}

/**
 * Reference Telemetry adapter: records events in memory. It is what the contract is
 * checked against first, and what tests across the project use to observe the domain
 * (`await telemetry.waitFor('artifact.refreshed')` instead of sleeping).
 */
export class MemoryTelemetry implements Telemetry {
  readonly events: AgentEvent[] = [];
  private waiters: Waiter[] = [];
  private stopped = false;

  emit(event: AgentEvent): void {
    if (this.stopped) return;
    this.events.push(event);
    // Waiters are settled after recording so a resolved test sees the event in `events`.
    for (const waiter of [...this.waiters]) {
      if (waiter.type !== event?.type || !safeMatch(waiter.predicate, event)) continue;
      this.waiters = this.waiters.filter((w) => w !== waiter);
      waiter.resolve(event);
    }
  }

  ofType<T extends AgentEventType>(type: T): Array<EventOf<T>> {
    return this.events.filter((e): e is EventOf<T> => e.type === type);
  }

  /**
   * Resolves with the first matching event, including one already recorded — an event
   * emitted synchronously before the test got to call waitFor is not missed. Use
   * {@link next} to wait only for events still to come.
   */
  waitFor<T extends AgentEventType>(type: T, predicate?: (event: EventOf<T>) => boolean): Promise<EventOf<T>> {
    const seen = this.ofType(type).find((e) => safeMatch(predicate, e));
    return seen ? Promise.resolve(seen) : this.next(type, predicate);
  }

  /** Resolves with the next matching event emitted after this call. */
  next<T extends AgentEventType>(type: T, predicate?: (event: EventOf<T>) => boolean): Promise<EventOf<T>> {
    return new Promise<EventOf<T>>((resolve) => {
      this.waiters.push({
        type,
        predicate: (e) => safeMatch(predicate, e as EventOf<T>),
        resolve: (e) => resolve(e as EventOf<T>),
      });
    });
  }

  clear(): void {
    this.events.length = 0;
  }

  flush(_timeoutMs: number): Promise<void> {
    return Promise.resolve();
  }

  shutdown(_timeoutMs: number): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }
}

function safeMatch<E>(predicate: ((event: E) => boolean) | undefined, event: E): boolean {
  if (!predicate) return true;
  try {
    return predicate(event);
  } catch {
    // A throwing test predicate must not break emit() for the code under test.
    return false;
  }
}
