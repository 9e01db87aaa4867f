import type {
  DataLossEstimate as DataLoss,
  DataLossField as FieldLoss,
  DataLossKind,
  DefaultedChange,
} from '../errors/stream-data-loss.error.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import type { ServerVersion } from '../server/server-version.js';
import type { DesiredStream } from '../declaration/stream-config.js';
import type { FieldChange } from '../declaration/stream-diff.js';
import { formatDuration } from '../declaration/duration.js';
import { bucketFieldName } from '../declaration/bucket-config.js';
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

/** The limits whose lowering makes the server delete messages (at once, or as they come). */
const LIMITS = ['max_msgs', 'max_bytes', 'max_age', 'max_msgs_per_subject'] as const;
type Limit = (typeof LIMITS)[number];

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
 * `max_msgs_per_subject` below what is held deletes the oldest messages (at once; 2.9 and 2.10 apply
 * a per-subject limit set from unlimited later: at the next publish on each subject (2.10) or the
 * next restart: still a loss), a `max_age` shorter than the oldest message's age deletes every older
 * one at once, a migration holds each message with an added source header (counted against
 * `max_bytes`), and `retention` limits -> interest in place (2.10+) deletes every message no
 * consumer still needs (2.15 at once; 2.10 at the next deletion of a consumer). A migration to an
 * interest stream is refused by the migration itself. A `consumer_limits.inactive_threshold` added
 * to (or lowered on) an interest stream with declared consumers lets the server delete them later
 * (it gives the threshold to a consumer created or updated without one). Other changes delete
 * nothing (removing a subject, `discard`, `max_msg_size`, sources, replicas).
 *
 * On an existing stream a limit that only a default (the module's `streamDefaults`, the library's)
 * lowers is a loss whatever the stream holds now: nobody asked to cap it. A defaulted `max_age`
 * counts every held message (it would expire them all within max_age); the estimate then lists
 * every defaulted change and the declaration that keeps the current values (`defaults`).
 * Undefined when nothing is lost.
 */
