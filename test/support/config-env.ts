/** A valid environment for configuration tests, and the ConfigError a variation of it gives. */
import { loadConfig } from '../../src/app/config/load-config';
import { vectorPath, AGE_KEY_FILE } from './vectors';

export const BASE_ENV = { CLEF_AGENT_SOURCE: vectorPath('a-age-basic'), CLEF_AGENT_AGE_KEY_FILE: AGE_KEY_FILE, CLEF_AGENT_TOKEN: 'static-token-0123456789' };

/** The error `loadConfig` throws for BASE_ENV with `env` on top; fails the test if it loads. */
export async function configError(env: Record<string, string>): Promise<{ variable: string; message: string }> {
  try {
    await loadConfig({ ...BASE_ENV, ...env });
  } catch (e) {
    return e as { variable: string; message: string };
  }
  throw new Error('loaded');
}
