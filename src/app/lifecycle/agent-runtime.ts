import type { Container } from 'inversify';
import type Koa from 'koa';
import type pino from 'pino';
import type { RunningServer } from '../../adapters/http/server';
import type { FilesPublisher } from '../../domain/files/files-publisher';
import type { RefreshScheduler } from '../../domain/refresh-scheduler';
import type { SecretsService } from '../../domain/secrets-service';
import { ArtifactCache, Decryptor, FleetLease, Telemetry } from '../../domain/ports';
import type { AgentConfig } from '../config/agent-config';
import { AppTypes } from '../types';
import { AGENT_VERSION } from '../version';
import type { LoadedTelemetry } from '../../adapters/telemetry/load-otlp-telemetry';
import { startListeners } from './listeners';
import { PendingMetrics, startMetricsListener } from './metrics-listener';
import { startOtlpExport } from './otlp-export';

/** Bounded shutdown budget: the process exits well within 2 s of a signal. */
const HTTP_GRACE_MS = 1_000;
const TELEMETRY_FLUSH_MS = 500;
/** How long a refresh already past its fetch may take to finish its cache and trust-record
 * writes (the anti-rollback mark, a tombstone) before the process exits anyway. Runs
 * alongside the HTTP drain, so it adds nothing to the budget. */
const REFRESH_SETTLE_MS = 1_000;

/**
 * What every lifecycle (daemon, Lambda extension) does: listen first (probes get 503,
 * not "connection refused"), then load and poll; on stop, stop polling, drain HTTP,
 * flush telemetry, drop plaintext.
 */
/** `promise`, or undefined after `ms` if it has not settled by then (the timer does not hold the process). */
function within(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class AgentRuntime {
  private server: RunningServer | null = null;
  private metricsServer: RunningServer | undefined;
  private readonly metrics = new PendingMetrics();
  private readonly startedAt = Date.now();
  private stopping: Promise<void> | null = null;
  private otlp: Promise<unknown> = Promise.resolve();
  private releaseTelemetryGate: () => void = () => undefined;

  constructor(private readonly container: Container) {}

  get config(): AgentConfig {
    return this.container.get<AgentConfig>(AppTypes.Config);
  }

  get logger(): pino.Logger {
    return this.container.get<pino.Logger>(AppTypes.Logger);
  }

  get scheduler(): RefreshScheduler {
    return this.container.get<RefreshScheduler>(AppTypes.RefreshScheduler);
  }

  get secrets(): SecretsService {
    return this.container.get<SecretsService>(AppTypes.SecretsService);
  }

  async listen(): Promise<RunningServer> {
    const app = this.container.get<Koa>(AppTypes.HttpApp);
    this.server = await startListeners(app, this.config, this.logger); // TCP and/or unix socket
    try {
      this.metricsServer = await startMetricsListener(this.config, this.metrics, this.logger); // CLEF_AGENT_METRICS_ADDRESS
    } catch (e) {
      await this.server.close(0);
      throw e;
    }
    return this.server;
  }

  /** Hands the loaded SDK's Prometheus text to the metrics listener (undefined: not available). */
  attachMetrics(telemetry: LoadedTelemetry | undefined): void {
    this.metrics.provide(telemetry?.prometheus);
  }

  /** Starts background refreshing; OTLP export (when configured) attaches after the first
   * refresh settles, or at shutdown, whichever comes first. */
  startRefreshing(): Promise<unknown> {
    const first = this.scheduler.start();
    const gate = new Promise<void>((resolve) => (this.releaseTelemetryGate = resolve));
    this.otlp = startOtlpExport(this.container, Promise.race([first, gate]), (t) => this.attachMetrics(t)).catch((e: unknown) => {
      this.attachMetrics(undefined);
      this.logger.warn({ event: 'telemetry.unavailable', error: e instanceof Error ? e.name : 'error' }, 'OTLP export could not start');
    });
    return first;
  }

  /** CLEF_AGENT_FILES: render every served revision into the configured outputs. */
  startFiles(): void {
    this.optional<FilesPublisher>(AppTypes.FilesPublisher)?.start();
  }

  announceStarted(): void {
    const telemetry = this.container.get<Telemetry>(Telemetry);
    telemetry.emit({ type: 'agent.started', version: AGENT_VERSION, mode: this.config.mode });
  }

  stop(reason: string): Promise<void> {
    this.stopping ??= this.doStop(reason);
    return this.stopping;
  }

  private async doStop(reason: string): Promise<void> {
    const telemetry = this.container.get<Telemetry>(Telemetry);
    const refreshSettled = within(this.scheduler.stop(), REFRESH_SETTLE_MS);
    // Before the wipe below: stopping is not a withdrawal, the files stay for the next start.
    await this.optional<FilesPublisher>(AppTypes.FilesPublisher)?.stop();
    await Promise.all([this.server?.close(HTTP_GRACE_MS), this.metricsServer?.close(HTTP_GRACE_MS), refreshSettled]);
    this.secrets.wipe();
    this.releaseTelemetryGate();
    await this.otlp;
    telemetry.emit({ type: 'agent.stopped', reason, uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000) });
    await telemetry.shutdown(TELEMETRY_FLUSH_MS);
    await this.closeQuietly();
  }

  /** Releases sockets and handles (cache connections, KMS clients); errors don't matter now. */
  private async closeQuietly(): Promise<void> {
    const closables: Array<{ close?: () => Promise<void> } | undefined> = [
      this.optional<ArtifactCache>(ArtifactCache),
      this.optional<ArtifactCache>(AppTypes.FleetCache),
      this.optional<FleetLease>(FleetLease),
      this.container.get<Decryptor & { close?: () => Promise<void> }>(Decryptor),
    ];
    await Promise.allSettled(closables.map((c) => c?.close?.()));
  }

  private optional<T>(id: symbol): T | undefined {
    return this.container.isBound(id) ? this.container.get<T>(id) : undefined;
  }
}
