import type { LoggerService } from '@nestjs/common';
import { connect, type ConnectionOptions, type NatsConnection } from 'nats';
import { AUTH_CODES, NatsConnectionError } from '../errors/nats-connection.error.js';
import { StreamsStartupError } from '../errors/streams-startup.error.js';
import type { StartupPolicy } from '../streams.options.js';
import { ConnectSockets } from './connect-sockets.js';
import { redactUrl } from './redact.js';

/** What opening the connection at start-up needs. */
export interface StartupConnectSettings {
  /** The client options, credentials already moved out of the server URLs. */
  options: ConnectionOptions;
  /** The servers as shown in messages: credentials redacted. */
  servers: readonly string[];
  startup: Required<StartupPolicy>;
  /** The connection's name, for the error when the app closes meanwhile. */
  connection: string;
  logger: Pick<LoggerService, 'warn'>;
}

/**
 * Opens the connection following the start-up policy: attempts `startup.retryIntervalMs` apart
 * until one succeeds or `startup.timeoutMs` has passed (one attempt with `wait: false`). Every
 * attempt is bounded by the time left, and the sockets it leaves open are destroyed (see
 * {@link ConnectSockets}). The first failure is logged at once, later ones at a falling rate
 * (after 2, 4, 8, ... attempts). A refusal of the credentials, or an error the client gives no
 * code (it cannot use its options), is not retried. `closed` aborting stops it at once: the
 * attempt on its way is abandoned, a connection it opened anyway is closed.
 *
 * @throws NatsConnectionError naming the servers, the time waited and the client's code
 * @throws StreamsStartupError (`reason: 'closed'`) when `closed` aborts first
 */
export async function connectAtStartup(settings: StartupConnectSettings, closed: AbortSignal): Promise<NatsConnection> {
  const { options, servers, startup, logger } = settings;
  const sockets = new ConnectSockets();
  const started = Date.now();
  const deadline = started + startup.timeoutMs;
  for (let attempt = 1; ; attempt++) {
    // Closed before start-up reached the connection (Nest runs an HTTP app's shutdown hooks at once).
    if (closed.aborted) throw closedError(settings, started);
    const remaining = Math.max(1, deadline - Date.now());
    let failure: unknown;
    try {
      const nc = await sockets.run(() => connect({ ...options, timeout: Math.min(options.timeout ?? 20_000, remaining) }), closed);
      if (!closed.aborted) return nc;
      await nc.close().catch(() => undefined);
    } catch (err) {
      failure = err;
    }
    if (closed.aborted) throw closedError(settings, started);
    const code = codeOf(failure);
    const left = deadline - Date.now();
    if (code === undefined || AUTH_CODES.has(code) || !startup.wait || left <= 0) {
      throw new NatsConnectionError([...servers], Date.now() - started, code ?? 'UNKNOWN', sanitize(failure));
    }
    // Said at once, then after 2, 4, 8, ... attempts: 5 lines in 10 s at the default interval.
    if ((attempt & (attempt - 1)) === 0) {
      logger.warn(
        attempt === 1
          ? `NATS at ${servers.join(', ')} not reachable (${code}); retrying every ${startup.retryIntervalMs} ms for ${left} ms more`
          : `NATS at ${servers.join(', ')} still not reachable after ${attempt} attempts in ${Date.now() - started} ms (${code}); retrying for ${left} ms more`,
      );
    }
    await pause(Math.min(startup.retryIntervalMs, left), closed);
    if (closed.aborted) throw closedError(settings, started);
  }
}

function closedError(settings: StartupConnectSettings, started: number): StreamsStartupError {
  return new StreamsStartupError('closed', settings.connection, Date.now() - started, 'connecting to NATS');
}

/** The client's error code, or undefined for an error it gave none (e.g. a TypeError of its own). */
function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && code !== '' ? code : undefined;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

/** A copy of the client's error with its message redacted, and no stack to repeat it. */
function sanitize(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const copy = new Error(redactUrl(err.message));
  copy.name = err.name;
  copy.stack = `${copy.name}: ${copy.message}`;
  return copy;
}
