import { timingSafeEqual } from 'node:crypto';
import { type Authenticator, bearerCredentials, digest as tokenDigest, type Principal } from './authenticator';

/** One entry of CLEF_AGENT_TOKENS_FILE: the token itself is never stored, only its hash. */
export interface ScopedTokenEntry {
  name: string;
  /** Lowercase hex SHA-256 of the token's bytes (e.g. `printf %s "$TOKEN" | sha256sum`). */
  sha256: string;
  namespaces: readonly string[];
}

interface LoadedEntry {
  digest: Buffer;
  principal: Principal;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

function load(entries: readonly ScopedTokenEntry[]): LoadedEntry[] {
  return entries.map((e) => {
    // The app layer validates the file; this guards direct use of the adapter.
    if (!SHA256_HEX.test(e.sha256)) throw new TypeError(`scoped token "${e.name}" needs a 64-digit lowercase hex sha256`);
    const principal: Principal = Object.freeze({ name: e.name, namespaces: new Set(e.namespaces) });
    return { digest: Buffer.from(e.sha256, 'hex'), principal };
  });
}

/**
 * Scoped bearer tokens: the presented token is hashed once, then compared with
 * `timingSafeEqual` against every entry without stopping at a match, so the time taken
 * says nothing about which entry (if any) matched or how close a guess was. A fallback
 * authenticator (the single CLEF_AGENT_TOKEN, all namespaces) is asked first.
 *
 * `setEntries` swaps the whole table at once (file reload); a request sees either the
 * old table or the new one, never a mix.
 */
export class ScopedTokenAuthenticator implements Authenticator {
  private entries: readonly LoadedEntry[];

  constructor(
    entries: readonly ScopedTokenEntry[],
    private readonly fallback?: Authenticator,
  ) {
    this.entries = load(entries);
  }

  get size(): number {
    return this.entries.length;
  }

  setEntries(entries: readonly ScopedTokenEntry[]): void {
    this.entries = load(entries);
  }

  authenticate(authorizationHeader: string | undefined): Principal | null {
    const fromFallback = this.fallback?.authenticate(authorizationHeader) ?? null;
    if (fromFallback) return fromFallback;
    const presented = bearerCredentials(authorizationHeader);
    if (presented === null) return null;
    const digest = tokenDigest(presented); // the bytes as sent, as StaticTokenAuthenticator
    let match: Principal | null = null;
    for (const entry of this.entries) {
      if (timingSafeEqual(digest, entry.digest) && match === null) match = entry.principal;
    }
    return match;
  }
}
