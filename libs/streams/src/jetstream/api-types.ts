import type { ServerStreamConfig, ServerStreamInfo } from '../declaration/server-stream.js';

/** A config to create or update a stream with: what is left out takes the server's default. */
export type StreamRequestConfig = Partial<ServerStreamConfig> & { name: string };

/** The answer to STREAM.CREATE: the info, and (2.10+) whether the call created the stream. */
export type CreatedStreamInfo = ServerStreamInfo & { did_create?: boolean };

/** The account's JetStream usage and limits (`$JS.API.INFO`). */
export interface AccountInfo {
  memory: number;
  storage: number;
  /** Bytes reserved by streams' max_bytes (2.10+). */
  reserved_memory?: number;
  reserved_storage?: number;
  streams: number;
  consumers: number;
  /** The JetStream domain the answering server belongs to, if any. */
  domain?: string;
  limits: {
    max_memory: number;
    max_storage: number;
    max_streams: number;
    max_consumers: number;
    /** Largest max_bytes one memory / file stream may have, when limited. */
    memory_max_stream_bytes?: number;
    storage_max_stream_bytes?: number;
  };
}

/** Which messages STREAM.PURGE removes (only these keys are ever sent). */
export interface PurgeRequest {
  filter?: string;
  seq?: number;
  keep?: number;
}

/** Extra request of STREAM.INFO: per-subject message counts, paged from `offset`. */
export interface StreamInfoRequest {
  subjects_filter?: string;
  offset?: number;
}

/** A consumer's config as the server holds and reports it (durations in nanoseconds). */
export interface ServerConsumerConfig {
  name?: string;
  durable_name?: string;
  description?: string;
  deliver_policy?: 'all' | 'last' | 'new' | 'by_start_sequence' | 'by_start_time' | 'last_per_subject';
  opt_start_seq?: number;
  opt_start_time?: string;
  ack_policy?: 'none' | 'all' | 'explicit';
  ack_wait?: number;
  max_deliver?: number;
  backoff?: number[];
  filter_subject?: string;
  filter_subjects?: string[];
  replay_policy?: 'instant' | 'original';
  rate_limit_bps?: number;
  sample_freq?: string;
  max_waiting?: number;
  max_ack_pending?: number;
  headers_only?: boolean;
  max_batch?: number;
  max_expires?: number;
  max_bytes?: number;
  inactive_threshold?: number;
  num_replicas?: number;
  mem_storage?: boolean;
  metadata?: Record<string, string>;
  deliver_subject?: string;
  deliver_group?: string;
  flow_control?: boolean;
  idle_heartbeat?: number;
  /** Paused until this time (RFC 3339; nats-server 2.11+). */
  pause_until?: string;
  [field: string]: unknown;
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
  num_ack_pending: number;
  num_redelivered: number;
  num_waiting: number;
  num_pending: number;
  push_bound?: boolean;
  /** Whether it is paused (nats-server 2.11+). */
  paused?: boolean;
}

/** What CONSUMER.CREATE should do: create only, update only, or either (no action). */
export type ConsumerAction = 'create' | 'update' | '';

/** STREAM.MSG.GET: a message by sequence, the first at or after `seq` on `next_by_subj`, or the last on a subject. */
export interface MessageRequest {
  seq?: number;
  next_by_subj?: string;
  last_by_subj?: string;
}

/** A stored message as STREAM.MSG.GET answers it (data and headers base64-encoded). */
export interface StoredMessage {
  subject: string;
  seq: number;
  time: string;
  data?: string;
  hdrs?: string;
}

/** A paged answer of the JetStream API. */
export interface Paged {
  total: number;
  offset: number;
  limit: number;
}
