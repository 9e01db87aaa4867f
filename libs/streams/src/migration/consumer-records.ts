import type { ServerConsumerConfig, ServerConsumerInfo } from '../jetstream/api-types.js';
import { MAX_DESCRIPTION_BYTES } from './migration-marker.js';
import { MOVED_CONSUMER_METADATA_KEY } from '../declaration/moved-consumer.js';

/**
 * The metadata key a consumer moved by a migration carries on servers without `CONSUMER.RESET`
 * (2.10 to 2.13 keep it; 2.9 drops metadata): JSON of the start it was declared with,
 * `{ deliver_policy, opt_start_seq?, opt_start_time? }`, and where the migration placed it.
 */
export const MOVED_METADATA_KEY = MOVED_CONSUMER_METADATA_KEY;

/** What a moved consumer's {@link MOVED_METADATA_KEY} holds. */
export interface MovedFrom {
  /** The deliver policy of the consumer before the migration. */
  deliver_policy: string;
  opt_start_seq?: number;
  opt_start_time?: string;
  /** The sequence of the new stream it was placed at (its `opt_start_seq` now). */
  start_seq: number;
}

const RECORD_KIND = 'nestjs-jetstream-streams/consumer';

/** A durable consumer kept on the temporary copy: its config before the migration, and where it resumes in the copy. */
export interface ConsumerRecord {
  name: string;
  /** The consumer's config on the original stream (server-filled `_nats.*` metadata left out). */
  config: ServerConsumerConfig;
  /** The copy's sequence its next delivery is. */
  startSeq: number;
}

/** Whether a consumer survives a migration: only durable ones do (ephemeral ones live only as long as their subscriber). */
export function isDurable(info: ServerConsumerInfo): boolean {
  return typeof info.config.durable_name === 'string' && info.config.durable_name !== '';
}

/**
 * The stream sequence up to which a consumer is done: its ack floor, or, when it has not been
 * given anything yet, where it starts. nats-server 2.9 reports an ack floor of 0 for a consumer
 * that starts later (`new`, `by_start_sequence`) until it acknowledges something, so the start is
 * read from `delivered` (nothing delivered yet) and `opt_start_seq`. Messages delivered but not
 * acknowledged lie above the floor and are delivered again; acknowledgements above the floor
 * (out of order) are not visible through the API, so those messages are delivered again too.
 */
export function doneUpTo(info: ServerConsumerInfo): number {
  let floor = info.ack_floor.stream_seq;
  if (info.delivered.consumer_seq === 0) floor = Math.max(floor, info.delivered.stream_seq);
  const { deliver_policy: policy, opt_start_seq: start } = info.config;
  if (policy === 'by_start_sequence' && typeof start === 'number') floor = Math.max(floor, start - 1);
  return floor;
}

/** The config a consumer is recreated with: what the server filled in (`_nats.*` metadata) left out. */
export function portableConfig(config: ServerConsumerConfig): ServerConsumerConfig {
  const { metadata, ...rest } = config;
  const own = Object.entries(metadata ?? {}).filter(([key]) => !key.startsWith('_nats.'));
  return own.length ? { ...rest, metadata: Object.fromEntries(own) } : rest;
}

/**
 * The config of the consumer that keeps `record` on the temporary copy: a pull consumer nobody
 * reads (apps address the original stream by name), starting at the record's position, with the
 * original config in its description. Undefined when the description would exceed the server's
 * 4096 bytes.
 */
export function recordConfig(record: ConsumerRecord): ServerConsumerConfig | undefined {
  const description = JSON.stringify({ kind: RECORD_KIND, config: record.config });
  if (Buffer.byteLength(description) > MAX_DESCRIPTION_BYTES) return undefined;
  return {
    durable_name: record.name,
    description,
    deliver_policy: 'by_start_sequence',
    opt_start_seq: record.startSeq,
    ack_policy: 'explicit',
  };
}

/** The record a consumer of the temporary copy keeps, or undefined for a consumer that is no record. */
export function readRecord(info: ServerConsumerInfo): ConsumerRecord | undefined {
  const { description, durable_name: name, opt_start_seq: startSeq } = info.config;
  if (!name || typeof startSeq !== 'number' || !description?.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(description) as { kind?: unknown; config?: unknown };
    if (value.kind !== RECORD_KIND || typeof value.config !== 'object' || value.config === null) return undefined;
    return { name, config: value.config as ServerConsumerConfig, startSeq };
  } catch {
    return undefined;
  }
}

/**
 * The config a consumer is recreated with where the server cannot move a consumer
 * (`CONSUMER.RESET`, or a reset the server refuses for its deliver policy): its own config,
 * starting at `startSeq` (`by_start_sequence`), the start it had recorded in its metadata.
 */
export function movedConfig(config: ServerConsumerConfig, startSeq: number): ServerConsumerConfig {
  const { opt_start_time: startTime, ...rest } = config;
  const from: MovedFrom = {
    deliver_policy: config.deliver_policy ?? 'all',
    ...(typeof config.opt_start_seq === 'number' ? { opt_start_seq: config.opt_start_seq } : {}),
    ...(typeof startTime === 'string' ? { opt_start_time: startTime } : {}),
    start_seq: startSeq,
  };
  return {
    ...rest,
    deliver_policy: 'by_start_sequence',
    opt_start_seq: startSeq,
    metadata: { ...(config.metadata ?? {}), [MOVED_METADATA_KEY]: JSON.stringify(from) },
  };
}

/**
 * The start a consumer was declared with, when a migration moved it to `by_start_sequence`
 * (read from {@link MOVED_METADATA_KEY}); undefined for a consumer that was not moved or on a
 * server that drops metadata (2.9).
 */
export function movedFrom(config: ServerConsumerConfig): MovedFrom | undefined {
  const raw = config.metadata?.[MOVED_METADATA_KEY];
  if (raw === undefined) return undefined;
  try {
    const value = JSON.parse(raw) as MovedFrom;
    return typeof value.deliver_policy === 'string' && typeof value.start_seq === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}
