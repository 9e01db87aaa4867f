import type { ConsumerDeclaration } from './consumer-declaration.js';
import { emptyIsUnset, fieldRows, sortedStrings, zeroIsUnset, type FieldKind, type FieldRow, type FieldSpec } from './field-table.js';
import { MOVED_CONSUMER_METADATA_KEY } from './moved-consumer.js';
import type { ServerConsumerConfig } from '../server/server-consumer.js';
import { userMetadata } from './server-metadata.js';

/** Every consumer config field this library manages: each declarable field but the durable name. */
export type ConsumerFieldName = Exclude<keyof ConsumerDeclaration, 'durable_name'>;

/** The managed fields a normalised consumer config holds whether declared or not (when they have a value). */
type FilledField =
  'deliver_policy' | 'ack_policy' | 'ack_wait' | 'max_deliver' | 'replay_policy' | 'max_waiting' | 'max_ack_pending' | 'num_replicas';

/**
 * A consumer config as the server should hold it, in server units (durations in nanoseconds): the
 * durable name, the fields the server always fills in, and the others only when declared.
 */
export type DesiredConsumerConfig = ServerConsumerConfig &
  Required<Pick<ServerConsumerConfig, 'durable_name' | 'deliver_policy' | 'ack_policy' | 'max_deliver' | 'replay_policy' | 'num_replicas'>>;

/** The consumer fields that are checked by their own function (`consumer-config.ts`). */
export type ConsumerObjectField =
  | 'opt_start_time'
  | 'backoff'
  | 'filter_subject'
  | 'filter_subjects'
  | 'sample_freq'
  | 'metadata'
  | 'deliver_subject'
  | 'deliver_group'
  | 'pause_until'
  | 'priority_groups';

/** A row of the consumer table. */
export type ConsumerFieldRow = FieldRow<ServerConsumerConfig, ConsumerFieldName>;

