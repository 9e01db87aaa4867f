import {
  emptyIsUnset,
  fieldRows,
  sortedStrings,
  turnsOnOnly,
  unlimitedIfZero,
  zeroIsUnset,
  type FieldKind,
  type FieldRow,
  type FieldSpec,
} from './field-table.js';
import type { ServerStreamConfig } from '../server/server-stream.js';
import type { StreamConfigInput } from './stream-declaration.js';
import { durationNanos, type Duration } from './duration.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { userMetadata } from './server-metadata.js';

/** Every stream config field this library manages: each declarable field, plus `subjects`. */
export type StreamFieldName = keyof StreamConfigInput | 'subjects';

/** The managed fields every normalised config holds, declared or not. */
type FilledField =
  | 'subjects'
  | 'retention'
  | 'storage'
  | 'num_replicas'
  | 'max_consumers'
  | 'max_msgs'
  | 'max_bytes'
  | 'max_age'
  | 'max_msgs_per_subject'
  | 'max_msg_size'
  | 'discard'
  | 'discard_new_per_subject'
  | 'duplicate_window'
  | 'no_ack'
  | 'allow_rollup_hdrs'
  | 'allow_direct'
  | 'mirror_direct'
  | 'deny_delete'
  | 'deny_purge'
  | 'sealed';

/**
 * A stream config as the server should hold it, in server units (durations in nanoseconds): the
 * name, every always-present field, and the optional ones only when declared (or implied).
 * Assignable to {@link ServerStreamConfig}.
 */
export type DesiredStreamConfig = Pick<ServerStreamConfig, 'name'> &
  Required<Pick<ServerStreamConfig, FilledField>> &
  Pick<ServerStreamConfig, Exclude<StreamFieldName, FilledField>>;

/** The managed fields that hold an object, each checked by its own function (`stream-objects.ts`). */
export type StreamObjectField = 'placement' | 'metadata' | 'republish' | 'subject_transform' | 'sources' | 'mirror' | 'consumer_limits';

/** One entry of the stream table. */
export type StreamFieldSpec = FieldSpec<ServerStreamConfig>;

/** A row of the stream table. */
export type StreamFieldRow = FieldRow<ServerStreamConfig, StreamFieldName>;

const NANOS_PER_SECOND = 1e9;
/** The server's duplicate window when none is set, before it is capped at max_age. */
const DEFAULT_DUPLICATE_WINDOW_NS = 120 * NANOS_PER_SECOND;

/** As the server: no duplicate window on a mirror, else 2 minutes capped at a shorter max_age. */
function defaultDuplicateWindow(config: Partial<ServerStreamConfig>): number {
  if (config.mirror) return 0;
  const maxAge = config.max_age ?? 0;
  return maxAge !== 0 && maxAge < DEFAULT_DUPLICATE_WINDOW_NS ? maxAge : DEFAULT_DUPLICATE_WINDOW_NS;
}

/** Delete markers need roll-ups and message TTLs: the server turns both on when a marker TTL is set. */
function hasDeleteMarkers(config: Partial<ServerStreamConfig>): boolean {
  return (config.subject_delete_marker_ttl ?? 0) > 0;
}

/**
 * Roll-ups are implied by delete markers and by message schedules: without `pedantic` the server
 * turns them on by itself, with it (sent on 2.11+) it refuses the config. The library declares
 * them, so what it sends is what the server keeps.
 */
function impliesRollups(config: Partial<ServerStreamConfig>): boolean {
  return hasDeleteMarkers(config) || config.allow_msg_schedules === true;
}

/** A source or mirror read through a durable consumer of the origin (`consumer`) needs nats-server 2.14+. */
function durableSourcing(value: unknown): string | undefined {
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  return list.some((source) => (source as { consumer?: unknown } | undefined)?.consumer !== undefined) ? '2.14.0' : undefined;
}

/** The server answers `{}` for no placement, and tag order means nothing. */
function normalizePlacement(value: unknown): unknown {
  const p = value as { cluster?: string; tags?: string[] } | null;
  if (!p || (!p.cluster && !p.tags?.length)) return undefined;
  return { ...(p.cluster ? { cluster: p.cluster } : {}), ...(p.tags?.length ? { tags: sortedStrings(p.tags) } : {}) };
}

/** The server answers an unset transform source as `''`. */
function normalizeTransform(value: unknown): unknown {
  const t = emptyIsUnset(value) as { src?: string; dest: string } | undefined;
  return t && { src: t.src ?? '', dest: t.dest };
}

