/**
 * The JSON shapes of JetStream's stream API that this library reads and sends (`STREAM.CREATE`,
 * `STREAM.UPDATE`, `STREAM.INFO`, `STREAM.LIST`), written from what nats-server 2.9 to 2.15 answer.
 * Fields the server leaves out when empty (`omitempty`) are optional. The `nats` client's
 * `ServerStreamInfo` and `StreamConfig` are assignable to these types, so its answers can be used as they are.
 */

/** A duration in nanoseconds, as the server stores it (Go `time.Duration`). */
export type Nanos = number;

/** How long messages are kept: by limits, while a consumer is interested, or until acknowledged once. */
export type RetentionPolicy = 'limits' | 'interest' | 'workqueue';
/** Where messages are stored. */
export type StorageType = 'file' | 'memory';
/** What a full stream does with a new message: drop the oldest, or refuse the new one. */
export type DiscardPolicy = 'old' | 'new';
/** Compression of stored messages (nats-server 2.10+). */
export type StoreCompression = 'none' | 's2';

/** An error the server answers with. */
export interface ServerApiError {
  /** HTTP-like status, e.g. 404. */
  code: number;
  /** The server's text. */
  description: string;
  /** JetStream's own error code, e.g. 10059 (stream not found). */
  err_code?: number;
}

/** A subject transform: `src` (a pattern, `''` for every subject) mapped to `dest`. */
export interface ServerSubjectTransform {
  /** The source pattern; the server answers `''` when none was set. */
  src?: string;
  /** The destination pattern. */
  dest: string;
}

/** Where a stream's replicas go in a cluster. The server answers `{}` when neither is set. */
export interface ServerPlacement {
  /** The cluster to place the stream in. */
  cluster?: string;
  /** Tags every replica's server must have. */
  tags?: string[];
  /** A preferred leader: 2.11+ knows the field but refuses it in a stream's config (only a leader step-down takes it). */
  preferred?: string;
}

/** Republish every stored message whose subject matches `src` to `dest`. */
export interface ServerRepublish {
  /** The subjects to republish. */
  src: string;
  /** Where to republish them. */
  dest: string;
  /** Republish headers only, without the payload. */
  headers_only?: boolean;
}

/** A stream another stream sources from or mirrors. */
export interface ServerStreamSource {
  /** The stream's name. */
  name: string;
  /** Start at this sequence. */
  opt_start_seq?: number;
  /** Start at this time (ISO date). */
  opt_start_time?: string;
  /** Only messages whose subject matches this. */
  filter_subject?: string;
  /** The source lives in another account or domain, reached through this API prefix. */
  external?: { api: string; deliver?: string };
  /** The source's JetStream domain. */
  domain?: string;
  /** Transforms applied to the sourced subjects (nats-server 2.10+). */
  subject_transforms?: ServerSubjectTransform[];
  /** The durable consumer of the origin read through (nats-server 2.14+). */
  consumer?: { name: string; deliver_subject: string };
}

/** Limits for the consumers of a stream (nats-server 2.10+; answered as `{}` when unset). */
export interface ServerConsumerLimits {
  /** Consumers idle for this long are removed. */
  inactive_threshold?: Nanos;
  /** Upper bound for consumers' `max_ack_pending`. */
  max_ack_pending?: number;
}

/**
 * A stream's config as the server holds it: what `STREAM.INFO` answers and what `STREAM.CREATE`
 * and `STREAM.UPDATE` take. nats-server 2.15 refuses a request with a field it does not know, so
 * requests carry only the fields the running server knows (see `createRequest`, `updateRequest`).
 */
