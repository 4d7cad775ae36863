import { BitbucketSource, GitHubSource, GitLabSource } from '../../adapters/sources';
import type { ArtifactSource } from '../../domain/ports';
import type { SourceConfig } from '../config/agent-config';

export interface SourceLimits {
  maxBytes: number;
  timeoutMs: number;
  userAgent: string;
  allowInsecureHttp: boolean;
}

const PROVIDERS = { github: GitHubSource, gitlab: GitLabSource, bitbucket: BitbucketSource } as const;

/** GitHub, GitLab or Bitbucket Cloud, reading `.clef/packed/<identity>/<environment>.age.json`. */
export function vcsSource(s: Extract<SourceConfig, { kind: 'vcs' }>, limits: SourceLimits): ArtifactSource {
  const Source = PROVIDERS[s.provider];
  return new Source({
    repo: s.repo,
    token: s.token,
    identity: s.identity,
    environment: s.environment,
    ref: s.ref,
    apiUrl: s.apiUrl,
    ...limits,
  });
}
