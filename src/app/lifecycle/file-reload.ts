import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Container } from 'inversify';
import type pino from 'pino';
import type { ScopedTokenAuthenticator } from '../../adapters/http/scoped-token-authenticator';
import type { AgentConfig } from '../config/agent-config';
import { ConfigError } from '../config/config-error';
import { readSecretFile } from '../config/secret-files';
import { parseTokensFile } from '../config/tokens-file';
import { AppTypes } from '../types';
import { reloadSecretFiles } from './reload';

/** Lets a writer finish (editors and non-atomic writers emit several events per save). */
const SETTLE_MS = 100;
/** Kubernetes updates mounted Secrets/ConfigMaps by swapping this symlink, not the files. */
const K8S_DATA_LINK = '..data';

export type TokensOutcome = 'reloaded' | 'failed' | 'not_configured';

/**
 * Re-reads CLEF_AGENT_TOKENS_FILE and swaps the scoped token table. A missing or invalid
 * file keeps the current table and logs `tokens_file_invalid`: a half-written file must
 * never lock clients out (nor widen anyone's access).
 */
export async function reloadScopedTokens(container: Container): Promise<TokensOutcome> {
  const config = container.get<AgentConfig>(AppTypes.Config);
  const logger = container.get<pino.Logger>(AppTypes.Logger);
  const file = config.tokensFile;
  if (file === undefined) return 'not_configured';
  try {
    const entries = parseTokensFile(readSecretFile('CLEF_AGENT_TOKENS_FILE', file), file, config.token);
    container.get<ScopedTokenAuthenticator>(AppTypes.ScopedTokens).setEntries(entries);
    logger.info({ event: 'agent.scoped_tokens_reloaded', file, count: entries.length }, 'reloaded scoped tokens');
    return 'reloaded';
  } catch (e) {
    const error = e instanceof ConfigError ? e.message : 'unexpected error';
    logger.warn({ event: 'agent.reload_failed', code: 'tokens_file_invalid', variable: 'CLEF_AGENT_TOKENS_FILE', file, error }, 'kept the previous scoped tokens');
    return 'failed';
  }
}

/**
 * SIGHUP reloads the scoped tokens (reload.ts's own handler covers the other files).
 * With CLEF_AGENT_WATCH_FILES=true, changes are picked up without a signal too: one
 * fs.watch per directory holding a configured file (the directory, not the file, so
 * atomic renames and Kubernetes' symlink swaps are seen), settled for SETTLE_MS, then the
 * deployments reload (`reloadSecretFiles`: token, age key, verify key) and the scoped
 * tokens, one run at a time. Every change schedules a run that starts after it, so the
 * last run always reads the final content. Opt-in because SIGHUP-driven deployments
 * expect a half-written file to be read only when they signal.
 * Returns the uninstaller (watchers, timer, SIGHUP listener).
 */
export function installFileReload(container: Container): () => void {
  const config = container.get<AgentConfig>(AppTypes.Config);
  const logger = container.get<pino.Logger>(AppTypes.Logger);
  const secretFiles = [config.tokenFile, config.ageKeyFile, config.verifyKeyFile].filter((f): f is string => f !== undefined);
  const files = config.tokensFile ? [...secretFiles, config.tokensFile] : secretFiles;

  let chain: Promise<unknown> = Promise.resolve();
  const run = (all: boolean) => {
    chain = chain
      .then(async () => {
        if (all && secretFiles.length > 0) await reloadSecretFiles(container);
        await reloadScopedTokens(container);
      })
      .catch(() => undefined); // each reload logs its own failures
  };
  // SIGHUP: reload.ts's own handler covers the token, age and verify key files.
  const onHangup = () => run(false);
  process.on('SIGHUP', onHangup);

  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      run(true);
    }, SETTLE_MS);
  };
  const watchers: FSWatcher[] = [];
  const byDir = new Map<string, Set<string>>();
  for (const f of files) {
    const abs = path.resolve(f);
    const names = byDir.get(path.dirname(abs)) ?? new Set([K8S_DATA_LINK]);
    names.add(path.basename(abs));
    byDir.set(path.dirname(abs), names);
  }
  for (const [dir, names] of config.watchFiles ? byDir : new Map<string, Set<string>>()) {
    try {
      const watcher = watch(dir, { persistent: false }, (_event, name) => {
        if (name === null || names.has(String(name))) schedule();
      });
      watcher.on('error', () => logger.warn({ event: 'agent.watch_failed', dir }, 'stopped watching a key directory; SIGHUP still reloads'));
      watchers.push(watcher);
    } catch {
      logger.warn({ event: 'agent.watch_failed', dir }, 'cannot watch a key directory; SIGHUP still reloads');
    }
  }
  return () => {
    process.removeListener('SIGHUP', onHangup);
    clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
