import type { HealthReport } from '../../domain/inbound';
import { announceToken, warnIfUnauthenticated } from '../commands/run';
import type { AgentConfig } from '../config/agent-config';
import { loadConfig } from '../config/load-config';
import { createContainer } from '../container';
import { AgentRuntime } from '../lifecycle/agent-runtime';
import type { AdapterOverrides } from '../modules/overrides-module';

/**
 * Where a started agent listens.
 * @public
 */
export interface AgentAddress {
  /** `http://127.0.0.1:<port>` when TCP is on (the default). */
  url?: string;
  port?: number;
  /** The unix socket path, when CLEF_AGENT_SOCKET is set. */
  socket?: string;
}

/**
 * What `createAgent` takes.
 * @public
 */
export interface AgentOptions {
  /**
   * The settings, named and written exactly as the environment (`CLEF_AGENT_*`, and the
   * standard `OTEL_*` variables): parsed by the same schema, failing with the same
   * one-line {@link ConfigError}. `process.env` works as it is; so does a literal record.
   * Defaults to `process.env`.
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** Settings already read by {@link loadConfigFromEnv} (then `env` is not read). */
  settings?: AgentSettings;
  /** Adapters replacing what the settings would select, port by port. */
  adapters?: AdapterOverrides;
}

/**
 * An agent in this process: the same composition root, domain and HTTP API as the
 * `clef-agent` command, without its signal handling (stop it yourself).
 * @public
 */
export interface Agent {
  /** Listens (127.0.0.1 and/or the unix socket), then loads the artifact and keeps it
   * fresh. Resolves once the first load has settled, served or not: see `health()`. */
  start(): Promise<AgentAddress>;
  /** Stops polling, drains HTTP, flushes telemetry, wipes plaintext and closes the
   * adapters' connections. Idempotent. */
  stop(): Promise<void>;
  /** The same report `GET /v1/health` gives (no secret values). */
  health(): HealthReport;
  /** Where it listens, once started. */
  readonly address: AgentAddress | undefined;
}

/**
 * Builds an agent from settings and optional adapters. Throws a {@link ConfigError}
 * (one line naming the variable) for bad settings, as the command exits 2 for them.
 * @public
 */
export async function createAgent(options: AgentOptions = {}): Promise<Agent> {
  const adapters = options.adapters ?? {};
  const settings = options.settings ?? (await loadConfigFromEnv(options.env, { customSource: adapters.source !== undefined }));
  const config = loaded.get(settings);
  if (config === undefined) throw new TypeError('settings must come from loadConfigFromEnv()');
  const runtime = new AgentRuntime(await createContainer(config, adapters));
  return new EmbeddedAgent(runtime, config);
}

class EmbeddedAgent implements Agent {
  address: AgentAddress | undefined;
  private starting: Promise<AgentAddress> | undefined;

  constructor(
    private readonly runtime: AgentRuntime,
    private readonly config: AgentConfig,
  ) {}

  start(): Promise<AgentAddress> {
    this.starting ??= this.doStart();
    return this.starting;
  }

  private async doStart(): Promise<AgentAddress> {
    const { logger } = this.runtime;
    announceToken(logger, this.config);
    warnIfUnauthenticated(logger, this.config);
    const server = await this.runtime.listen();
    this.address = this.config.tcp
      ? { url: `http://${this.config.host}:${server.port}`, port: server.port, socket: this.config.socket?.path }
      : { socket: server.address };
    logger.info({ event: 'agent.listening', ...this.address, mode: this.config.mode, source: this.health().source.description }, 'listening');
    this.runtime.announceStarted();
    await this.runtime.startRefreshing().catch(() => undefined); // failures are in health()
    return this.address;
  }

  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    await this.runtime.stop('stopped');
  }

  health(): HealthReport {
    return this.runtime.secrets.health();
  }
}

/**
 * Settings read and checked by {@link loadConfigFromEnv}, for {@link createAgent}. Only a
 * few harmless facts are visible; the rest (token, keys) stays inside the package.
 * @public
 */
export interface AgentSettings {
  readonly mode: 'cached' | 'jit';
  /** `file`, `http`, `vcs`, or `custom` when the source adapter is supplied. */
  readonly sourceKind: string;
  /** The TCP port (CLEF_AGENT_PORT), when TCP is on. */
  readonly port: number | undefined;
  readonly socket: string | undefined;
}

/**
 * Options of {@link loadConfigFromEnv}.
 * @public
 */
export interface LoadSettingsOptions {
  /** The source adapter will be supplied: CLEF_AGENT_SOURCE / CLEF_AGENT_VCS_* must then be unset. */
  customSource?: boolean;
}

/** The parsed configuration behind each AgentSettings handed out. */
const loaded = new WeakMap<AgentSettings, AgentConfig>();

/**
 * Reads the settings from an environment (default `process.env`) exactly as the command
 * does: the checked settings, or a {@link ConfigError} (one line naming the variable).
 * @public
 */
export async function loadConfigFromEnv(env: Readonly<Record<string, string | undefined>> = process.env, options: LoadSettingsOptions = {}): Promise<AgentSettings> {
  const config = await loadConfig(env as NodeJS.ProcessEnv, options);
  const settings: AgentSettings = Object.freeze({ mode: config.mode, sourceKind: config.source.kind, port: config.tcp ? config.port : undefined, socket: config.socket?.path });
  loaded.set(settings, config);
  return settings;
}
