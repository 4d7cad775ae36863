import type { AgentEvent, Telemetry } from '../../domain/ports/telemetry';
import { settleWithin } from './bounded';

/**
 * Sends every event to several targets (e.g. JSON-lines log + OTLP). Each target is
 * isolated: an exception or a rejected/hung flush in one reaches neither the caller nor
 * the other targets.
 */
export class FanoutTelemetry implements Telemetry {
  private readonly targets: readonly Telemetry[];

  constructor(targets: readonly Telemetry[]) {
    this.targets = [...targets];
  }

  emit(event: AgentEvent): void {
    for (const target of this.targets) {
      try {
        target.emit(event);
      } catch {
        // isolated by design, see the class comment
      }
    }
  }

  flush(timeoutMs: number): Promise<void> {
    return this.all((t) => t.flush(timeoutMs), timeoutMs);
  }

  shutdown(timeoutMs: number): Promise<void> {
    return this.all((t) => t.shutdown(timeoutMs), timeoutMs);
  }

  /** Runs the targets in parallel so that the bound applies once, not once per target;
   * each is bounded on its own, so a target that ignores its bound or throws
   * synchronously cannot hold up or skip the others. */
  private async all(run: (t: Telemetry) => Promise<void>, timeoutMs: number): Promise<void> {
    await Promise.all(this.targets.map((t) => settleWithin(() => run(t), timeoutMs)));
  }
}
