import type { DataLossEstimate as DataLoss, DataLossField as FieldLoss } from '../errors/stream-data-loss.error.js';
import type { ServerConsumerConfig, ServerConsumerInfo } from '../server/server-consumer.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import { subjectCovers } from '../declaration/subjects.js';
import type { ServerVersion } from '../server/server-version.js';
import type { DesiredStream } from '../declaration/stream-config.js';
import { migrationStreamName } from '../migration/migration-marker.js';

/**
 * What the rules need beyond the stream's config and state, read only when the cheap bounds cannot
 * rule a loss out: messages over a per-subject limit, and messages older than a new max_age.
 */
export interface LossProbes {
  /** Messages above `limit` summed over every subject, or undefined when too many subjects to read. */
  overSubjectLimit?: { limit: number; messages: number | undefined };
  /** Messages older than `cutoffMs` (epoch ms), and whether the count is exact. */
  olderThan?: { cutoffMs: number; messages: number; exact: boolean };
}

/** The probes {@link assessDataLoss} needs for this change; nothing when the cheap bounds decide. */
export function neededProbes(
  desired: DesiredStream,
  current: ServerStreamInfo,
  nowMs: number,
): { subjectLimit?: number; cutoffMs?: number } {
  const { config: d } = desired;
  const { config: c, state: s } = current;
  if (s.messages === 0) return {};
  const needs: { subjectLimit?: number; cutoffMs?: number } = {};
  if (lowered(d.max_msgs_per_subject, c.max_msgs_per_subject) && s.messages > d.max_msgs_per_subject) {
    needs.subjectLimit = d.max_msgs_per_subject;
  }
  const cutoffMs = nowMs - d.max_age / 1e6;
  // A defaulted max_age counts every held message (see assessDataLoss): no ages to read.
  if (lowered(d.max_age, c.max_age) && !desired.defaulted.has('max_age') && firstTimestamp(current) < cutoffMs) needs.cutoffMs = cutoffMs;
  return needs;
}

/**
 * What the server would delete if the stream `current` were given the desired config, from the
 * measured behaviour of nats-server 2.9 to 2.15: lowering `max_msgs`, `max_bytes` or
 * `max_msgs_per_subject` below what is held deletes the oldest messages at once (2.9 enforces a
 * per-subject limit set from unlimited only at its next restart: still a loss), a `max_age` shorter
 * than the oldest message's age deletes every older one at once (and a defaulted one, that nobody
 * declared, counts every held message: it would expire them all within max_age), a migration
 * holds each message with an added source header (counted against `max_bytes`), and `retention` limits ->
 * interest in place (2.10+) deletes every message no consumer still needs (a migration to an
 * interest stream is refused by the migration itself). Other changes delete nothing (removing a
 * subject, `discard`, `max_msg_size`, sources, replicas). Undefined when nothing is lost.
 */
export function assessDataLoss(
  desired: DesiredStream,
  current: ServerStreamInfo,
  probes: LossProbes,
  version: ServerVersion,
  inPlace = true,
): DataLoss | undefined {
  const { config: d } = desired;
  const { config: c, state: s } = current;
  if (s.messages === 0) return undefined;
  const perMessage = s.bytes / s.messages;
  const fields: FieldLoss[] = [];
  let exact = true;
  const add = (field: keyof typeof d & string, held: string, messages: number, bytes = Math.round(messages * perMessage)) => {
    const from = desired.defaulted.get(field);
    fields.push({ field, current: c[field as keyof typeof c], desired: d[field], held, messages, bytes, ...(from ? { from } : {}) });
  };

  if (d.max_msgs > 0 && d.max_msgs < s.messages) add('max_msgs', `${s.messages} messages`, s.messages - d.max_msgs);
  // A migration copies each message through sourcing, which adds a `Nats-Stream-Source` header
  // to it: the new stream holds more bytes than the original (twice as many for small messages).
  const heldBytes = inPlace ? s.bytes : s.bytes + s.messages * sourceHeaderBytes(current);
  if (d.max_bytes > 0 && d.max_bytes < heldBytes) {
    // Messages are counted in proportion to their average size: an estimate.
    exact = false;
    const bytes = heldBytes - d.max_bytes;
    const held = inPlace ? `${s.bytes} bytes` : `${s.bytes} bytes (about ${heldBytes} once copied with a source header each)`;
    add('max_bytes', held, Math.min(s.messages, Math.ceil(bytes / (heldBytes / s.messages))), Math.min(s.bytes, bytes));
  }
  const over = probes.overSubjectLimit;
  if (over && over.limit === d.max_msgs_per_subject && over.messages !== 0) {
    if (over.messages === undefined) exact = false;
    // Too many subjects to count: at least what cannot fit even if spread evenly over them.
    const atLeast = Math.max(1, s.messages - d.max_msgs_per_subject * (s.num_subjects ?? s.messages));
    add(
      'max_msgs_per_subject',
      over.messages === undefined
        ? 'too many subjects to count'
        : `${over.messages} messages over ${d.max_msgs_per_subject} on their subject`,
      over.messages ?? atLeast,
    );
  }
  const old = probes.olderThan;
  if (desired.defaulted.has('max_age') && lowered(d.max_age, c.max_age)) {
    // A default nobody declared would expire every held message within max_age, not only the
    // older ones at once: adopting a stream must not start that clock.
    add('max_age', `${s.messages} messages, which it would expire within ${formatAge(d.max_age)}`, s.messages);
  } else if (old && old.messages > 0) {
    exact &&= old.exact;
    add(
      'max_age',
      `${old.messages} messages older than ${formatAge(d.max_age)} (the oldest from ${new Date(firstTimestamp(current)).toISOString()})`,
      old.messages,
    );
  }
  if (inPlace && c.retention === 'limits' && d.retention === 'interest' && version.atLeast('2.10.0')) {
    // The server keeps only what some consumer still needs: without consumers, nothing.
    if (s.consumer_count > 0) exact = false;
    add(
      'retention',
      s.consumer_count > 0
        ? `${s.messages} messages, of which every acknowledged one is deleted`
        : `${s.messages} messages and no consumer`,
      s.messages,
    );
  }
  if (fields.length === 0) return undefined;
  if (fields.length > 1) exact = false;
  const messages = Math.min(s.messages, Math.max(...fields.map((f) => f.messages)));
  return { messages, bytes: Math.min(s.bytes, Math.max(...fields.map((f) => f.bytes))), exact, fields };
}

