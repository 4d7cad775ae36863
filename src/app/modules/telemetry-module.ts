import { ContainerModule } from 'inversify';
import type pino from 'pino';
import { FanoutTelemetry } from '../../adapters/telemetry/fanout-telemetry';
import { createLogger, LogTelemetry, type LogLevel } from '../../adapters/telemetry/log-telemetry';
import { Telemetry } from '../../domain/ports';
import type { AgentConfig } from '../config/agent-config';
import { AppTypes } from '../types';

/** Logs (JSON lines on stderr) always; OTLP export joins the fan-out when configured. */
export const telemetryModule = new ContainerModule(({ bind }) => {
  bind(AppTypes.Logger)
    .toResolvedValue((c: AgentConfig) => createLogger({ level: c.logLevel as LogLevel }), [AppTypes.Config])
    .inSingletonScope();
  bind(Telemetry)
    .toResolvedValue(
      (c: AgentConfig, logger: pino.Logger) => new FanoutTelemetry([new LogTelemetry({ logger, accessLog: c.accessLog })]),
      [AppTypes.Config, AppTypes.Logger],
    )
    .inSingletonScope();
});
