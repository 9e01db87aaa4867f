import type { NatsError } from 'nats';
import { InvalidStreamConfigError } from './invalid-stream-config.error.js';
import { JetStreamApiError } from './jetstream-api.error.js';
import { JetStreamUnavailableError } from './jetstream-unavailable.error.js';
import { StreamCapacityError } from './stream-capacity.error.js';
import { StreamNotFoundError } from './stream-not-found.error.js';
import { StreamPlacementError } from './stream-placement.error.js';
import { StreamsError } from './streams.error.js';
import { isTransient, retryExhaustionOf } from '../streams/transient-retry.js';

/** The server's JetStream error codes this library reacts to. */
export const ErrCode = {
  JetStreamNotEnabledForAccount: 10039,
  JetStreamNotEnabled: 10076,
  ClusterUnavailable: 10008,
  ClusterNotLeader: 10009,
  StreamNotFound: 10059,
  StreamNameInUse: 10058,
  SubjectsOverlap: 10065,
  InvalidConfig: 10052,
  ReplicasNotSupported: 10074,
  NoSuitablePeers: 10005,
  InsufficientResources: 10023,
  StorageResourcesExceeded: 10047,
  MemoryResourcesExceeded: 10028,
} as const;

/** The `err_code` of a JetStream API error, if `err` is one. */
export function errCodeOf(err: unknown): number | undefined {
  return (err as NatsError | undefined)?.api_error?.err_code;
}

/**
 * Turns what the client threw for a stream operation into this library's typed errors, keeping
 * the original as `cause`. Errors that are already typed pass through.
 */
export function toStreamsError(err: unknown, operation: string, stream?: string): Error {
  if (err instanceof StreamsError || !(err instanceof Error)) return err as Error;
  const nats = err as NatsError;
  const api = nats.api_error;
  const errCode = api?.err_code;
  const options = { cause: err, errCode };
  const description = api?.description ?? nats.message;
  if (isTransient(err)) {
    return new JetStreamApiError(operation, stream, String(nats.code ?? 'UNKNOWN'), explainTransient(err, errCode, description), options);
  }
  switch (errCode) {
    case ErrCode.StreamNotFound:
      return new StreamNotFoundError(stream ?? '', options);
    case ErrCode.JetStreamNotEnabled:
    case ErrCode.JetStreamNotEnabledForAccount:
      return new JetStreamUnavailableError(description, options);
    case ErrCode.NoSuitablePeers:
      // The server answers 10005 both when too few servers match and when none has room left.
      if (/insufficient (storage|memory|resources)/i.test(description)) {
        return new StreamCapacityError(stream ?? '', undefined, undefined, `no server has room for it (the cluster answered "${description}")`, options);
      }
      return new StreamPlacementError(stream ?? '', description, options);
    case ErrCode.InsufficientResources:
    case ErrCode.StorageResourcesExceeded:
    case ErrCode.MemoryResourcesExceeded:
      return new StreamCapacityError(stream ?? '', undefined, undefined, description, options);
    case ErrCode.InvalidConfig:
    case ErrCode.ReplicasNotSupported:
      return new InvalidStreamConfigError(stream ?? '', configField(api?.description ?? ''), api?.description ?? '', options);
  }
  return new JetStreamApiError(operation, stream, String(nats.code ?? 'UNKNOWN'), description, options);
}

/**
 * Why a transient answer still stood when the operation gave up. When it lasts for a whole
 * operation deadline, it is rarely an election any more: on a cluster it means a majority of the
 * servers is down, so there is no meta leader (or no stream leader) to answer.
 */
function explainTransient(err: unknown, errCode: number | undefined, description: string): string {
  const tried = retryExhaustionOf(err);
  const after = tried ? ` after retrying for ${tried.elapsedMs} ms (${tried.attempts} attempt${tried.attempts === 1 ? '' : 's'})` : '';
  if (errCode === ErrCode.ClusterUnavailable || errCode === ErrCode.ClusterNotLeader) {
    return (
      `the JetStream cluster has no leader to answer ("${description}", err_code ${errCode}${after}): ` +
      'it has lost quorum (a majority of its servers must be up) or is still electing one; bring servers back, then retry'
    );
  }
  return (
    `no JetStream answer (${description}${after}): the server is unreachable, or, on a cluster, it has no meta or ` +
    'stream leader because a majority of its servers is down; bring servers back, then retry'
  );
}

function configField(description: string): string {
  if (/replica/i.test(description)) return 'num_replicas';
  const match = /(max[ _]?\w+|subjects?|duplicates? window|storage|retention|discard|placement)/i.exec(description);
  return match ? match[1].toLowerCase().replace(/\s+/g, '_') : 'config';
}
