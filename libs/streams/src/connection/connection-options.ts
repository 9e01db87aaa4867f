import type { ConnectionOptions } from 'nats';
import type { NatsConnectionOptions } from '../streams.options.js';
import { parseServerAddress } from './server-address.js';

/** Client options ready for `connect()`, plus the redacted server list for messages. */
export interface PreparedConnection {
  options: ConnectionOptions;
  /** The servers with credentials removed, safe to log. */
  redactedServers: string[];
}

/**
 * Moves credentials found in server URLs into the client's `user`/`pass` or `token` options
 * (the client ignores them in URLs) and strips them from the URLs. Explicit `user`, `pass`,
 * `token` or `authenticator` options win over URL credentials.
 */
export function prepareConnection(input: NatsConnectionOptions): PreparedConnection {
  const list = Array.isArray(input.servers) ? input.servers : [input.servers];
  const parsed = list.map(parseServerAddress);
  const withCreds = parsed.find((s) => s.user !== undefined || s.token !== undefined);
  const explicitAuth =
    input.user !== undefined || input.pass !== undefined || input.token !== undefined || input.authenticator !== undefined;

  const options: ConnectionOptions = {
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    ...input,
    servers: parsed.map((s) => s.bare),
  };
  if (withCreds && !explicitAuth) {
    if (withCreds.token !== undefined) {
      options.token = withCreds.token;
    } else {
      options.user = withCreds.user;
      options.pass = withCreds.pass;
    }
  }
  return { options, redactedServers: parsed.map((s) => s.redacted) };
}