/**
 * What updating a consumer of an interest stream would delete (2.10+; 2.9 keeps the messages): a
 * new filter that no longer covers one of its current filters ends its interest in those
 * subjects, and the server deletes the messages on them that no other consumer needs, at once. At
 * most what the consumer has not acknowledged. Undefined when nothing is lost.
 */
export function assessConsumerLoss(
  stream: ServerStreamInfo,
  consumer: ServerConsumerInfo,
  desired: Pick<ServerConsumerConfig, 'filter_subject' | 'filter_subjects'>,
  version: ServerVersion,
): DataLoss | undefined {
  if (stream.config.retention !== 'interest' || !version.atLeast('2.10.0')) return undefined;
  const before = filtersOf(consumer.config);
  const after = filtersOf(desired);
  const abandoned = before.filter((old) => !after.some((kept) => subjectCovers(kept, old)));
  const messages = Math.min(stream.state.messages, consumer.num_pending + consumer.num_ack_pending);
  if (abandoned.length === 0 || messages === 0) return undefined;
  const bytes = Math.round((messages * stream.state.bytes) / Math.max(1, stream.state.messages));
  const held = `${messages} messages it has not acknowledged, those on ${abandoned.join(', ')} unless another consumer follows them`;
  const field = { field: `consumers.${consumer.name}.filter_subjects`, current: before, desired: after, held, messages, bytes };
  return { messages, bytes, exact: false, fields: [field] };
}

/** A consumer's filters; none means the whole stream (`>`). */
function filtersOf(config: Pick<ServerConsumerConfig, 'filter_subject' | 'filter_subjects'>): string[] {
  if (config.filter_subjects?.length) return [...config.filter_subjects];
  return config.filter_subject ? [config.filter_subject] : ['>'];
}

/**
 * About how many bytes sourcing adds to each message copied into the new stream of a migration:
 * `NATS/1.0` and a `Nats-Stream-Source: <copy> <seq> > > <subject>` header line (the longest
 * declared subject standing in for the message's own).
 */
function sourceHeaderBytes(current: ServerStreamInfo): number {
  const copyName = migrationStreamName(current.config.name).length;
  const subject = Math.max(0, ...(current.config.subjects ?? []).map((x) => x.length));
  return 'NATS/1.0\r\nNats-Stream-Source:  \r\n\r\n'.length + copyName + ' > > '.length + String(current.state.last_seq).length + subject;
}

/** Whether a limit (-1 or 0 = unlimited) becomes stricter. */
function lowered(desired: number, current: number | undefined): boolean {
  return desired > 0 && (current === undefined || current <= 0 || desired < current);
}

function firstTimestamp(info: ServerStreamInfo): number {
  const ts = Date.parse(info.state.first_ts);
  return Number.isNaN(ts) ? Number.POSITIVE_INFINITY : ts;
}

function formatAge(nanos: number): string {
  const seconds = nanos / 1e9;
  if (seconds >= 86_400) return `${+(seconds / 86_400).toFixed(1)}d`;
  if (seconds >= 3_600) return `${+(seconds / 3_600).toFixed(1)}h`;
  if (seconds >= 60) return `${+(seconds / 60).toFixed(1)}m`;
  return `${+seconds.toFixed(3)}s`;
}
