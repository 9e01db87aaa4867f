/**
 * The JSON shapes of JetStream's consumer API that this library reads and sends
 * (`CONSUMER.CREATE`, `CONSUMER.INFO`, `CONSUMER.LIST`), written from what nats-server 2.9 to 2.15
 * answer. Fields the server leaves out when empty (`omitempty`) are optional.
 */
import type { Nanos } from './server-stream.js';

/** Where a new consumer starts in its stream. */
export type DeliverPolicy = 'all' | 'last' | 'new' | 'by_start_sequence' | 'by_start_time' | 'last_per_subject';
/** How messages are acknowledged: not at all, cumulatively, or one by one. */
export type AckPolicy = 'none' | 'all' | 'explicit';
/** Redelivered at once, or at the pace they were stored. */
export type ReplayPolicy = 'instant' | 'original';

/** A consumer's config as the server holds and reports it (durations in nanoseconds). */
export interface ServerConsumerConfig {
  /** The consumer's name (2.9 stores it only when it was created through `CONSUMER.CREATE.<stream>.<name>`). */
  name?: string;
  /** The durable name: set for a consumer that outlives its subscribers. */
  durable_name?: string;
  /** A description; left out when empty. */
  description?: string;
  /** Where it starts. */
  deliver_policy?: DeliverPolicy;
  /** With `by_start_sequence`: the first sequence. */
  opt_start_seq?: number;
  /** With `by_start_time`: the first time (RFC 3339). */
  opt_start_time?: string;
  /** How messages are acknowledged. */
  ack_policy?: AckPolicy;
  /** How long a delivered message waits for its acknowledgement; with `backoff`, the server sets it to `backoff[0]`. */
  ack_wait?: Nanos;
  /** Deliveries of one message at most, -1 for unlimited. */
  max_deliver?: number;
  /** Waits between redeliveries. */
  backoff?: Nanos[];
  /** Only messages on this subject. */
  filter_subject?: string;
  /** Only messages on these subjects (nats-server 2.10+). */
  filter_subjects?: string[];
  /** Redelivery pace. */
  replay_policy?: ReplayPolicy;
  /** Push consumers: bits per second at most. */
  rate_limit_bps?: number;
  /** Percentage of acknowledgements sampled for latency advisories, e.g. `'50%'`. */
  sample_freq?: string;
  /** Pull consumers: pull requests waiting at most. */
  max_waiting?: number;
  /** Messages delivered and not yet acknowledged at most, -1 for unlimited. */
  max_ack_pending?: number;
  /** Deliver headers only, without the payload. */
  headers_only?: boolean;
  /** Pull consumers: messages per pull request at most. */
  max_batch?: number;
  /** Pull consumers: longest expiry of a pull request. */
  max_expires?: Nanos;
  /** Pull consumers: bytes per pull request at most. */
  max_bytes?: number;
  /** Removed after this long without activity. */
  inactive_threshold?: Nanos;
  /** Replicas; 0 means as many as the stream. */
  num_replicas?: number;
  /** Kept in memory, whatever the stream's storage. */
  mem_storage?: boolean;
  /** Metadata (nats-server 2.10+); keys starting with `_nats.` are the server's own. */
  metadata?: Record<string, string>;
  /** Push consumers: where messages are delivered. */
  deliver_subject?: string;
  /** Push consumers: the queue group of the subscribers. */
  deliver_group?: string;
  /** Push consumers: flow control. */
  flow_control?: boolean;
  /** Push consumers: idle heartbeats. */
  idle_heartbeat?: Nanos;
  /** Paused until this time (RFC 3339; nats-server 2.11+; not managed by this library, kept on update). */
  pause_until?: string;
  /** Priority groups (newer servers; not managed by this library, kept on update). */
  priority_groups?: string[];
  /** Priority policy (newer servers; not managed by this library, kept on update). */
  priority_policy?: string;
  /** Pinned-client TTL (newer servers; not managed by this library, kept on update). */
  priority_timeout?: Nanos;
}

/** A position in a stream and in a consumer's own sequence. */
export interface SequencePair {
  consumer_seq: number;
  stream_seq: number;
  last_active?: string;
}

/** A consumer's info as the server reports it (CONSUMER.INFO / CREATE / LIST). */
export interface ServerConsumerInfo {
  stream_name: string;
  name: string;
  created: string;
  config: ServerConsumerConfig;
  delivered: SequencePair;
  ack_floor: SequencePair;
  /** Messages delivered and not yet acknowledged. */
  num_ack_pending: number;
  /** Messages delivered more than once. */
  num_redelivered: number;
  /** Pull requests waiting. */
  num_waiting: number;
  /** Messages not yet delivered (the consumer's lag). */
  num_pending: number;
  /** Push consumers: whether a subscriber listens on the deliver subject. */
  push_bound?: boolean;
  /** Whether it is paused (nats-server 2.11+). */
  paused?: boolean;
}
