/**
 * The JSON shapes of JetStream's consumer API that this library reads and sends
 * (`CONSUMER.CREATE`, `CONSUMER.INFO`, `CONSUMER.LIST`), written from what nats-server 2.9 to 2.15
 * answer. Fields the server leaves out when empty (`omitempty`) are optional.
 */
import type { ConsumerDeclaration } from '../declaration/consumer-declaration.js';
import type { Nanos } from './server-stream.js';

/** The declared fields whose value is a duration: nanoseconds on the wire. */
type DurationField = 'ack_wait' | 'backoff' | 'max_expires' | 'inactive_threshold' | 'idle_heartbeat' | 'priority_timeout';

/**
 * A consumer's config as the server holds and reports it: the declarable fields (documented on
 * `ConsumerDeclaration`) with durations in nanoseconds, plus what the server adds.
 */
export interface ServerConsumerConfig extends Omit<ConsumerDeclaration, DurationField | 'durable_name'> {
  /** The consumer's name (2.9 stores it only when it was created through `CONSUMER.CREATE.<stream>.<name>`). */
  name?: string;
  /** The durable name: set for a consumer that outlives its subscribers. */
  durable_name?: string;
  ack_wait?: Nanos;
  backoff?: Nanos[];
  max_expires?: Nanos;
  inactive_threshold?: Nanos;
  idle_heartbeat?: Nanos;
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
