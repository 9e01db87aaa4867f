import { ApiReplyError } from './api-reply.error.js';
import { ErrCode } from './err-codes.js';
import { InvalidStreamConfigError } from './invalid-stream-config.error.js';
import { JetStreamApiError } from './jetstream-api.error.js';
import { JetStreamUnavailableError } from './jetstream-unavailable.error.js';
import { RetryExhaustedError } from './retry-exhausted.error.js';
import { StreamCapacityError } from './stream-capacity.error.js';
import { StreamNotFoundError } from './stream-not-found.error.js';
import { StreamOfflineError } from './stream-offline.error.js';
import { StreamPlacementError } from './stream-placement.error.js';
import { StreamsError } from './streams.error.js';

/** How a failed JetStream API request is to be treated. */
export interface FailureClass {
  /** It clears by itself (no leader yet, a timeout while a node restarts, a reconnect): worth retrying. */
  transient: boolean;
  /** The server certainly did not apply the request (it said so, or nothing received it). */
  unapplied: boolean;
}

/** Server answers that clear by themselves once a leader is elected; the request was not applied. */
const TRANSIENT_ERR_CODES: ReadonlySet<number> = new Set([
  ErrCode.ClusterUnavailable, // no meta or stream leader (yet)
  ErrCode.ClusterNotLeader, // this server stopped being the meta leader
  ErrCode.StreamUpdateInProgress, // 2.11+: the previous update is still being applied
]);

/** The client's codes for a request whose fate is unknown: it may have been applied. */
const UNKNOWN_FATE_CODES: ReadonlySet<string> = new Set(['TIMEOUT', 'DISCONNECT']);

/**
 * The one decision on every failure of a JetStream API request:
 * - a server answer with a leader-election code (10008, 10009, 10226) is transient and unapplied;
 * - a bare 503 ("no responders": nothing serves the JetStream API on the connected server) is
 *   transient and unapplied — a restarting server answers again shortly — and, if it lasts for the
 *   whole operation, it is reported as {@link JetStreamUnavailableError};
 * - a timeout or a lost connection is transient, but the request may have been applied;
 * - everything else (a bad config, not found, a closed connection) is permanent.
 */
export function classifyFailure(err: unknown): FailureClass {
  if (err instanceof ApiReplyError) {
    const code = err.api.err_code;
    const transient =
      (code !== undefined && TRANSIENT_ERR_CODES.has(code)) ||
      /temporarily unavailable|no leader|leader not|not current/i.test(err.api.description ?? '');
    return { transient, unapplied: transient };
  }
  const code = clientCode(err);
  if (code === '503') return { transient: true, unapplied: true };
  if (code !== undefined && UNKNOWN_FATE_CODES.has(code)) return { transient: true, unapplied: false };
  return { transient: false, unapplied: false };
}

/**
 * Turns what a JetStream API request failed with (a server answer, a client error, or a retry
 * that ran out of time) into this library's typed errors, keeping the original as `cause`.
 * Errors that are already typed pass through.
 *
 * @param operation the library operation, named in the error (e.g. `ensureStream`)
 * @param stream the stream concerned, if any
 */
export function toStreamsError(err: unknown, operation: string, stream?: string): Error {
  if (err instanceof StreamsError || !(err instanceof Error)) return err as Error;
  if (err instanceof RetryExhaustedError) return exhausted(err, operation, stream);
  if (clientCode(err) === '503') return unavailable(err);
  if (!(err instanceof ApiReplyError)) {
    return new JetStreamApiError(operation, stream, clientCode(err) ?? 'UNKNOWN', err.message, { cause: err });
  }
  const errCode = err.api.err_code;
  const options = { cause: err, errCode };
  const description = err.api.description ?? err.message;
  switch (errCode) {
    case ErrCode.StreamNotFound:
      return new StreamNotFoundError(stream ?? '', options);
    case ErrCode.StreamOffline:
      return new StreamOfflineError(stream ?? '', description.replace(/^stream is offline: /, ''), options);
    case ErrCode.JetStreamNotEnabled:
    case ErrCode.JetStreamNotEnabledForAccount:
      return new JetStreamUnavailableError(description, options);
    case ErrCode.NoSuitablePeers:
      // The server answers 10005 both when too few servers match and when none has room left.
      if (/insufficient (storage|memory|resources)/i.test(description)) {
        return new StreamCapacityError(
          stream ?? '',
          undefined,
          undefined,
          `no server has room for it (the cluster answered "${description}")`,
          options,
        );
      }
      return new StreamPlacementError(stream ?? '', description, options);
    case ErrCode.InsufficientResources:
    case ErrCode.StorageResourcesExceeded:
    case ErrCode.MemoryResourcesExceeded:
      return new StreamCapacityError(stream ?? '', undefined, undefined, description, options);
    case ErrCode.InvalidConfig:
    case ErrCode.ReplicasNotSupported:
      return new InvalidStreamConfigError(stream ?? '', configField(description), description, options);
  }
  return new JetStreamApiError(operation, stream, String(err.api.code), description, options);
}

/** The `err_code` of a JetStream API answer, if `err` is one (typed errors carry it too). */
export function errCodeOf(err: unknown): number | undefined {
  if (err instanceof ApiReplyError) return err.api.err_code;
  return err instanceof StreamsError ? err.errCode : undefined;
}

/** Why a transient answer still stood when the operation gave up. */
function exhausted(err: RetryExhaustedError, operation: string, stream: string | undefined): Error {
  const last = err.cause;
  if (clientCode(last) === '503') return unavailable(last, err);
  const after = `after retrying for ${err.elapsedMs} ms (${err.attempts} attempt${err.attempts === 1 ? '' : 's'})`;
  const errCode = last instanceof ApiReplyError ? last.api.err_code : undefined;
  const options = { cause: err, errCode };
  const code = errCode !== undefined ? String((last as ApiReplyError).api.code) : (clientCode(last) ?? 'TIMEOUT');
  // A transient answer that lasts a whole deadline is rarely an election any more: on a cluster it
  // means a majority of the servers is down, so there is no meta (or stream) leader to answer.
  const reason =
    errCode === ErrCode.ClusterUnavailable || errCode === ErrCode.ClusterNotLeader
      ? `the JetStream cluster has no leader to answer ("${err.message}", err_code ${errCode} ${after}): ` +
        'it has lost quorum (a majority of its servers must be up) or is still electing one; bring servers back, then retry'
      : `no JetStream answer (${err.message} ${after}): the server is unreachable, or, on a cluster, it has no meta or ` +
        'stream leader because a majority of its servers is down; bring servers back, then retry';
  return new JetStreamApiError(operation, stream, code, reason, options);
}

function unavailable(err: unknown, wrapper?: RetryExhaustedError): JetStreamUnavailableError {
  const waited = wrapper ? ` within ${wrapper.elapsedMs} ms` : '';
  return new JetStreamUnavailableError(`no JetStream API answered${waited} (no responders: is JetStream enabled?)`, {
    cause: wrapper ?? err,
  });
}

/** The `nats` client's error code (`TIMEOUT`, `503`, `CONNECTION_CLOSED`, ...), if any. */
function clientCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return code === undefined || code === null ? undefined : String(code);
}

function configField(description: string): string {
  if (/replica/i.test(description)) return 'num_replicas';
  const match = /(max[ _]?\w+|subjects?|duplicates? window|storage|retention|discard|placement)/i.exec(description);
  return match ? match[1].toLowerCase().replace(/\s+/g, '_') : 'config';
}
