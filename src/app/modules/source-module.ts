import { ContainerModule } from 'inversify';
import { FileSource } from '../../adapters/sources/file-source';
import { HttpSource } from '../../adapters/sources/http-source';
import { S3Source } from '../../adapters/sources/s3-source';
import type pino from 'pino';
import { ArtifactSource } from '../../domain/ports';
import type { AgentConfig } from '../config/agent-config';
import { ConfigError } from '../config/config-error';
import { isAgentError } from '../../domain/errors';
import { AppTypes } from '../types';
import { USER_AGENT } from '../version';
import { vcsSource } from './vcs-source-factory';

/** Adapters validate their inputs when built; those failures are configuration errors. */
export function createSource(config: AgentConfig, logger?: pino.Logger): ArtifactSource {
  try {
    return buildSource(config, logger);
  } catch (e) {
    const variable = config.source.kind === 'vcs' ? 'CLEF_AGENT_VCS_*' : 'CLEF_AGENT_SOURCE';
    if (isAgentError(e) && e.code === 'source_insecure') {
      throw new ConfigError(variable, 'is plain http:// to a non-loopback host: use https, or set CLEF_AGENT_ALLOW_INSECURE_HTTP=true (and a verify key)');
    }
    if (e instanceof TypeError) throw new ConfigError(variable, `is not usable: ${e.message}`);
    throw e;
  }
}

/** Picks the one ArtifactSource adapter the configuration names. */
function buildSource(config: AgentConfig, logger?: pino.Logger): ArtifactSource {
  const limits = { maxBytes: config.maxArtifactBytes, timeoutMs: config.fetchTimeoutMs, userAgent: USER_AGENT, allowInsecureHttp: config.allowInsecureHttp };
  const s = config.source;
  switch (s.kind) {
    case 'file':
      return new FileSource({ path: s.path, maxBytes: config.maxArtifactBytes });
    case 'http':
      return new HttpSource({ url: s.url, ...limits });
    case 's3':
      // The SDK itself is imported on the first fetch, so this costs nothing until then.
      return new S3Source({
        bucket: s.bucket,
        key: s.key,
        region: s.region,
        endpoint: s.endpoint,
        description: s.url,
        maxBytes: config.maxArtifactBytes,
        timeoutMs: config.fetchTimeoutMs,
        userAgent: USER_AGENT,
        onAuthMode: (mode, reason) => logger?.info({ event: 'source.s3_auth', mode }, reason),
      });
    case 'vcs':
      return vcsSource(s, limits);
    case 'custom':
      throw new ConfigError('CLEF_AGENT_SOURCE', 'is not set and no source adapter was supplied');
  }
}

export const sourceModule = new ContainerModule(({ bind }) => {
  bind(ArtifactSource)
    .toResolvedValue((c: AgentConfig, logger: pino.Logger) => createSource(c, logger), [AppTypes.Config, AppTypes.Logger])
    .inSingletonScope();
});
