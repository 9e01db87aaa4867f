import type { NatsError } from 'nats';
import { InvalidStreamConfigError } from './invalid-stream-config.error.js';
import { JetStreamApiError } from './jetstream-api.error.js';
import { JetStreamUnavailableError } from './jetstream-unavailable.error.js';
import { StreamCapacityError } from './stream-capacity.error.js';
import { StreamNotFoundError } from './stream-not-found.error.js';
import { StreamPlacementError } from './stream-placement.error.js';
import { StreamsError } from './streams.error.js';

/** The server's JetStream error codes this library reacts to. */
export const ErrCode = {
  JetStreamNotEnabledForAccount: 10039,
  JetStreamNotEnabled: 10076,
  ClusterUnavailable: 10008,
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
  switch (errCode) {
    case ErrCode.StreamNotFound:
      return new StreamNotFoundError(stream ?? '', options);
    case ErrCode.JetStreamNotEnabled:
    case ErrCode.JetStreamNotEnabledForAccount:
      return new JetStreamUnavailableError(api?.description ?? nats.message, options);
    case ErrCode.NoSuitablePeers:
      return new StreamPlacementError(stream ?? '', api?.description ?? nats.message, options);
    case ErrCode.InsufficientResources:
    case ErrCode.StorageResourcesExceeded:
    case ErrCode.MemoryResourcesExceeded:
      return new StreamCapacityError(stream ?? '', undefined, undefined, api?.description ?? nats.message, options);
    case ErrCode.InvalidConfig:
    case ErrCode.ReplicasNotSupported:
      return new InvalidStreamConfigError(stream ?? '', configField(api?.description ?? ''), api?.description ?? '', options);
  }
  return new JetStreamApiError(operation, stream, String(nats.code ?? 'UNKNOWN'), api?.description ?? nats.message, options);
}

function configField(description: string): string {
  if (/replica/i.test(description)) return 'num_replicas';
  const match = /(max[ _]?\w+|subjects?|duplicates? window|storage|retention|discard|placement)/i.exec(description);
  return match ? match[1].toLowerCase().replace(/\s+/g, '_') : 'config';
}
