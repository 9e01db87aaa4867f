import type { Duration } from './duration.js';
import type { BucketTopologyInput } from './bucket-topology.js';
import type { StreamPlacementInput, StreamPolicy } from './stream-declaration.js';

/**
 * The declarable part of a key-value bucket, in the `nats` client's terms (`views.kv(name, opts)`).
 * A bucket is the stream `KV_<bucket>` capturing `$KV.<bucket>.>`, with the client's layout:
 * `max_msgs_per_subject` = `history`, `max_age` = `ttl`, `discard: 'new'`, roll-ups and direct get
 * allowed, the server's duplicate window. The module's `streamDefaults` never apply to a bucket.
 */
export interface BucketConfigInput {
  /** A description shown in stream info. */
  description?: string;
  /** Values kept per key, 1 to 64 (the stream's `max_msgs_per_subject`). Lowering it below what a key holds deletes its oldest values: refused unless `allowDataLoss`. @default 1 */
  history?: number;
  /** How long a value is kept, 0 for ever (the stream's `max_age`). @default 0 */
  ttl?: Duration;
  /** Bytes the bucket may hold, -1 for unlimited. Lowering it below what is held is refused unless `allowDataLoss`. @default -1 */
  max_bytes?: number;
  /** Largest value accepted, in bytes, -1 for unlimited (the stream's `max_msg_size`). @default -1 */
  max_value_size?: number;
  /** @default 'file' */
  storage?: 'file' | 'memory';
  /** Replicas in a cluster (1, 3 or 5). @default 1 */
  replicas?: number;
  /** Replica placement in a cluster. */
  placement?: StreamPlacementInput;
  /** Republish every change to another subject. */
  republish?: { src: string; dest: string; headers_only?: boolean };
  /** S2 compression of stored values (nats-server 2.10+). @default false */
  compression?: boolean;
  /** Free-form metadata (nats-server 2.10+). Keys starting with `_nats.` are the server's and ignored. */
  metadata?: Record<string, string>;
}

/**
 * A key-value bucket as declared by the app: its name, config and the same per-stream policy as a
 * stream (`mode`, `allowDataLoss`, `onConflict`).
 *
 * @example
 * { bucket: 'sessions', history: 5, ttl: '1h', max_bytes: 64 * 1024 * 1024 }
 */
export interface BucketDeclaration extends BucketConfigInput, BucketTopologyInput, StreamPolicy {
  /** The bucket's name: letters, digits, `-` and `_`. Its stream is `KV_<bucket>`. */
  bucket: string;
}
