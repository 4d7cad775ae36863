import { readSecretFile } from './secret-files';

/**
 * The one place the outputs file (CLEF_AGENT_FILES) and the template files it names are
 * read. They decide where secrets are written and what runs after, so they are trusted
 * configuration: readSecretFile applies the trusted-path check (owner is the agent's user or
 * root, nothing on the resolved path writable by others) to each of them.
 */
export function readOutputsFile(variable: string, file: string): string {
  return readSecretFile(variable, file);
}
