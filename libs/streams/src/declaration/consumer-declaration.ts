import type { AckPolicy, DeliverPolicy, PriorityPolicy, ReplayPolicy } from '../server/server-consumer.js';
import type { Duration } from './duration.js';

/**
 * A durable consumer declared with its stream. Field names are the server's; durations take a
 * {@link Duration} (`'30s'` or milliseconds). A consumer is pull unless it has a
 * `deliver_subject` (push). Fields left out take the server's defaults (and `ack_policy` the
 * library's), so a field removed from a declaration returns to its default on the next ensure.
 * The server cannot change `deliver_policy`, `opt_start_seq`, `opt_start_time`, `ack_policy`,
 * `replay_policy`, `max_waiting`, `flow_control`, `idle_heartbeat`, push <-> pull, nor (2.10+)
 * `mem_storage` of an existing consumer: a declared change of one is a `ConsumerConfigConflictError`.
 *
 * @example
 * { durable_name: 'billing', ack_policy: 'explicit', max_deliver: 5, ack_wait: '30s', filter_subjects: ['orders.created'] }
 */
export interface ConsumerDeclaration {
  /** The consumer's durable name: letters, digits, `-` and `_` (no spaces, `.`, `*`, `>`, path separators). */
  durable_name: string;
  /** A description shown in consumer info (4096 bytes at most). */
  description?: string;
  /** Where the consumer starts. Cannot be changed later. @default 'all' */
  deliver_policy?: DeliverPolicy;
  /** The first sequence, with `deliver_policy: 'by_start_sequence'` (required then). Cannot be changed later. */
  opt_start_seq?: number;
  /** The first time (an ISO 8601 / RFC 3339 date), with `deliver_policy: 'by_start_time'` (required then). Cannot be changed later. */
  opt_start_time?: string;
  /**
   * How messages are acknowledged. Cannot be changed later. The server's own default is
   * `'none'` (a message counts as done once sent); the library's is `'explicit'`, as the `nats`
   * client's. @default 'explicit'
   */
  ack_policy?: AckPolicy;
  /** How long a delivered message waits for its acknowledgement before it is sent again. With `backoff`, the server uses `backoff[0]`: leave it out then. @default '30s' */
  ack_wait?: Duration;
  /** Deliveries of one message at most, -1 for unlimited. With `backoff` on nats-server 2.9, it must be above the number of backoff steps. @default -1 */
  max_deliver?: number;
  /** Waits between redeliveries (replaces `ack_wait`). */
  backoff?: Duration[];
  /** Only messages on this subject (wildcards allowed). Not with `filter_subjects`. */
  filter_subject?: string;
  /** Only messages on these subjects, which must not overlap (nats-server 2.10+). Not with `filter_subject`. */
  filter_subjects?: string[];
  /** Redeliver at once, or at the pace messages were stored. Cannot be changed later. @default 'instant' */
  replay_policy?: ReplayPolicy;
  /** Push consumers: bits per second at most. @default unlimited */
  rate_limit_bps?: number;
  /** Percentage of acknowledgements sampled for latency advisories, e.g. `'50%'`. */
  sample_freq?: string;
  /** Pull consumers: pull requests waiting at most. Cannot be changed later. @default 512 */
  max_waiting?: number;
  /** Messages delivered and not yet acknowledged at most, -1 for unlimited. @default 1000 (unset with `ack_policy: 'none'`) */
  max_ack_pending?: number;
  /** Deliver headers only, without the payload. @default false */
  headers_only?: boolean;
  /** Pull consumers: messages per pull request at most. @default unlimited */
  max_batch?: number;
  /** Pull consumers: longest expiry of a pull request (1 ms at least). @default unlimited */
  max_expires?: Duration;
  /** Pull consumers: bytes per pull request at most. @default unlimited */
  max_bytes?: number;
  /** Removed by the server after this long without activity. A durable consumer normally has none. @default never */
  inactive_threshold?: Duration;
  /** Replicas in a cluster; 0 means as many as the stream. @default 0 */
  num_replicas?: number;
  /** Keep the consumer's state in memory. Cannot be changed later on nats-server 2.10+. @default false */
  mem_storage?: boolean;
  /** Free-form metadata (nats-server 2.10+). Keys starting with `_nats.` are the server's and ignored. */
  metadata?: Record<string, string>;
  /** Makes it a push consumer delivering to this subject (no wildcards). Push <-> pull cannot be changed later. */
  deliver_subject?: string;
  /** Push consumers: the queue group its subscribers use. */
  deliver_group?: string;
  /** Push consumers: flow control (needs `idle_heartbeat`). Cannot be changed later. @default false */
  flow_control?: boolean;
  /** Push consumers: idle heartbeats (100 ms at least). Cannot be changed later. */
  idle_heartbeat?: Duration;
  /**
   * Paused until this time (RFC 3339, e.g. `'2030-01-02T03:04:05Z'`; nats-server 2.11+). Set to
   * pause the consumer; leave it out (or give a time already past) to resume it. Applied through
   * the server's pause API, as an update cannot pause nor resume a consumer.
   */
  pause_until?: string;
  /**
   * Pull consumers: the priority groups pull requests name (letters, digits and `-_/=)+`, 16 at
   * most; nats-server 2.11+). Needs a `priority_policy` other than `'none'`.
   */
  priority_groups?: string[];
  /**
   * How pull requests of a priority group share messages (nats-server 2.11+; `'prioritized'`
   * 2.12+). Needs `priority_groups`. @default 'none'
   */
  priority_policy?: PriorityPolicy;
  /** With `priority_policy: 'pinned_client'`: how long a pinned client may stay silent before another is pinned (nats-server 2.11+). */
  priority_timeout?: Duration;
}
