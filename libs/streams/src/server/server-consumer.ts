/**
 * The JSON shapes of JetStream's consumer API that this library reads and sends
 * (`CONSUMER.CREATE`, `CONSUMER.INFO`, `CONSUMER.LIST`), written from what nats-server 2.9 to 2.15
 * answer. Fields the server leaves out when empty (`omitempty`) are optional.
 */
import type { Nanos } from './server-stream.js';

/** Where a consumer starts. */
export type DeliverPolicy = 'all' | 'last' | 'new' | 'by_start_sequence' | 'by_start_time' | 'last_per_subject';

/** How a consumer's messages are acknowledged. */
export type AckPolicy = 'none' | 'all' | 'explicit';

/** How a consumer redelivers: at once, or at the pace messages were stored. */
export type ReplayPolicy = 'instant' | 'original';

/** How pull requests of a priority group share messages (2.11+; `prioritized` 2.12+). */
export type PriorityPolicy = 'none' | 'overflow' | 'pinned_client' | 'prioritized';

/**
 * A consumer's config as the server holds and reports it, durations in nanoseconds. What each
 * field means for an app that declares it is documented on `ConsumerDeclaration`.
 */
export interface ServerConsumerConfig {
  /** The consumer's name (2.9 stores it only when it was created through `CONSUMER.CREATE.<stream>.<name>`). */
  name?: string;
  /** The durable name: set for a consumer that outlives its subscribers. */
  durable_name?: string;
  description?: string;
  deliver_policy?: DeliverPolicy;
  opt_start_seq?: number;
  /** An RFC 3339 time. */
  opt_start_time?: string;
  ack_policy?: AckPolicy;
  ack_wait?: Nanos;
  /** -1 for unlimited. */
  max_deliver?: number;
  backoff?: Nanos[];
  filter_subject?: string;
  /** 2.10+. */
  filter_subjects?: string[];
  replay_policy?: ReplayPolicy;
  rate_limit_bps?: number;
  /** A percentage such as `'50%'`. */
  sample_freq?: string;
  max_waiting?: number;
  /** -1 for unlimited. */
  max_ack_pending?: number;
  headers_only?: boolean;
  max_batch?: number;
  max_expires?: Nanos;
  max_bytes?: number;
  inactive_threshold?: Nanos;
  /** 0: as many as the stream. */
  num_replicas?: number;
  mem_storage?: boolean;
  /** 2.10+; keys starting with `_nats.` are the server's own. */
  metadata?: Record<string, string>;
  /** Push consumers only. */
  deliver_subject?: string;
  deliver_group?: string;
  flow_control?: boolean;
  idle_heartbeat?: Nanos;
  /** An RFC 3339 time (2.11+). */
  pause_until?: string;
  /** 2.11+. */
  priority_groups?: string[];
  priority_policy?: PriorityPolicy;
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
