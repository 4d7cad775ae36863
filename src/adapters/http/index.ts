/** Inbound HTTP adapter: what the composition root wires. */
export { createHttpApp, type HttpAppDeps } from './app';
export { StaticTokenAuthenticator, type Authenticator, type Principal } from './authenticator';
export { httpMappingFor, toHttpError } from './error-status';
export type { AccessLogLine } from './middleware/request-telemetry';
export {
  DEFAULT_SERVER_LIMITS,
  startHttpServer,
  type ListenTarget,
  type RunningServer,
  type ServerLimits,
  type StartHttpServerOptions,
} from './server';
