import { StreamsError } from './streams.error.js';

/** The client's error codes that mean the server refused the credentials. */
export const AUTH_CODES: ReadonlySet<string> = new Set([
  'AUTHORIZATION_VIOLATION',
  'AUTHENTICATION_EXPIRED',
  'BAD_AUTHENTICATION',
  'BAD_CREDS',
]);

/**
 * The NATS connection could not be opened at start-up: no server answered within the startup
 * timeout, or the server refused the credentials. `servers` are redacted (no credentials).
 */
export class NatsConnectionError extends StreamsError {
  constructor(
    /** The servers that were tried, with any credentials redacted. */
    readonly servers: string[],
    /** How long start-up waited before giving up, in milliseconds. */
    readonly waitedMs: number,
    /** The client's error code, e.g. `CONNECTION_REFUSED` or `AUTHORIZATION_VIOLATION`. */
    readonly code: string,
    cause?: unknown,
  ) {
    super(
      AUTH_CODES.has(code)
        ? `NATS at ${servers.join(', ')} refused the credentials (${code}); check user/pass, token, nkey or creds`
        : `Could not connect to NATS at ${servers.join(', ')} after waiting ${waitedMs} ms (${code})`,
      { cause },
    );
  }
}
