import type { Container } from 'inversify';
import type pino from 'pino';
import { AgeDecryptor } from '../../adapters/crypto/age-decryptor';
import { loadAgeIdentities } from '../../adapters/crypto/age-identities';
import { NodeSignatureVerifier, parseVerifyKeys } from '../../adapters/crypto/signature-verifier';
import { StaticTokenAuthenticator } from '../../adapters/http/authenticator';
import { SignatureVerifier } from '../../domain/ports';
import type { AgentConfig } from '../config/agent-config';
import { ConfigError } from '../config/config-error';
import { checkTokenShape, readSecretFile } from '../config/secret-files';
import { AppTypes } from '../types';
import { reloadCacheFiles } from './cache-reload';

export type FileOutcome = 'reloaded' | 'failed' | 'not_configured';

/** Keys avoid the word "token": the logger redacts such fields wholesale. */
export interface ReloadReport {
  bearerTokenFile: FileOutcome;
  ageKeyFile: FileOutcome;
  verifyKeyFile: FileOutcome;
  /** CLEF_AGENT_CACHE_URL_FILE and the CLEF_AGENT_CACHE_TLS_*_FILE files, as one unit. */
  cacheFiles: FileOutcome;
}

/**
 * SIGHUP: re-read the token, age key and verify key files and swap them into the running
 * adapters. Served secrets are untouched (nothing is wiped or refetched); a file that is
 * missing or invalid keeps the previous value and logs a coded warning, so a half-written
 * rotation can never lock clients out or stop decryption. Only files named by
 * CLEF_AGENT_*_FILE are reloaded: inline values cannot change after start.
 */
export async function reloadSecretFiles(container: Container): Promise<ReloadReport> {
  const config = container.get<AgentConfig>(AppTypes.Config);
  const logger = container.get<pino.Logger>(AppTypes.Logger);
  const attempt = async (variable: string, file: string | undefined, apply: (text: string) => Promise<void> | void): Promise<FileOutcome> => {
    if (file === undefined) return 'not_configured';
    try {
      await apply(readSecretFile(variable, file));
      return 'reloaded';
    } catch (e) {
      // ConfigError / AgeKeyError / VerifyKeyError messages name the file, never its content.
      const message = e instanceof ConfigError ? e.message : `${variable} points to ${file}, which is not usable: ${(e as Error).message}`;
      logger.warn({ event: 'agent.reload_failed', code: 'config_error', variable, file, error: message }, 'kept the previous value');
      return 'failed';
    }
  };
  const report: ReloadReport = {
    bearerTokenFile: await attempt('CLEF_AGENT_TOKEN_FILE', config.tokenFile, (text) => {
      const token = checkTokenShape('CLEF_AGENT_TOKEN_FILE', text.trim());
      container.get<StaticTokenAuthenticator>(AppTypes.Authenticator).setToken(token);
    }),
    ageKeyFile: await attempt('CLEF_AGENT_AGE_KEY_FILE', config.ageKeyFile, (text) => {
      container.get<AgeDecryptor>(AppTypes.AgeDecryptor).setIdentities(loadAgeIdentities(text));
    }),
    verifyKeyFile: await attempt('CLEF_AGENT_VERIFY_KEY_FILE', config.verifyKeyFile, (text) => {
      container.get<NodeSignatureVerifier>(SignatureVerifier).setKeys(parseVerifyKeys(text));
    }),
    cacheFiles: await reloadCacheFiles(container, config, logger),
  };
  logger.info({ event: 'agent.reloaded', ...report }, 'reloaded secret files');
  return report;
}

/**
 * Installs the SIGHUP handler; returns its removal. Reloads run one at a time, so two
 * quick signals cannot interleave their swaps.
 */
export function installReloadHandler(container: Container): () => void {
  let chain: Promise<unknown> = Promise.resolve();
  const onHangup = () => {
    chain = chain.then(() => reloadSecretFiles(container)).catch(() => undefined);
  };
  process.on('SIGHUP', onHangup);
  return () => process.removeListener('SIGHUP', onHangup);
}
