import { readSecretFile } from './secret-files';

/**
 * The one place the outputs file (CLEF_AGENT_FILES) and the template files it names are
 * read. They decide where secrets are written and what runs after, so they are trusted
 * configuration: a stricter ownership/permission check belongs here (and only here).
 */
export function readOutputsFile(variable: string, file: string): Promise<string> {
  return readSecretFile(variable, file);
}
