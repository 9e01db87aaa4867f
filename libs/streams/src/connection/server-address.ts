import { redactServer } from './redact.js';

/** One server address as given, taken apart. */
export interface ServerAddress {
  /** The address without credentials, as the client is given it. */
  bare: string;
  /** The address as given, credentials replaced by `***`: safe to show. */
  redacted: string;
  /** The user of `user:pass@`, percent-decoded. */
  user?: string;
  /** The password of `user:pass@` (present, maybe empty, when the credentials hold a `:`). */
  pass?: string;
  /** The token of `token@` (credentials without a `:`). */
  token?: string;
}

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * Takes one server address apart: `[scheme://][credentials@]host[:port]`. The credentials are
 * everything between the scheme (or the start) and the last `@`, whatever the characters (a
 * password may hold `/`, `@`, `#`, `?`, `,`, spaces): a URL parser would end them at the first `/`,
 * `?` or `#`. `user:pass` is split at the first `:`; without one the credentials are a token. Each
 * part is percent-decoded when it is valid percent-encoding, and kept as written otherwise.
 */
export function parseServerAddress(server: string): ServerAddress {
  const at = server.lastIndexOf('@');
  const redacted = redactServer(server);
  if (at < 0) return { bare: server, redacted };
  const scheme = SCHEME.exec(server)?.[0] ?? '';
  const credentials = server.slice(scheme.length, at);
  const bare = scheme + server.slice(at + 1);
  if (credentials === '') return { bare, redacted };
  const colon = credentials.indexOf(':');
  if (colon < 0) return { bare, redacted, token: decode(credentials) };
  return { bare, redacted, user: decode(credentials.slice(0, colon)), pass: decode(credentials.slice(colon + 1)) };
}

/**
 * Why the `nats` client cannot use this address (credentials aside), or undefined when it can: a
 * scheme other than `nats://` or `tls://`, no host, a port or host the client's URL parsing
 * refuses (it would retry such an address until the start-up timeout), or a path, query or
 * fragment (which the client would silently drop).
 */
export function serverAddressProblem(server: string): string | undefined {
  const { bare } = parseServerAddress(server.trim());
  const scheme = SCHEME.exec(bare)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'nats' && scheme !== 'tls') return `scheme ${scheme}:// is not nats:// or tls://`;
  let hostPort = scheme === undefined ? bare : bare.slice(scheme.length + 3);
  // The client brackets a bare IPv6 address itself, then reads it as an http URL.
  if (hostPort.includes('::') && !hostPort.includes('[')) hostPort = `[${hostPort}]`;
  let url: URL;
  try {
    url = new URL(`http://${hostPort}`);
  } catch {
    return 'not a host and port';
  }
  if (url.hostname === '') return 'no host';
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '')
    return 'a path, query or fragment is not allowed';
  return undefined;
}

function decode(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    return component;
  }
}
