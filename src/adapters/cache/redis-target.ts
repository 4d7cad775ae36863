import { AgentError } from '../../domain/errors';

/** A host and port, as given in the URL or as announced by a Sentinel. */
export interface RedisNode {
  host: string;
  port: number;
}

/** Credentials for one hop (data nodes, or the Sentinels); never logged. */
export interface RedisCredentials {
  username?: string;
  password?: string;
}

/**
 * Where the fleet tier lives. `standalone`: one server (`redis://` / `rediss://`), handed
 * to node-redis as is. `sentinel`: a set of Sentinels that name the current primary of
 * `masterName` (`redis+sentinel://` / `rediss+sentinel://`).
 */
export type RedisTarget =
  | { kind: 'standalone'; url: string; tls: boolean }
  | {
      kind: 'sentinel';
      masterName: string;
      sentinels: RedisNode[];
      tls: boolean;
      database?: number;
      /** For the primary (ACL user and password from the URL's userinfo). */
      node: RedisCredentials;
      /** For the Sentinels (`sentinelUsername`/`sentinelPassword` query parameters). */
      sentinel: RedisCredentials;
    };

// Messages never include the URL: it may carry a password.
const invalid = (message: string) => new AgentError('cache_unavailable', message);

const SENTINEL_URL = /^(rediss?)\+sentinel:\/\/(?:([^@/]*)@)?([^/?#]+)\/([^/?#]+)(?:\/(\d+))?\/?(?:\?([^#]*))?$/i;

function decode(part: string | undefined): string | undefined {
  if (part === undefined || part === '') return undefined;
  try {
    return decodeURIComponent(part);
  } catch {
    throw invalid('the Redis URL has a badly percent-encoded part');
  }
}

function parseNode(text: string): RedisNode {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(text.trim());
  const port = match?.[2] === undefined ? 26379 : Number(match[2]);
  if (!match || port < 1 || port > 65535) throw invalid('a Sentinel address in the Redis URL is not host[:port]');
  return { host: match[1].replace(/^\[|\]$/g, ''), port };
}

/** Parses CLEF_AGENT_CACHE_URL (or the URL file's content); throws `cache_unavailable` naming what is wrong, never the value. */
export function parseRedisTarget(text: string): RedisTarget {
  const url = text.trim();
  const sentinel = SENTINEL_URL.exec(url);
  if (sentinel) {
    const [, scheme, userinfo, hosts, masterName, db, query] = sentinel;
    const [user, ...rest] = (userinfo ?? '').split(':');
    const params = new URLSearchParams(query ?? '');
    for (const name of params.keys()) {
      if (name !== 'sentinelUsername' && name !== 'sentinelPassword') throw invalid(`unknown Sentinel URL parameter ${JSON.stringify(name.slice(0, 40))}`);
    }
    return {
      kind: 'sentinel',
      tls: scheme.toLowerCase() === 'rediss',
      masterName: decode(masterName)!,
      sentinels: hosts.split(',').map(parseNode),
      ...(db === undefined ? {} : { database: Number(db) }),
      node: { username: decode(user), password: decode(rest.length > 0 ? rest.join(':') : undefined) },
      sentinel: { username: params.get('sentinelUsername') ?? undefined, password: params.get('sentinelPassword') ?? undefined },
    };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid('the Redis URL is not a valid URL');
  }
  const scheme = parsed.protocol.replace(/:$/, '').toLowerCase();
  if (scheme === 'redis' || scheme === 'rediss') return { kind: 'standalone', url, tls: scheme === 'rediss' };
  if (/\+sentinel$/.test(scheme)) throw invalid('a Sentinel URL must be redis+sentinel://[user:password@]host:port[,host:port…]/<master name>[/db]');
  throw invalid('the Redis URL must start with redis://, rediss://, redis+sentinel:// or rediss+sentinel://');
}
