import { DebugEvents, Events } from 'nats';
import { redactUrl } from './redact.js';

/** The kind of the latest connection event. */
export type ConnectionStatusType =
  'connecting' | 'connected' | 'disconnected' | 'reconnecting' | 'reconnected' | 'error' | 'lame-duck' | 'draining' | 'closed';

/** One connection status event, as emitted by `ConnectionService.status$`. */
export interface ConnectionStatus {
  type: ConnectionStatusType;
  /** Whether the connection can carry requests now. */
  connected: boolean;
  /** The server concerned, credentials redacted. */
  server?: string;
  /** The error text, for `error` events (credentials redacted). */
  error?: string;
  at: Date;
}

/** A status event of the given kind, now. */
export function statusOf(type: ConnectionStatusType, connected: boolean, server?: string): ConnectionStatus {
  return { type, connected, ...(server ? { server } : {}), at: new Date() };
}

/**
 * Maps one of the client's status events to the library's, or undefined for events it does not
 * report (pings, server list updates). `connected` is whether the connection was usable before.
 */
export function clientStatus(type: string, data: unknown, connected: boolean): ConnectionStatus | undefined {
  const server = typeof data === 'string' ? redactUrl(data) : undefined;
  switch (type) {
    case Events.Disconnect:
      return statusOf('disconnected', false, server);
    case DebugEvents.Reconnecting:
      return statusOf('reconnecting', false, server);
    case Events.Reconnect:
      return statusOf('reconnected', true, server);
    case Events.LDM:
      return statusOf('lame-duck', connected, server);
    case Events.Error:
      return { ...statusOf('error', connected), error: redactUrl(String(data)) };
    default:
      return undefined;
  }
}
