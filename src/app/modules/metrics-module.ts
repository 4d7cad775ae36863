import { ContainerModule } from 'inversify';
import { instrumentCache, instrumentDecryptor, instrumentSource } from '../../adapters/telemetry/instrumented-ports';
import { ArtifactCache, ArtifactSource, Decryptor, Telemetry } from '../../domain/ports';
import type { AgentConfig } from '../config/agent-config';
import { AppTypes } from '../types';

/**
 * When metrics are exported (OTLP or the Prometheus listener), the source, decryptor and
 * cache tiers are wrapped on activation so their calls become metrics-only events
 * (source request outcomes, decrypts and KMS calls by provider, cache hits). Without
 * metrics nothing is wrapped and the hot paths are unchanged.
 */
export function metricsModule(config: AgentConfig): ContainerModule {
  return new ContainerModule(({ onActivation }) => {
    if (config.otlp === undefined && config.metrics === undefined) return;
    onActivation<ArtifactSource>(ArtifactSource, (ctx, source) => instrumentSource(source, ctx.get<Telemetry>(Telemetry)));
    onActivation<Decryptor>(Decryptor, (ctx, decryptor) => instrumentDecryptor(decryptor, ctx.get<Telemetry>(Telemetry)));
    onActivation<ArtifactCache>(ArtifactCache, (ctx, cache) => instrumentCache(cache, 'disk', ctx.get<Telemetry>(Telemetry)));
    onActivation<ArtifactCache>(AppTypes.FleetCache, (ctx, cache) => instrumentCache(cache, 'fleet', ctx.get<Telemetry>(Telemetry)));
  });
}
