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
    return { url: server, redacted: redactUrl(server) };
  }
  const user = decode(url.username);
  const pass = url.password ? decode(url.password) : undefined;
  url.username = '';
  url.password = '';
  const bare = hasScheme ? url.toString().replace(/\/$/, '') : url.host;
  return { url: bare, redacted: redactUrl(server), user, pass };
}

function decode(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    return component;
  }
}

/**
 * Replaces the credentials of every URL in `value` with `***`. Within each run of non-space text,
 * a URL's credentials are everything between its `scheme://` and the last `@` before the next
 * `scheme://` (so passwords containing `@`, `/`, `#` or `,` are covered); text without a scheme
 * loses everything before its last `@`. Safe on any string: text without credentials comes back
 * unchanged.
 */
export function redactUrl(value: string): string {
  return value.replace(/\S+/g, redactToken);
}

const SCHEMES = /[a-z][a-z0-9+.-]*:\/\//gi;

function redactToken(token: string): string {
  const schemes = [...token.matchAll(SCHEMES)];
  if (schemes.length === 0) {
    const at = token.lastIndexOf('@');
    const lead = token.startsWith('(') ? 1 : 0;
    return at > lead ? `${token.slice(0, lead)}***${token.slice(at)}` : token;
  }
  let out = token.slice(0, schemes[0].index);
  schemes.forEach((scheme, i) => {
    const start = (scheme.index ?? 0) + scheme[0].length;
    const segment = token.slice(start, schemes[i + 1]?.index ?? token.length);
    const at = segment.lastIndexOf('@');
    out += scheme[0] + (at > 0 ? `***${segment.slice(at)}` : segment);
  });
  return out;
}
