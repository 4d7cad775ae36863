import { hash, timingSafeEqual } from 'node:crypto';

/** Who is calling, and which namespaces it may read. */
export interface Principal {
  name: string;
  namespaces: ReadonlySet<string> | 'all';
}

/**
 * Turns the raw `Authorization` header into a principal, or null when the caller is
 * not authenticated. Synchronous and allocation-light: it runs on every secrets request
 * and before the domain is asked anything (an unauthenticated caller never triggers a
 * refresh or a JIT decrypt).
 */
export interface Authenticator {
  authenticate(authorizationHeader: string | undefined): Principal | null;
}

const BEARER_PREFIX_LENGTH = 'Bearer '.length;
/** Visible ASCII only: anything else cannot round-trip through an HTTP header. */
const TOKEN_SYNTAX = /^[\x21-\x7e]+$/;

const DEFAULT_PRINCIPAL: Principal = Object.freeze({ name: 'default', namespaces: 'all' as const });

/** The scheme name is case-insensitive (RFC 7235 §2.1); the separator is exactly one space.
 * `Bearer` as usually spelt is recognised without copying and lower-casing the scheme. */
export function bearerCredentials(header: string | undefined): string | null {
  if (header === undefined || header.length <= BEARER_PREFIX_LENGTH) return null;
  if (header.charCodeAt(6) !== 0x20) return null;
  if (!header.startsWith('Bearer') && header.slice(0, 6).toLowerCase() !== 'bearer') return null;
  return header.slice(BEARER_PREFIX_LENGTH);
}

/** SHA-256 of a bearer token as sent; shared with ScopedTokenAuthenticator and the tokens file check. */
export function digest(token: string): Buffer {
  // latin1: Node decodes header bytes as latin1, so this hashes exactly the bytes sent.
  // One-shot crypto.hash: half the cost of a Hash object on every request (issue 8).
  return hash('sha256', Buffer.from(token, 'latin1'), 'buffer');
}

function assertUsableToken(token: string): void {
  // W6: an empty token must never mean "no auth" nor "nobody can authenticate".
  if (typeof token !== 'string' || !TOKEN_SYNTAX.test(token)) {
    throw new TypeError('bearer token must be non-empty visible ASCII without spaces');
  }
}

/**
 * One shared bearer token granting every namespace. Only the SHA-256 digest of the
 * token is kept; both sides are hashed before `timingSafeEqual`, so neither the length
 * nor a common prefix of a guess is observable through timing (W6).
 */
export class StaticTokenAuthenticator implements Authenticator {
  private expected: Buffer;

  constructor(token: string) {
    assertUsableToken(token);
    this.expected = digest(token);
  }

  /** Rotation (e.g. on SIGHUP): requests after this call need the new token. */
  setToken(token: string): void {
    assertUsableToken(token);
    this.expected = digest(token);
  }

  authenticate(authorizationHeader: string | undefined): Principal | null {
    const presented = bearerCredentials(authorizationHeader);
    if (presented === null) return null;
    return timingSafeEqual(digest(presented), this.expected) ? DEFAULT_PRINCIPAL : null;
  }
}
