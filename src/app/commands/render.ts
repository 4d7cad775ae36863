import { toAgentError } from '../../domain/errors';
import type { FilesPublisher } from '../../domain/files/files-publisher';
import { Telemetry } from '../../domain/ports';
import type { RefreshService } from '../../domain/refresh-service';
import type { SecretsService } from '../../domain/secrets-service';
import { ConfigError } from '../config/config-error';
import { loadConfig } from '../config/load-config';
import { createContainer } from '../container';
import { AppTypes } from '../types';
import { checkEnv } from './check';

/**
 * `clef-agent render --once`: load, verify and decrypt once through the agent's own path,
 * write every CLEF_AGENT_FILES output as one set, exit 0. Any failure prints its code
 * and exits 1 having written nothing (for init containers, CI jobs and cron). On-change
 * actions do not run: there is nothing started yet to reload.
 */
export async function renderOnce(env: NodeJS.ProcessEnv): Promise<number> {
  const config = await loadConfig(checkEnv(env));
  if (!config.files) throw new ConfigError('CLEF_AGENT_FILES', 'is not set: render --once needs an outputs file');
  config.files.runActions = false;
  const container = await createContainer(config);
  const refresher = container.get<RefreshService>(AppTypes.RefreshService);
  const secrets = container.get<SecretsService>(AppTypes.SecretsService);
  const publisher = container.get<FilesPublisher>(AppTypes.FilesPublisher);
  try {
    const outcome = await refresher.refresh();
    if (outcome.status === 'failed') return fail(outcome.error.code, outcome.error.message);
    const readiness = secrets.readiness();
    if (!readiness.ready) return fail(readiness.reason, `the artifact cannot be served (${readiness.reason})`);
    const changed = await publisher.publishCurrent();
    process.stdout.write(`rendered ${config.files.outputs.length} output(s) of revision ${secrets.currentRevision()}, ${changed.length} changed\n`);
    return 0;
  } catch (e) {
    const err = toAgentError(e, 'unknown');
    return fail(err.code, err.message);
  } finally {
    refresher.stop();
    secrets.wipe();
    await container.get<Telemetry>(Telemetry).shutdown(500);
  }
}

function fail(code: string, message: string): number {
  process.stderr.write(`clef-agent: render: ${code}: ${message}\n`);
  return 1;
}