const NANOS_PER_MS = 1e6;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** The largest `max_waiting` accepted (the server's default is 512). */
const MAX_WAITING = 100_000;
/** The server's ack wait when none is set (and no backoff replaces it). */
export const DEFAULT_ACK_WAIT_NS = 30e9;
/** The server's `priority_timeout` of a `pinned_client` consumer when none is set. */
const DEFAULT_PINNED_TTL_NS = 120e9;
/** The server's `max_waiting` of a pull consumer when none is set. */
export const DEFAULT_MAX_WAITING = 512;
/** The server's `max_ack_pending` when none is set (and acknowledgements are on). */
export const DEFAULT_MAX_ACK_PENDING = 1000;

/** As the server: `backoff[0]` when there is a backoff, else 30 s, and none without acknowledgements. */
function defaultAckWait(config: Partial<ServerConsumerConfig>): number | undefined {
  if (config.backoff?.length) return config.backoff[0];
  return config.ack_policy === 'none' ? undefined : DEFAULT_ACK_WAIT_NS;
}

/** A time in comparable form: the instant to the nanosecond, whatever its zone and digits (`'1704164645.123000000'`). */
export function normalizeTime(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/i.exec(value);
  if (!match) return value;
  const seconds = Date.parse(`${match[1]}${match[3].toUpperCase()}`) / 1000;
  return Number.isNaN(seconds) ? value : `${seconds}.${(match[2] ?? '').padEnd(9, '0')}`;
}

/**
 * A pause in comparable form: the instant, or unset when it has passed (a consumer paused until a
 * past time runs; the server answers the year 1 or nothing once it was resumed).
 */
export function normalizePause(value: unknown, now = Date.now()): unknown {
  if (typeof value !== 'string') return value;
  const at = Date.parse(value);
  if (!Number.isNaN(at) && at <= now) return undefined;
  return normalizeTime(value);
}

/** The metadata a user set: the server's `_nats.*` keys and a migration's record left out. */
function consumerMetadata(value: unknown): unknown {
  const user = userMetadata(value);
  if (!user || !Object.hasOwn(user, MOVED_CONSUMER_METADATA_KEY)) return user;
  const { [MOVED_CONSUMER_METADATA_KEY]: _moved, ...rest } = user;
  return emptyIsUnset(rest);
}

/** `'50%'` and `'50'` are one sampling rate. */
function normalizeSample(value: unknown): unknown {
  if (typeof value !== 'string' || value === '') return undefined;
  return value.endsWith('%') ? value.slice(0, -1) : value;
}

function emptyStringIsUnset(value: unknown): unknown {
  return value === '' ? undefined : value;
}

function sortedFilters(value: unknown): unknown {
  return emptyIsUnset(sortedStrings(value));
}

function fixed(what: string): FieldSpec<ServerConsumerConfig>['immutable'] {
  return () => `the server cannot change the ${what} of an existing consumer`;
}

/**
 * THE consumer fields, one entry each: how a declared value is checked, what the server holds
 * when it is absent, how values compare, and what the server cannot change in place (measured on
 * nats-server 2.9.10 and 2.15.1; `/work/research/safety/FINDINGS.md` section D). Normalising
 * (`consumer-config.ts`) and diffing (`consumer-diff.ts`) both read it.
 */
const CONSUMER_FIELD_TABLE: {
  readonly [K in ConsumerFieldName]: FieldSpec<ServerConsumerConfig> & {
    fill: K extends FilledField ? 'always' : 'never';
    kind: K extends ConsumerObjectField ? 'object' : Exclude<FieldKind, 'object'>;
  };
} = {
  description: { kind: 'string', max: 4096, fill: 'never', absent: '', normalize: emptyStringIsUnset },
  deliver_policy: {
    kind: 'enum',
    values: ['all', 'last', 'new', 'by_start_sequence', 'by_start_time', 'last_per_subject'],
    fill: 'always',
    absent: 'all',
    immutable: fixed('deliver policy'),
  },
  opt_start_seq: { kind: 'int', min: 1, max: MAX_SAFE, fill: 'never', normalize: zeroIsUnset, immutable: fixed('start sequence') },
  opt_start_time: { kind: 'object', fill: 'never', normalize: normalizeTime, immutable: fixed('start time') },
  ack_policy: {
    kind: 'enum',
    values: ['none', 'all', 'explicit'],
    libraryDefault: 'explicit',
    fill: 'always',
    absent: 'none',
    immutable: fixed('ack policy'),
  },
  ack_wait: { kind: 'duration', min: NANOS_PER_MS, fill: 'always', absentIn: defaultAckWait, normalize: zeroIsUnset },
  max_deliver: {
    kind: 'limit',
    max: MAX_SAFE,
    fill: 'always',
    absent: -1,
    normalize: (v) => (v === 0 || (typeof v === 'number' && v < -1) ? -1 : v),
  },
  backoff: { kind: 'object', fill: 'never', normalize: emptyIsUnset },
  filter_subject: { kind: 'object', fill: 'never', normalize: emptyStringIsUnset },
  filter_subjects: { kind: 'object', fill: 'never', normalize: sortedFilters, since: '2.10.0' },
  replay_policy: { kind: 'enum', values: ['instant', 'original'], fill: 'always', absent: 'instant', immutable: fixed('replay policy') },
  rate_limit_bps: { kind: 'int', min: 0, max: MAX_SAFE, fill: 'never', absent: 0 },
  sample_freq: { kind: 'object', fill: 'never', normalize: normalizeSample },
  // nats-server 2.9 sizes its pull-request queue by max_waiting when the consumer is made: 2^31 hangs it, 2^40 kills it.
  max_waiting: {
    kind: 'int',
    min: 1,
    max: MAX_WAITING,
    fill: 'always',
    normalize: zeroIsUnset,
    absentIn: (c) => (c.deliver_subject ? undefined : DEFAULT_MAX_WAITING),
    immutable: fixed('max_waiting'),
  },
  max_ack_pending: {
    kind: 'int',
    min: -1,
    max: MAX_SAFE,
    fill: 'always',
    normalize: zeroIsUnset,
    absentIn: (c) => (c.ack_policy === 'none' ? undefined : DEFAULT_MAX_ACK_PENDING),
  },
  headers_only: { kind: 'boolean', fill: 'never', absent: false },
  max_batch: { kind: 'int', min: 0, max: MAX_SAFE, fill: 'never', absent: 0 },
  max_expires: { kind: 'duration', min: NANOS_PER_MS, fill: 'never', absent: 0 },
  max_bytes: { kind: 'int', min: 0, max: MAX_SAFE, fill: 'never', absent: 0 },
  inactive_threshold: { kind: 'duration', min: NANOS_PER_MS, fill: 'never', absent: 0 },
  num_replicas: { kind: 'int', min: 0, max: 5, fill: 'always', absent: 0 },
  mem_storage: {
    kind: 'boolean',
    fill: 'never',
    absent: false,
    immutable: (_c, _d, version) =>
      version.atLeast('2.10.0') ? 'the server cannot change the storage type of an existing consumer (2.9 can)' : undefined,
  },
  metadata: { kind: 'object', fill: 'never', normalize: consumerMetadata, since: '2.10.0' },
  deliver_subject: {
    kind: 'object',
    fill: 'never',
    immutable: (current, desired) => {
      if (current === undefined && desired !== undefined) return 'a pull consumer cannot become a push consumer (deliver_subject)';
      if (current !== undefined && desired === undefined) return 'a push consumer cannot become a pull consumer (deliver_subject)';
      return undefined;
    },
  },
  deliver_group: { kind: 'object', fill: 'never', normalize: emptyStringIsUnset },
  flow_control: { kind: 'boolean', fill: 'never', absent: false, immutable: fixed('flow control') },
  idle_heartbeat: { kind: 'duration', min: 100 * NANOS_PER_MS, fill: 'never', absent: 0, immutable: fixed('idle heartbeat') },
  // An update leaves the pause as it is: the reconciler pauses and resumes through the pause API.
  pause_until: { kind: 'object', fill: 'never', normalize: normalizePause, since: '2.11.0' },
  // The order of groups means nothing to the server (each pull request names one).
  priority_groups: { kind: 'object', fill: 'never', normalize: sortedFilters, since: '2.11.0' },
  priority_policy: {
    kind: 'enum',
    values: ['none', 'overflow', 'pinned_client', 'prioritized'],
    fill: 'never',
    absent: 'none',
    since: '2.11.0',
    valueSince: (value) => (value === 'prioritized' ? '2.12.0' : undefined),
  },
  // The server gives a pinned-client policy a 2-minute timeout when none is set.
  priority_timeout: {
    kind: 'duration',
    min: NANOS_PER_MS,
    fill: 'never',
    absentIn: (c) => (c.priority_policy === 'pinned_client' ? DEFAULT_PINNED_TTL_NS : 0),
    since: '2.11.0',
  },
};

/** The consumer table's rows, in table order. */
export const CONSUMER_FIELDS: readonly ConsumerFieldRow[] = fieldRows<ServerConsumerConfig, ConsumerFieldName>(CONSUMER_FIELD_TABLE);
