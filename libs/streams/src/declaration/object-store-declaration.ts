import type { Duration } from './duration.js';
import type { StreamPlacementInput, StreamPolicy } from './stream-declaration.js';

/**
 * The declarable part of an object store, in the `nats` client's terms (`views.os(name, opts)`).
 * An object store is the stream `OBJ_<bucket>` capturing `$O.<bucket>.C.>` (chunks) and
 * `$O.<bucket>.M.>` (metadata), with the client's layout: `max_age` = `ttl`, `discard: 'new'`,
 * roll-ups and direct get allowed, no per-subject limit, the server's duplicate window. The
 * module's `streamDefaults` never apply to an object store.
 */
export interface ObjectStoreConfigInput {
  /** A description shown in stream info. */
  description?: string;
  /**
   * How long an object is kept, 0 for ever (the stream's `max_age`). A duration string or
   * milliseconds (the client's `ttl` is in nanoseconds). Shortening it below the age of a held
   * chunk deletes it: refused unless `allowDataLoss`. @default 0
   */
  ttl?: Duration;
  /** Bytes the store may hold, -1 for unlimited. Lowering it below what is held is refused unless `allowDataLoss`. @default -1 */
  max_bytes?: number;
  /** @default 'file' */
  storage?: 'file' | 'memory';
  /** Replicas in a cluster (1, 3 or 5). @default 1 */
  replicas?: number;
  /** Replica placement in a cluster. */
  placement?: StreamPlacementInput;
  /** S2 compression of stored chunks (nats-server 2.10+). @default false */
  compression?: boolean;
  /** Free-form metadata (nats-server 2.10+). Keys starting with `_nats.` are the server's and ignored. */
  metadata?: Record<string, string>;
}

/**
 * An object store as declared by the app: its bucket name, config and the same per-stream policy
 * as a stream (`mode`, `allowDataLoss`, `onConflict`).
 *
 * @example
 * { bucket: 'invoices', ttl: '30d', max_bytes: 1024 ** 3 }
 */
export interface ObjectStoreDeclaration extends ObjectStoreConfigInput, StreamPolicy {
  /** The store's bucket name: letters, digits, `-` and `_`. Its stream is `OBJ_<bucket>`. */
  bucket: string;
}