/** Source order means nothing; each source compared without its unset keys. */
function normalizeSources(value: unknown): unknown {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value
    .map((source: unknown) => {
      const form = canonical(source);
      return { form, key: JSON.stringify(form) };
    })
    .sort((a, b) => a.key.localeCompare(b.key))
    .map(({ form }) => emptyIsUnset(form));
}

/** Object keys sorted recursively and unset keys dropped, so two equal sources give one JSON text. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = canonical(v);
  }
  return out;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * THE stream fields, one entry each, in the order a normalised config lists them. Normalising
 * (`stream-config.ts`) and diffing (`stream-diff.ts`) both read this table: a new server field is
 * added here (plus its type in `server-stream.ts` and `stream-declaration.ts`, and a checker in
 * `stream-objects.ts` when it holds an object).
 */
const STREAM_FIELD_TABLE: {
  readonly [K in StreamFieldName]: StreamFieldSpec & {
    fill: K extends FilledField ? 'always' : 'never' | 'if-true';
    kind: K extends StreamObjectField ? 'object' : Exclude<FieldKind, 'object'>;
  };
} = {
  subjects: { kind: 'subjects', required: true, fill: 'always', absent: [], normalize: sortedStrings },
  description: { kind: 'string', max: 4 * 1024, fill: 'never', absent: '' },
  retention: {
    kind: 'enum',
    values: ['limits', 'interest', 'workqueue'],
    libraryDefault: 'limits',
    fill: 'always',
    absent: 'limits',
    immutable: (current, desired, version) => {
      if (current === 'workqueue' || desired === 'workqueue') return 'retention cannot change to or from workqueue';
      return version.atLeast('2.10.0') ? undefined : `nats-server ${version} cannot change retention (2.10+ can)`;
    },
  },
  storage: {
    kind: 'enum',
    values: ['file', 'memory'],
    libraryDefault: 'file',
    fill: 'always',
    absent: 'file',
    immutable: () => 'the server cannot change the storage type of a stream',
  },
  num_replicas: { kind: 'int', min: 1, max: 5, libraryDefault: 1, fill: 'always', absent: 1 },
  max_consumers: {
    kind: 'limit',
    max: MAX_SAFE,
    fill: 'always',
    absent: -1,
    normalize: unlimitedIfZero,
    immutable: (_current, _desired, version) =>
      version.atLeast('2.10.0') ? undefined : `nats-server ${version} cannot change max_consumers (2.10+ can)`,
  },
  max_msgs: { kind: 'limit', max: MAX_SAFE, libraryDefault: 1_000_000, fill: 'always', absent: -1, normalize: unlimitedIfZero },
  max_bytes: { kind: 'limit', max: MAX_SAFE, fill: 'always', absent: -1, normalize: unlimitedIfZero },
  max_age: { kind: 'duration', min: 100e6, libraryDefault: '1h', fill: 'always', absent: 0 },
  max_msgs_per_subject: {
    kind: 'limit',
    max: MAX_SAFE,
    libraryDefault: 100_000,
    fill: 'always',
    absent: -1,
    normalize: unlimitedIfZero,
  },
  // An int32 on the server.
  max_msg_size: { kind: 'limit', max: 2 ** 31 - 1, fill: 'always', absent: -1, normalize: unlimitedIfZero },
  discard: { kind: 'enum', values: ['old', 'new'], fill: 'always', absent: 'old' },
  discard_new_per_subject: { kind: 'boolean', fill: 'always', absent: false },
  // 0 asks the server for its default.
  duplicate_window: { kind: 'duration', min: 100e6, fill: 'always', absentIn: defaultDuplicateWindow, normalize: zeroIsUnset },
  no_ack: { kind: 'boolean', fill: 'always', absent: false },
  allow_rollup_hdrs: { kind: 'boolean', fill: 'always', absentIn: impliesRollups },
  allow_direct: { kind: 'boolean', fill: 'always', absent: false },
  mirror_direct: { kind: 'boolean', fill: 'always', absent: false },
  deny_delete: { kind: 'boolean', fill: 'always', absent: false, immutable: turnsOnOnly('deny_delete') },
  deny_purge: { kind: 'boolean', fill: 'always', absent: false, immutable: turnsOnOnly('deny_purge') },
  sealed: { kind: 'boolean', fill: 'always', absent: false, immutable: turnsOnOnly('sealed (a sealed stream)') },
  placement: { kind: 'object', fill: 'never', normalize: normalizePlacement },
  mirror: {
    kind: 'object',
    fill: 'never',
    normalize: emptyIsUnset,
    // 2.12+ turns a mirror into a normal stream when the mirror is removed (its messages stay).
    immutable: (current, desired, version) => {
      if (desired !== undefined) return 'the mirror of a stream cannot be changed';
      return version.atLeast('2.12.0') ? undefined : `nats-server ${version} cannot turn a mirror into a normal stream (2.12+ can)`;
    },
    valueSince: durableSourcing,
  },
  sources: { kind: 'object', fill: 'never', normalize: normalizeSources, valueSince: durableSourcing },
  republish: { kind: 'object', fill: 'never', normalize: emptyIsUnset },
  subject_transform: { kind: 'object', fill: 'never', normalize: normalizeTransform, since: '2.10.0' },
  compression: { kind: 'enum', values: ['none', 's2'], fill: 'never', absent: 'none', since: '2.10.0' },
  metadata: { kind: 'object', fill: 'never', normalize: userMetadata, since: '2.10.0' },
  consumer_limits: { kind: 'object', fill: 'never', normalize: emptyIsUnset, since: '2.10.0' },
  first_seq: {
    kind: 'int',
    min: 1,
    max: MAX_SAFE,
    fill: 'never',
    normalize: zeroIsUnset,
    since: '2.10.0',
    createOnly: true,
    immutable: () => 'first_seq only applies when a stream is created',
  },
  allow_msg_ttl: { kind: 'boolean', fill: 'if-true', absentIn: hasDeleteMarkers, since: '2.11.0', immutable: turnsOnOnly('allow_msg_ttl') },
  subject_delete_marker_ttl: { kind: 'duration', min: NANOS_PER_SECOND, fill: 'never', absent: 0, since: '2.11.0' },
  allow_msg_schedules: {
    kind: 'boolean',
    fill: 'never',
    absent: false,
    since: '2.12.0',
    immutable: turnsOnOnly('allow_msg_schedules'),
  },
  allow_msg_counter: {
    kind: 'boolean',
    fill: 'never',
    absent: false,
    since: '2.12.0',
    immutable: () => 'the server cannot turn counters (allow_msg_counter) on or off on an existing stream',
  },
  allow_atomic: { kind: 'boolean', fill: 'never', absent: false, since: '2.12.0' },
  allow_batched: { kind: 'boolean', fill: 'never', absent: false, since: '2.14.0' },
  persist_mode: {
    kind: 'enum',
    values: ['default', 'async'],
    fill: 'never',
    absent: 'default',
    since: '2.12.0',
    immutable: () => 'the server cannot change the persist mode of an existing stream',
  },
};

