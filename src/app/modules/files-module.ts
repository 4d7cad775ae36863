import { ContainerModule } from 'inversify';
import { ChangeActions } from '../../adapters/files/change-actions';
import { FileSink } from '../../adapters/files/file-sink';
import { FilesPublisher } from '../../domain/files/files-publisher';
import { SecretsQuery } from '../../domain/inbound';
import { Clock, SecretsSink, Telemetry } from '../../domain/ports';
import type { AgentConfig } from '../config/agent-config';
import { childEnvironment } from '../commands/exec-env';
import { AppTypes } from '../types';

/** Secrets as files (CLEF_AGENT_FILES): the file sink and the use case that feeds it. */
export function filesModule(config: AgentConfig): ContainerModule {
  return new ContainerModule(({ bind }) => {
    const files = config.files;
    if (!files) return;
    bind<SecretsSink>(SecretsSink)
      .toResolvedValue((telemetry: Telemetry) => {
        // Actions get the agent's environment minus CLEF_AGENT_* (age key, token, VCS and
        // Redis credentials) and no secret at all.
        const actions = files.runActions ? new ChangeActions({ telemetry, env: childEnvironment(process.env, {}) }) : undefined;
        return new FileSink({ targets: files.outputs.map((o) => o.target), actions });
      }, [Telemetry])
      .inSingletonScope();
    bind<FilesPublisher>(AppTypes.FilesPublisher)
      .toResolvedValue(
        (query: SecretsQuery, sink: SecretsSink, telemetry: Telemetry, clock: Clock) =>
          new FilesPublisher({ query, sink, telemetry, clock, mode: config.mode, specs: files.outputs.map((o) => o.spec) }),
        [SecretsQuery, SecretsSink, Telemetry, Clock],
      )
      .inSingletonScope();
  });
}
