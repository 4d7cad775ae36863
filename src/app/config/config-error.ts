/** A configuration problem: printed as one line naming the variable and the fix, exit code 2. */
export class ConfigError extends Error {
  readonly code = 'config_error';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable} ${message}`);
    this.name = 'ConfigError';
  }
}
