/** Artifact source adapters, for the composition root. */
export * from './defaults';
export { FileSource } from './file-source';
export type { FileSourceOptions } from './file-source';
export { HttpSource } from './http-source';
export type { HttpSourceOptions } from './http-source';
export { redactUrl } from './redact';
export { InsecureSourceError, isLoopbackHost } from './url-policy';
export { GitHubSource } from './vcs/github-source';
export { GitLabSource } from './vcs/gitlab-source';
export { BitbucketSource } from './vcs/bitbucket-source';
export type { VcsSourceOptions } from './vcs/vcs-http';
