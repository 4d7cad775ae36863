import { ContainerModule } from 'inversify';
import { FileSource } from '../../adapters/sources/file-source';
import { HttpSource } from '../../adapters/sources/http-source';
import { ArtifactSource } from '../../domain/ports';
import type { AgentConfig } from '../config/agent-config';
import { AppTypes } from '../types';
import { USER_AGENT } from '../version';
import { vcsSource } from './vcs-source-factory';

/** Picks the one ArtifactSource adapter the configuration names. */
export function createSource(config: AgentConfig): ArtifactSource {
  const limits = { maxBytes: config.maxArtifactBytes, timeoutMs: config.fetchTimeoutMs, userAgent: USER_AGENT };
  const s = config.source;
  switch (s.kind) {
    case 'file':
      return new FileSource({ path: s.path, maxBytes: config.maxArtifactBytes });
    case 'http':
      return new HttpSource({ url: s.url, allowInsecureHttp: config.allowInsecureHttp, ...limits });
    case 'vcs':
      return vcsSource(s, limits);
  }
}

export const sourceModule = new ContainerModule(({ bind }) => {
  bind(ArtifactSource).toResolvedValue((c: AgentConfig) => createSource(c), [AppTypes.Config]).inSingletonScope();
});
