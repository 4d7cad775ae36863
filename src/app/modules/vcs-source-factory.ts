import type { ArtifactSource } from '../../domain/ports';
import type { SourceConfig } from '../config/agent-config';

export interface SourceLimits {
  maxBytes: number;
  timeoutMs: number;
  userAgent: string;
}

/** VCS sources (GitHub, GitLab, Bitbucket); wired in once their adapters land. */
export function vcsSource(s: Extract<SourceConfig, { kind: 'vcs' }>, limits: SourceLimits): ArtifactSource {
  void limits;
  throw new Error(`VCS provider ${s.provider} is not wired yet`);
}
