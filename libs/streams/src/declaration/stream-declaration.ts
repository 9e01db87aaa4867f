import type { Duration } from './duration.js';
import type { ConsumerDeclaration } from './consumer-declaration.js';

/** What to do when a declared change cannot be applied in place. */
export type ConflictPolicy =
  /** Throw `StreamConfigConflictError`; nothing is written. */
  | 'fail'
  /**
   * Move every message to a stream with the new config (through a temporary stream that sources
   * the old one), then swap; no acknowledged message is lost, durable consumers are recreated at
   * their position, and a crash at any step is finished by the next ensure. Publishes fail while
   * it runs (the publisher sees the error); ephemeral consumers, sequence numbers and timestamps
   * are not carried over. Refused for an `interest` target and for a mirror or a sourcing stream.
   */
  | 'migrate'
  /** Delete the stream and create it again: ALL its messages are lost. Needs `allowDataLoss: true`. */
  | 'recreate';

/**
 * Placement of a stream's replicas in a cluster. It cannot name a leader: nats-server refuses
 * `preferred` in a stream's config (2.11 to 2.15) or drops it (older), so a declaration with it is
 * refused before any request.
 */
export interface StreamPlacementInput {
  /** The cluster to place the stream in. */
  cluster?: string;
  /** Server tags every replica's server must have. */
  tags?: string[];
}

/** A stream that a stream sources from or mirrors. */
export interface StreamSourceInput {
  /** The origin stream. */
  name: string;
  /** Only the origin's messages whose subject matches. */
  filter_subject?: string;
  /** Start at this sequence of the origin. */
  opt_start_seq?: number;
  /** Start at this time (RFC 3339). */
  opt_start_time?: string;
  /**
   * Read the origin through this durable push consumer of it, which the app creates on the origin
   * (nats-server 2.14+): reliable from work-queue and interest streams.
   */
  consumer?: { name: string; deliver_subject: string };
}

/** Limits applied to the stream's consumers (nats-server 2.10+). */
export interface StreamConsumerLimitsInput {
  /** Consumers idle for this long are removed. */
  inactive_threshold?: Duration;
  /** Upper bound for consumers' `max_ack_pending`. */
  max_ack_pending?: number;
}

/**
 * The declarable part of a JetStream stream config. Field names are the server's; durations
 * take a {@link Duration}. Fields left out take the module's `streamDefaults`, then the server's
 * defaults, so a field removed from a declaration returns to its default on the next ensure.
 */
export interface StreamConfigInput {
  /** A description shown in stream info. */
  description?: string;
  /** @default 'limits' */
  retention?: 'limits' | 'interest' | 'workqueue';
  /** @default 'file' */
  storage?: 'file' | 'memory';
  /** Replicas in a cluster (1, 3 or 5 in practice). @default 1 */
  num_replicas?: number;
  /** Maximum consumers, -1 for unlimited. @default -1 */
  max_consumers?: number;
  /** Maximum messages kept, -1 for unlimited. @default 1_000_000 */
  max_msgs?: number;
  /** Maximum bytes kept, -1 for unlimited. @default -1 */
  max_bytes?: number;
  /** Maximum age of a message, 0 for unlimited. @default '1h' */
  max_age?: Duration;
  /** Maximum messages kept per subject, -1 for unlimited. @default 100_000 */
  max_msgs_per_subject?: number;
  /** Largest message accepted, in bytes, -1 for unlimited. @default -1 */
  max_msg_size?: number;
  /** What to do when a limit is reached. @default 'old' */
  discard?: 'old' | 'new';
  /** With `discard: 'new'`, apply the discard per subject. @default false */
  discard_new_per_subject?: boolean;
  /** Window for de-duplication by `Nats-Msg-Id`. @default '2m' (capped at max_age by the server) */
  duplicate_window?: Duration;
  /** Do not acknowledge publishes. @default false */
  no_ack?: boolean;
  /** Allow `Nats-Rollup` headers. @default false */
  allow_rollup_hdrs?: boolean;
  /** Allow direct get from any replica. @default false */
  allow_direct?: boolean;
  /** Allow direct get from mirrors. @default false */
  mirror_direct?: boolean;
  /** Refuse message deletes. Cannot be turned off once on. @default false */
  deny_delete?: boolean;
  /** Refuse purges. Cannot be turned off once on. @default false */
  deny_purge?: boolean;
  /** Seal the stream (no more writes, deletes or purges). Cannot be undone. @default false */
  sealed?: boolean;
  /** Replica placement in a cluster. */
  placement?: StreamPlacementInput;
  /** Storage compression (nats-server 2.10+). @default 'none' */
  compression?: 'none' | 's2';
  /** Free-form metadata (nats-server 2.10+). Keys starting with `_nats.` are the server's and ignored. */
  metadata?: Record<string, string>;
  /** Republish stored messages to another subject. */
  republish?: { src: string; dest: string; headers_only?: boolean };
  /** Transform subjects on the way in (nats-server 2.10+). */
  subject_transform?: { src?: string; dest: string };
  /** Streams this stream sources messages from. */
  sources?: StreamSourceInput[];
  /**
   * The stream this stream mirrors (then `subjects` must be empty). Cannot be changed later;
   * nats-server 2.12+ turns the mirror into a normal stream when it is removed (with subjects).
   */
  mirror?: StreamSourceInput;
  /** First sequence number of a new stream (nats-server 2.10+). Only used at create. */
  first_seq?: number;
  /** Allow a per-message TTL header (nats-server 2.11+). Cannot be turned off once on. @default false */
  allow_msg_ttl?: boolean;
  /** Leave a delete marker for this long when a subject's last message expires (nats-server 2.11+). */
  subject_delete_marker_ttl?: Duration;
  /** Limits for consumers of this stream (nats-server 2.10+). */
  consumer_limits?: StreamConsumerLimitsInput;
  /**
   * Allow scheduled messages (`Nats-Schedule`, nats-server 2.12+). Cannot be turned off once on.
   * Needs roll-ups: `allow_rollup_hdrs` is then on unless declared false (which is refused).
   * Not with `discard: 'new'` nor `allow_msg_counter`. @default false
   */
  allow_msg_schedules?: boolean;
  /**
   * Make the stream a counter stream (`Nats-Incr`, nats-server 2.12+). Set when the stream is
   * created: the server cannot turn it on nor off later. Only with `retention: 'limits'`, not with
   * `discard: 'new'`, message TTLs or schedules. @default false
   */
  allow_msg_counter?: boolean;
  /** Allow atomic batch publishes (nats-server 2.12+). Not with `persist_mode: 'async'`. @default false */
  allow_atomic?: boolean;
  /** Allow batched publishes (nats-server 2.14+). @default false */
  allow_batched?: boolean;
  /**
   * How writes are persisted (nats-server 2.12+): `'async'` acknowledges before the write is
   * flushed (file storage, one replica, not with `allow_atomic`). Cannot change once the stream
   * exists. @default 'default'
   */
  persist_mode?: 'default' | 'async';
}

