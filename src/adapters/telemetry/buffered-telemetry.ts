import type { AgentEvent, Telemetry } from '../../domain/ports/telemetry';

export interface BufferedTelemetryOptions {
  /** Events kept until a target is attached; beyond it the oldest are dropped. */
  capacity?: number;
}

/**
 * Stands in for the real exporter during startup. The OTLP exporter can only be built
 * after the initial fetch (its auth headers come from the decrypted secrets, AGENT.md
 * §2.3), and the reference loses every event emitted before that (W13). Here they are
 * held, bounded so that a startup stuck in retries cannot grow memory, and replayed on
 * `attach`.
 */
export class BufferedTelemetry implements Telemetry {
  private buffer: AgentEvent[] = [];
  private target: Telemetry | undefined;
  private stopped = false;
  private droppedCount = 0;
  private readonly capacity: number;

  constructor(options: BufferedTelemetryOptions = {}) {
    this.capacity = Math.max(0, Math.floor(options.capacity ?? 1000));
  }

  /** Events lost to the capacity bound before a target was attached. */
  get dropped(): number {
    return this.droppedCount;
  }

  emit(event: AgentEvent): void {
    if (this.stopped) return;
    if (this.target) {
      forward(this.target, event);
      return;
    }
    if (this.capacity === 0) {
      this.droppedCount++;
      return;
    }
    if (this.buffer.length >= this.capacity) {
      this.buffer.shift();
      this.droppedCount++;
    }
    this.buffer.push(event);
  }

  /** Replays what was buffered, in order, then forwards every later event. Attaching
   * again replaces the target (nothing is replayed twice). */
  attach(target: Telemetry): void {
    if (this.stopped) return;
    this.target = target;
    const pending = this.buffer;
    this.buffer = [];
    for (const event of pending) forward(target, event);
  }

  flush(timeoutMs: number): Promise<void> {
    return this.target ? guarded(() => this.target!.flush(timeoutMs)) : Promise.resolve();
  }

  async shutdown(timeoutMs: number): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.buffer = [];
    if (this.target) await guarded(() => this.target!.shutdown(timeoutMs));
  }
}

function forward(target: Telemetry, event: AgentEvent): void {
  try {
    target.emit(event);
  } catch {
    // Targets promise not to throw; this keeps that promise if one breaks it.
  }
}

async function guarded(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch {
    // flush/shutdown never reject through this adapter.
  }
}