export function assessDataLoss(
  desired: DesiredStream,
  current: ServerStreamInfo,
  changes: readonly FieldChange[],
  probes: LossProbes,
  version: ServerVersion,
  inPlace = true,
): DataLoss | undefined {
  const { config: d } = desired;
  const { config: c, state: s } = current;
  const perMessage = s.messages > 0 ? s.bytes / s.messages : 0;
  const fields: FieldLoss[] = [];
  let exact = true;
  const add = (field: string, held: string, messages: number, bytes = Math.round(messages * perMessage), kind?: DataLossKind) => {
    const from = desired.defaulted.get(field);
    const declaredAs = desired.bucket === undefined ? undefined : bucketFieldName(field);
    const value = (config: object) => (config as Record<string, unknown>)[field];
    fields.push({
      field,
      current: value(c),
      desired: value(d),
      held,
      messages,
      bytes,
      ...(from ? { from } : {}),
      ...(kind ? { kind } : {}),
      ...(declaredAs && declaredAs !== field ? { declaredAs } : {}),
    });
  };

  if (s.messages > 0) {
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
      const where = desired.bucket === undefined ? 'on their subject' : 'on their key';
      add(
        'max_msgs_per_subject',
        over.messages === undefined ? 'too many subjects to count' : `${over.messages} messages over ${d.max_msgs_per_subject} ${where}`,
        over.messages ?? atLeast,
      );
    }
    const old = probes.olderThan;
    if (desired.defaulted.has('max_age') && lowered(d.max_age, c.max_age)) {
      // A default nobody declared would expire every held message within max_age, not only the
      // older ones at once: adopting a stream must not start that clock.
      add('max_age', `${s.messages} messages, which it would expire within ${formatDuration(d.max_age)}`, s.messages);
    } else if (old && old.messages > 0) {
      exact &&= old.exact;
      add(
        'max_age',
        `${old.messages} messages older than ${formatDuration(d.max_age)} (the oldest from ${new Date(firstTimestamp(current)).toISOString()})`,
        old.messages,
      );
    }
    if (inPlace && c.retention === 'limits' && d.retention === 'interest' && version.atLeast('2.10.0')) {
      // The server keeps only what some consumer still needs: without consumers, nothing.
      if (s.consumer_count > 0) exact = false;
      const held =
        s.consumer_count > 0
          ? `${s.messages} messages, of which every acknowledged one is deleted`
          : `${s.messages} messages and no consumer`;
      add('retention', held, s.messages, undefined, 'retention');
    }
  }

  const threshold = d.consumer_limits?.inactive_threshold ?? 0;
  const declaredConsumers = (desired.consumers ?? [])
    .filter((consumer) => !consumer.config.inactive_threshold)
    .map((consumer) => consumer.name);
  if (d.retention === 'interest' && declaredConsumers.length > 0 && lowered(threshold, c.consumer_limits?.inactive_threshold)) {
    // The server gives the stream's threshold to a consumer created or updated without its own.
    add(
      'consumer_limits',
      `every message only ${declaredConsumers.map((name) => `consumer "${name}"`).join(', ')} needs: the server gives each the ` +
        `inactive_threshold ${formatDuration(threshold)} when it is created or updated, then deletes it once it has had no client that long`,
      0,
      0,
      'consumer-expiry',
    );
  }

  const defaulted = defaultedChanges(desired, changes);
  const capped = defaulted.filter((change) => isLimit(change.field) && lowered(change.desired as number, change.current as number));
  for (const { field } of capped) {
    if (fields.some((f) => f.field === field)) continue;
    // Nothing held goes at once, but the stream is capped from now on: a change nobody declared.
    add(field, `${s.messages} messages it holds now; from now on it keeps ${capOf(field as Limit, d[field as Limit])}`, 0, 0);
  }
  if (fields.length === 0) return undefined;
  if (fields.filter((f) => f.messages > 0).length > 1) exact = false;
  const messages = Math.min(s.messages, Math.max(...fields.map((f) => f.messages)));
  const bytes = Math.min(s.bytes, Math.max(...fields.map((f) => f.bytes)));
  const loss: DataLoss = { messages, bytes, exact, fields };
  if (desired.bucket !== undefined) loss.bucket = desired.bucket;
  if (capped.length > 0) loss.defaults = { changes: defaulted, keep: keepDeclaration(defaulted) };
  return loss;
}

/** Every field that only a default set and that would change the stream, current -> default. */
export function defaultedChanges(desired: DesiredStream, changes: readonly FieldChange[]): DefaultedChange[] {
  const out: DefaultedChange[] = [];
  for (const { field, current, desired: value } of changes) {
    const from = desired.defaulted.get(field);
    if (from) out.push({ field, current, desired: value, from });
  }
  return out;
}

/**
 * The declaration fields that keep the stream's current values: limits at or below 0 as -1,
 * durations as duration strings (`'30d'`, 0 as 0), anything else as the server holds it.
 */
function keepDeclaration(changes: readonly DefaultedChange[]): Record<string, unknown> {
  const keep: Record<string, unknown> = {};
  for (const { field, current } of changes) {
    if (field === 'max_age' || field === 'duplicate_window') keep[field] = current === 0 ? 0 : formatDuration(current as number);
    else if (isLimit(field) && typeof current === 'number' && current <= 0) keep[field] = -1;
    else keep[field] = current;
  }
  return keep;
}

/** What a limit keeps, in words: `at most 1000000 messages`, `each message for at most 1h`. */
function capOf(field: Limit, value: number): string {
  if (field === 'max_age') return `each message for at most ${formatDuration(value)}`;
  if (field === 'max_bytes') return `at most ${value} bytes`;
  return field === 'max_msgs' ? `at most ${value} messages` : `at most ${value} messages per subject`;
}

function isLimit(field: string): field is Limit {
  return (LIMITS as readonly string[]).includes(field);
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
export function lowered(desired: number, current: number | undefined): boolean {
  return desired > 0 && (current === undefined || current <= 0 || desired < current);
}

function firstTimestamp(info: ServerStreamInfo): number {
  const ts = Date.parse(info.state.first_ts);
  return Number.isNaN(ts) ? Number.POSITIVE_INFINITY : ts;
}
