/** The package version, read once. A plain `require` so both tsc output (dist/app → repo
 * root) and the esbuild bundle (which inlines the JSON) resolve it. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const AGENT_VERSION: string = (require('../../package.json') as { version: string }).version;
export const USER_AGENT = `clef-agent/${AGENT_VERSION}`;
