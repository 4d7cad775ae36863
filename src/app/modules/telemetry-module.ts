import { ContainerModule } from 'inversify';
import type pino from 'pino';
import { BufferedTelemetry } from '../../adapters/telemetry/buffered-telemetry';
import { FanoutTelemetry } from '../../adapters/telemetry/fanout-telemetry';
import { createLogger, LogTelemetry, type LogLevel } from '../../adapters/telemetry/log-telemetry';
import { Telemetry } from '../../domain/ports';
import type { AgentConfig } from '../config/agent-config';
import { AppTypes } from '../types';

/**
 * Logs (JSON lines on stderr) always. When OTLP export is configured, events also go to
 * a buffer that the OTLP adapter is attached to once it is loaded and the first refresh
 * has settled (so secret-provided auth headers exist): nothing raised at startup is lost.
 */
export function telemetryModule(config: AgentConfig, destination?: pino.DestinationStream): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(AppTypes.Logger).toConstantValue(createLogger({ level: config.logLevel as LogLevel, destination }));
    // The same buffer holds events for the Prometheus metrics until the SDK is loaded.
    const buffer = config.otlp || config.metrics ? new BufferedTelemetry() : undefined;
    if (buffer) bind(AppTypes.TelemetryBuffer).toConstantValue(buffer);
    bind(Telemetry)
      .toResolvedValue((logger: pino.Logger) => {
        const log = new LogTelemetry({ logger, accessLog: config.accessLog });
        return new FanoutTelemetry(buffer ? [log, buffer] : [log]);
      }, [AppTypes.Logger])
      .inSingletonScope();
  });
}
