import type { ServerStreamConfig, ServerStreamInfo } from '../server/server-stream.js';

export type { ServerConsumerConfig, ServerConsumerInfo, SequencePair } from '../server/server-consumer.js';

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

/** Extra request of STREAM.INFO: per-subject message counts, paged from `offset`; the interior deletes' sequences. */
export interface StreamInfoRequest {
  subjects_filter?: string;
  offset?: number;
  deleted_details?: boolean;
}

/** What CONSUMER.CREATE should do: create only, update only, or either (no action). */
export type ConsumerAction = 'create' | 'update' | '';

/**
 * STREAM.MSG.GET: a message by sequence, the first at or after `seq` on `next_by_subj`, the last on
 * a subject, or the first at or after `start_time` (RFC 3339; nats-server 2.11+).
 */
export interface MessageRequest {
  seq?: number;
  next_by_subj?: string;
  last_by_subj?: string;
  start_time?: string;
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
