/** Service identifiers of the app layer (domain ports have theirs beside their interfaces). */
export const AppTypes = {
  Config: Symbol.for('clef-agent.Config'),
  Policy: Symbol.for('clef-agent.Policy'),
  AgentState: Symbol.for('clef-agent.AgentState'),
  CoreDeps: Symbol.for('clef-agent.CoreDeps'),
  RefreshService: Symbol.for('clef-agent.RefreshService'),
  RefreshScheduler: Symbol.for('clef-agent.RefreshScheduler'),
  SecretsService: Symbol.for('clef-agent.SecretsService'),
  Logger: Symbol.for('clef-agent.Logger'),
  Authenticator: Symbol.for('clef-agent.Authenticator'),
  /** CLEF_AGENT_TOKENS_FILE entries, asked after the static token (Authenticator). */
  ScopedTokens: Symbol.for('clef-agent.ScopedTokens'),
  HttpApp: Symbol.for('clef-agent.HttpApp'),
  AgeDecryptor: Symbol.for('clef-agent.AgeDecryptor'),
  TelemetryBuffer: Symbol.for('clef-agent.TelemetryBuffer'),
  FleetCache: Symbol.for('clef-agent.FleetCache'),
  /** CLEF_AGENT_FILES: keeps rendered outputs equal to the served revision. */
  FilesPublisher: Symbol.for('clef-agent.FilesPublisher'),
  /** Where the fleet tier is (RedisEndpoint); SIGHUP swaps its settings. */
  RedisEndpoint: Symbol.for('clef-agent.RedisEndpoint'),
  /** Envelope provider → Decryptor factory supplied by an embedder (createAgent), beside the built-in ones. */
  ExtraEnvelopeDecryptors: Symbol.for('clef-agent.ExtraEnvelopeDecryptors'),
} as const;