/** The stream table's rows, in table order. */
export const STREAM_FIELDS: readonly StreamFieldRow[] = fieldRows<ServerStreamConfig, StreamFieldName>(STREAM_FIELD_TABLE);

/** The stream table's rows by field name. */
export const STREAM_FIELDS_BY_NAME: ReadonlyMap<string, StreamFieldRow> = new Map(STREAM_FIELDS.map((row) => [row.field, row]));

/**
 * The library's defaults for every declared stream, applied under the module's `streamDefaults`
 * and the declaration itself. Bounded on purpose: an undeclared stream should not grow forever.
 */
export const DEFAULT_STREAM_DEFAULTS: Readonly<StreamConfigInput> = Object.freeze(
  Object.fromEntries(STREAM_FIELDS.filter((row) => row.libraryDefault !== undefined).map((row) => [row.field, row.libraryDefault])),
);

/**
 * Converts a {@link Duration} (a string such as `'1h30m'`, or a number of milliseconds) to the
 * nanoseconds the server expects. Given a stream field that holds a duration (`max_age`,
 * `duplicate_window`, `subject_delete_marker_ttl`), a nonzero value under the server's minimum for
 * it is refused too (100ms, 100ms, 1s).
 *
 * @param field a stream field, named in the error and whose minimum applies @default 'value'
 * @throws InvalidArgumentError naming `field`, the value and the syntax
 * @example
 * parseDuration('1h30m'); // 5_400_000_000_000
 * parseDuration(1500, 'duplicate_window'); // 1_500_000_000
 */
export function parseDuration(value: Duration, field = 'value'): number {
  const row = STREAM_FIELDS_BY_NAME.get(field);
  const minimum = row?.kind === 'duration' ? (row.min ?? 0) : 0;
  return durationNanos(value, minimum, (reason) => {
    throw new InvalidArgumentError('parseDuration', field, reason);
  });
}