/** How far `ensure*` may go for one stream. */
export type StreamMode =
  /** Create the stream when it is missing, update it in place when it drifted. */
  | 'manage'
  /** Create the stream when it is missing; never update it: a drift is only reported. */
  | 'create'
  /** Never create nor change the stream: a missing or drifted stream is reported. */
  | 'verify';

/** Per-stream behaviour of `ensure*`, not part of the server config. */
export interface StreamPolicy {
  /** What to do when a change cannot be applied in place. @default 'fail' */
  onConflict?: ConflictPolicy;
  /** Must be `true` for `onConflict: 'recreate'`, which deletes every message. @default false */
  allowDataLoss?: boolean;
  /**
   * How far `ensure*` may go: `'manage'` creates and updates; `'create'` creates a missing stream
   * but never updates one (drift is only reported); `'verify'` never creates nor changes anything
   * (a missing or drifted stream is reported). @default 'manage'
   */
  mode?: StreamMode;
  /**
   * What a migration (`onConflict: 'migrate'`) does when other streams of the same JetStream
   * source or mirror this one: `'refuse'` refuses it, naming them (they would stop receiving:
   * the new stream numbers its messages anew); `'resume'` migrates it and keeps them flowing: it
   * waits until they have read all of the held original, and the new stream numbers its copies to
   * end at the original's last sequence, so they resume with the next message (nats-server 2.10+).
   * @default 'refuse'
   */
  downstream?: DownstreamPolicy;
}

/** What a migration does about streams that source or mirror the migrated one. */
export type DownstreamPolicy = 'refuse' | 'resume';

/** The durable consumers declared with a stream. */
export interface StreamConsumers {
  /**
   * Durable consumers of the stream, each created, updated in place or left unchanged with it.
   * Consumers not listed here are never touched. In `'verify'` mode none is created or changed (a
   * missing or drifted one is reported); in `'create'` mode missing ones are created and drifted
   * ones only reported.
   */
  consumers?: ConsumerDeclaration[];
}

/** A stream as declared by the app: a name, its subjects, config, policy and consumers. */
export interface StreamDeclaration extends StreamConfigInput, StreamPolicy, StreamConsumers {
  /** Stream name: letters, digits, `-` and `_` (no spaces, `.`, `*`, `>`, path separators). */
  name: string;
  /** Subjects the stream captures. May be empty only for mirrors and sourcing streams. */
  subjects: string[];
}

/** Streams to ensure as a record keyed by name, or as a list. */
export type StreamDeclarations = Record<string, Omit<StreamDeclaration, 'name'>> | StreamDeclaration[];
