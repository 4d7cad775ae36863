import { randomBytes } from 'node:crypto';
import { constants, promises as fs, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './config-error';
import { assertTrustedPath } from './trusted-path';

/** Reads a small secret-bearing file; failures name the variable, never the content.
 * The file must be one only this user or root controls (trusted-path.ts), at startup and
 * on every reload (SIGHUP, file watch), which all read through here.
 * Synchronous system calls, like the trusted-path check: a key or token file is at most
 * 1 MiB on a local or tmpfs volume, and the asynchronous calls cost a thread-pool round
 * trip each (with the check, about 20 of them: ~4 ms of every start; issue 20). */
export function readSecretFile(variable: string, file: string): string {
  assertTrustedPath(variable, file, 'file');
  let text: string;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new ConfigError(variable, `points to ${file}, which is not a regular file`);
    if (stat.size > 1024 * 1024) throw new ConfigError(variable, `points to ${file}, which is larger than 1 MiB`);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable by this user' : `cannot be read (${code ?? 'error'})`;
    throw new ConfigError(variable, `points to ${file}, which ${why}`);
  }
  if (text.trim() === '') throw new ConfigError(variable, `points to ${file}, which is empty`);
  return text;
}

const TOKEN_SHAPE = /^[\x21-\x7e]+$/;

export function checkTokenShape(variable: string, token: string): string {
  if (token === '') throw new ConfigError(variable, 'is empty: an empty token would lock every client out; set a random value (e.g. openssl rand -hex 32)');
  if (!TOKEN_SHAPE.test(token)) throw new ConfigError(variable, 'must be printable ASCII without spaces (it is sent as "Authorization: Bearer <token>")');
  return token;
}

/**
 * The token file: an existing non-empty file is the token (so restarts keep it and it can
 * be a mounted secret); otherwise 32 random bytes are generated and written with mode
 * 0600 via an exclusive temp file + rename, so no other user ever sees a partial file.
 */
export async function tokenFromFile(file: string): Promise<{ token: string; generated: boolean }> {
  // Whoever could plant this file (or the directory it is generated in) would choose the token.
  assertTrustedPath('CLEF_AGENT_TOKEN_FILE', file, 'file');
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing !== '') return { token: checkTokenShape('CLEF_AGENT_TOKEN_FILE', existing), generated: false };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new ConfigError('CLEF_AGENT_TOKEN_FILE', `points to ${file}, which cannot be read (${code ?? 'error'})`);
  }
  const token = randomBytes(32).toString('hex');
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}`);
  try {
    const handle = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      await handle.writeFile(`${token}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError('CLEF_AGENT_TOKEN_FILE', `points to ${file}, which cannot be written (${code ?? 'error'}); check the directory exists and is writable`);
  }
  return { token, generated: true };
}
