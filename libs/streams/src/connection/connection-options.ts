import type { ConnectionOptions } from 'nats';
import type { NatsConnectionOptions } from '../streams.options.js';

/** Client options ready for `connect()`, plus the redacted server list for messages. */
export interface PreparedConnection {
  options: ConnectionOptions;
  /** The servers with credentials removed, safe to log. */
  redactedServers: string[];
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Moves credentials found in server URLs into the client's `user`/`pass` or `token` options
 * (the client ignores them in URLs) and strips them from the URLs. Explicit `user`, `pass`,
 * `token` or `authenticator` options win over URL credentials.
 */
export function prepareConnection(input: NatsConnectionOptions): PreparedConnection {
  const list = Array.isArray(input.servers) ? input.servers : [input.servers];
  const parsed = list.map(parseServer);
  const withCreds = parsed.find((s) => s.user !== undefined);
  const explicitAuth =
    input.user !== undefined || input.pass !== undefined || input.token !== undefined || input.authenticator !== undefined;

  const options: ConnectionOptions = {
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    ...input,
    servers: parsed.map((s) => s.url),
  };
  if (withCreds && !explicitAuth) {
    if (withCreds.pass !== undefined) {
      options.user = withCreds.user;
      options.pass = withCreds.pass;
    } else {
      options.token = withCreds.user;
    }
  }
  return { options, redactedServers: parsed.map((s) => s.redacted) };
}

interface ParsedServer {
  url: string;
  redacted: string;
  user?: string;
  pass?: string;
}

function parseServer(server: string): ParsedServer {
  const hasScheme = SCHEME.test(server);
  let url: URL;
  try {
    url = new URL(hasScheme ? server : `nats://${server}`);
  } catch {
    return { url: server, redacted: redactUrl(server) };
  }
  if (!url.username && !url.password) {
    return { url: server, redacted: server };
  }
  const user = decodeURIComponent(url.username);
  const pass = url.password ? decodeURIComponent(url.password) : undefined;
  url.username = '';
  url.password = '';
  const bare = hasScheme ? url.toString().replace(/\/$/, '') : url.host;
  return { url: bare, redacted: redactUrl(server), user, pass };
}

/** Replaces the `user:pass@` or `token@` part of a URL with `***@`. Safe on any string. */
export function redactUrl(value: string): string {
  return value.replace(/(^|[\s,(]|[a-z][a-z0-9+.-]*:\/\/)[^\s/@,()]+@/gi, '$1***@');
}