export interface ServerStreamConfig {
  /** The stream name. */
  name: string;
  /** A description; left out when empty. */
  description?: string;
  /** Captured subjects; left out when empty (mirrors, streams that only source). */
  subjects?: string[];
  /** Retention policy. */
  retention: RetentionPolicy;
  /** Maximum consumers, -1 for unlimited. */
  max_consumers: number;
  /** Maximum messages, -1 for unlimited. */
  max_msgs: number;
  /** Maximum bytes, -1 for unlimited. */
  max_bytes: number;
  /** Maximum age, 0 for unlimited. */
  max_age: Nanos;
  /** Maximum messages per subject, -1 for unlimited. */
  max_msgs_per_subject: number;
  /** Largest message accepted, -1 for unlimited. */
  max_msg_size: number;
  /** What to do when a limit is reached. */
  discard: DiscardPolicy;
  /** Storage type. */
  storage: StorageType;
  /** Number of replicas. */
  num_replicas: number;
  /** Publishes are not acknowledged; left out when false. */
  no_ack?: boolean;
  /** De-duplication window; left out on a mirror. */
  duplicate_window?: Nanos;
  /** Replica placement; `{}` or left out when unset. */
  placement?: ServerPlacement;
  /** The stream this one mirrors. */
  mirror?: ServerStreamSource;
  /** The streams this one sources from. */
  sources?: ServerStreamSource[];
  /** Storage compression (nats-server 2.10+). */
  compression?: StoreCompression;
  /** First sequence of the stream, set at create (nats-server 2.10+); left out when 0. */
  first_seq?: number;
  /** Transform of incoming subjects (nats-server 2.10+). */
  subject_transform?: ServerSubjectTransform;
  /** Republish of stored messages. */
  republish?: ServerRepublish;
  /** Direct get from any replica. */
  allow_direct: boolean;
  /** Direct get from mirrors. */
  mirror_direct: boolean;
  /** With `discard: 'new'`, discard per subject; left out when false. */
  discard_new_per_subject?: boolean;
  /** No more writes, deletes or purges. */
  sealed: boolean;
  /** Message deletes refused. */
  deny_delete: boolean;
  /** Purges refused. */
  deny_purge: boolean;
  /** `Nats-Rollup` headers allowed. */
  allow_rollup_hdrs: boolean;
  /** Limits for the stream's consumers (nats-server 2.10+). */
  consumer_limits?: ServerConsumerLimits;
  /** Per-message TTL header allowed (nats-server 2.11+). */
  allow_msg_ttl?: boolean;
  /** Delete-marker TTL (nats-server 2.11+); left out when 0. */
  subject_delete_marker_ttl?: Nanos;
  /** Metadata (nats-server 2.10+); keys starting with `_nats.` are the server's own. */
  metadata?: Record<string, string>;
  /** Atomic batch publishes allowed (nats-server 2.12+). */
  allow_atomic?: boolean;
  /** Batched publishes allowed (nats-server 2.14+). */
  allow_batched?: boolean;
  /** A counter stream (nats-server 2.12+); fixed at create. */
  allow_msg_counter?: boolean;
  /** Scheduled messages allowed (nats-server 2.12+). */
  allow_msg_schedules?: boolean;
  /** How writes are persisted (nats-server 2.12+); left out when `'default'`. */
  persist_mode?: 'default' | 'async';
}

/** What a stream holds now. Counters the server leaves out when zero or empty are optional. */
export interface StreamState {
  /** Messages stored. */
  messages: number;
  /** Bytes stored. */
  bytes: number;
  /** Sequence of the first stored message. */
  first_seq: number;
  /** Time of the first stored message (ISO date; year 1 when empty). */
  first_ts: string;
  /** Sequence of the last stored message. */
  last_seq: number;
  /** Time of the last stored message (ISO date; year 1 when empty). */
  last_ts: string;
  /** Consumers of the stream. */
  consumer_count: number;
  /** Distinct subjects stored. */
  num_subjects?: number;
  /** Deleted messages between the first and the last. */
  num_deleted?: number;
  /** Their sequences, when asked for. */
  deleted?: number[];
  /** Messages lost to disk damage. */
  lost?: { msgs: number[] | null; bytes: number };
  /** Messages per subject, when asked for. */
  subjects?: Record<string, number>;
}

/** One replica of a clustered stream. */
export interface PeerInfo {
  /** The server's name. */
  name: string;
  /** Whether it is up to date with the leader. */
  current: boolean;
  /** Whether it is unreachable. */
  offline?: boolean;
  /** Nanoseconds since it was last seen. */
  active: Nanos;
  /** Operations it is behind. */
  lag?: number;
}

/** Where a stream runs in a cluster. */
export interface ClusterInfo {
  /** The cluster's name. */
  name?: string;
  /** The leader's server name. */
  leader?: string;
  /** The other replicas. */
  replicas?: PeerInfo[];
}

/** Progress of a mirror or source. */
export interface StreamSourceInfo {
  /** The upstream stream's name. */
  name: string;
  /** Messages behind. */
  lag: number;
  /** Nanoseconds since last contact, -1 when never. */
  active: Nanos;
  /** Why it cannot be read, when it cannot. */
  error?: ServerApiError;
  /** Its filter. */
  filter_subject?: string;
  /** Its external API prefix. */
  external?: { api: string; deliver?: string };
  /** Its subject transforms (nats-server 2.10+). */
  subject_transforms?: ServerSubjectTransform[];
}

/** What `STREAM.INFO` (and each entry of `STREAM.LIST`) answers for one stream. */
export interface ServerStreamInfo {
  /** The config the server holds. */
  config: ServerStreamConfig;
  /** What the stream holds now. */
  state: StreamState;
  /** When the stream was created (ISO date). */
  created: string;
  /** Cluster placement and replicas, when clustered (some servers answer it on a single node too). */
  cluster?: ClusterInfo;
  /** Progress of the mirror, for a mirror. */
  mirror?: StreamSourceInfo;
  /** Progress of each source. */
  sources?: StreamSourceInfo[];
  /** When the answer was made (ISO date; nats-server 2.10+). */
  ts?: string;
}
