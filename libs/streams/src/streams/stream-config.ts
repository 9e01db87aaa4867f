import type {
  DiscardPolicy,
  Nanos,
  Placement,
  RetentionPolicy,
  StorageType,
  StoreCompression,
  StreamConfig,
  StreamSource,
} from 'nats';
import { SubjectIndex } from './subject-index.js';
import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import type {
  Duration,
  StreamConfigInput,
  StreamDeclaration,
  StreamPolicy,
} from './stream-declaration.js';

/**
 * The library's defaults for every declared stream, applied under the module's `streamDefaults`
 * and the declaration itself. Bounded on purpose: an undeclared stream should not grow forever.
 */
export const DEFAULT_STREAM_DEFAULTS: Readonly<StreamConfigInput> = Object.freeze({
  retention: 'limits',
  max_msgs: 1_000_000,
  max_msgs_per_subject: 100_000,
  max_age: '1h',
  storage: 'file',
  num_replicas: 1,
});

/**
 * A stream config as the server should hold it. It is the `nats` client's `StreamConfig` with
 * `first_seq` optional (it exists only at create), plus the nats-server 2.11 fields the client's
 * type does not know yet. Assignable to the `Partial<StreamConfig>` that `jsm.streams.add` takes.
 */
export type DesiredStreamConfig = Omit<StreamConfig, 'first_seq'> & {
  /** First sequence of a new stream; present only when declared. */
  first_seq?: number;
  /** Per-message TTL header allowed (nats-server 2.11+); present only when declared or implied. */
  allow_msg_ttl?: boolean;
  /** Delete-marker TTL in nanoseconds (nats-server 2.11+); present only when declared. */
  subject_delete_marker_ttl?: Nanos;
};

/** A declaration turned into exactly what the server should hold, plus the ensure policy. */
export interface DesiredStream {
  /** The stream name. */
  name: string;
  /** Complete config in server units (durations in nanoseconds), ready to send. */
  config: DesiredStreamConfig;
  /** What `ensure*` does on a conflict, with defaults applied. */
  policy: Required<StreamPolicy>;
  /** Config fields whose value came from the module's `streamDefaults` or the library's defaults. */
  defaulted?: ReadonlyMap<string, 'streamDefaults' | 'library'>;
}

/** Two declarations in one batch that cannot both exist: same name, or overlapping subjects. */
export interface SubjectOverlap {
  /** `'subjects'`: the two subjects overlap. `'name'`: the same name is declared twice (subjects are `''`). */
  kind: 'subjects' | 'name';
  /** The earlier declaration in the batch. */
  stream: string;
  /** The later declaration in the batch. */
  otherStream: string;
  /** The earlier declaration's subject. */
  subject: string;
  /** The later declaration's subject that overlaps {@link subject}. */
  otherSubject: string;
}

// ---------------------------------------------------------------------------------------------
// Durations

const UNIT_NANOS: Record<string, number> = {
  ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3_600e9, d: 86_400e9, w: 604_800e9,
};
/** One `<number><unit>` group; `ms` before `m` and `s` so the longest unit wins. */
const DURATION_GROUP = /(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h|d|w)/y;
/** Numbers at or above this many milliseconds (31+ years) are nanoseconds or microseconds by mistake. */
const MAX_DURATION_MS = 1e12;
/** The server stores durations as Go `time.Duration` (int64 nanoseconds). */
const MAX_DURATION_NS = 2 ** 63;
/** The server's minimum for each duration field, when it has one (nanoseconds). */
const MIN_DURATION_NS: Record<string, number> = {
  max_age: 100e6,
  duplicate_window: 100e6,
  subject_delete_marker_ttl: 1e9,
};
/** The server's duplicate window when none is set (before capping at max_age). */
const DEFAULT_DUPLICATE_WINDOW_NS = 120e9;

/**
 * Converts a declared {@link Duration} to the nanoseconds the server expects. Strings are one or
 * more `<number><unit>` groups (units `ns`, `us`, `µs`, `ms`, `s`, `m`, `h`, `d`, `w`) or `'0'`;
 * numbers are whole, non-negative milliseconds. Rejects a number that can only be nanoseconds or
 * microseconds (>= 1e12 ms), and a nonzero value under the server's minimum for `field`
 * (`max_age` and `duplicate_window`: 100ms; `subject_delete_marker_ttl`: 1s).
 *
 * @param field  the field being parsed, named in the error (`max_age`, `consumer_limits.inactive_threshold`, ...)
 * @param stream the stream the declaration is for, named in the error
 * @returns an integer number of nanoseconds
 * @throws InvalidStreamConfigError when the value is not a valid duration for `field`
 * @example
 * parseDuration('1h30m', 'max_age', 'orders'); // 5_400_000_000_000
 * parseDuration(1500, 'duplicate_window', 'orders'); // 1_500_000_000
 */
export function parseDuration(value: Duration, field: string, stream: string): number {
  const fail = (reason: string): never => {
    throw new InvalidStreamConfigError(stream, field, reason);
  };
  let nanos: number;
  if (typeof value === 'number') nanos = millisToNanos(value, fail);
  else if (typeof value === 'string') nanos = durationStringToNanos(value, fail);
  else return fail(`must be a duration string such as '1h' or a number of milliseconds, got ${show(value)}`);

  const min = MIN_DURATION_NS[field];
  if (min !== undefined && nanos !== 0 && nanos < min) {
    const hint = typeof value === 'number' ? `; numbers are milliseconds — did you mean '${value}s'?` : '';
    fail(`is ${typeof value === 'number' ? `${value} ms` : show(value)}, below the server's minimum of ${formatNanos(min)}${hint}`);
  }
  return nanos;
}

function millisToNanos(ms: number, fail: (reason: string) => never): number {
  if (!Number.isFinite(ms)) fail(`must be a finite number of milliseconds, got ${show(ms)}`);
  if (ms < 0) fail(`must not be negative, got ${show(ms)}`);
  if (!Number.isInteger(ms)) {
    fail(`is ${ms} ms: numbers must be whole milliseconds; write a string such as '${formatNanos(Math.round(ms * 1e6))}'`);
  }
  if (ms >= MAX_DURATION_MS) {
    fail(
      `is ${ms}, which as milliseconds is over 31 years: it looks like nanoseconds or microseconds. ` +
        `Numbers are milliseconds; write a string such as '${formatNanos(ms)}'`,
    );
  }
  return ms * 1e6;
}

function durationStringToNanos(text: string, fail: (reason: string) => never): number {
  if (text === '0') return 0;
  if (text === '') fail("must not be empty; write a duration such as '1h', or '0'");
  let total = 0;
  DURATION_GROUP.lastIndex = 0;
  while (DURATION_GROUP.lastIndex < text.length) {
    const at = DURATION_GROUP.lastIndex;
    const group = DURATION_GROUP.exec(text);
    if (!group) {
      const where = at > 0 ? ` (at ${show(text.slice(at))})` : '';
      return fail(
        `${show(text)} is not a duration${where}; ` +
          "write <number><unit> groups such as '500ms', '90s', '1h30m' or '7d' (units ns, us, ms, s, m, h, d, w)",
      );
    }
    total += Number(group[1]) * UNIT_NANOS[group[2]];
  }
  const nanos = Math.round(total);
  if (nanos >= MAX_DURATION_NS) fail(`${show(text)} is longer than the server can store (about 292 years)`);
  return nanos;
}

/** Formats nanoseconds the way a user would write them: `'1h30m'`, `'500ms'`, `'0'`. */
function formatNanos(nanos: number): string {
  let rest = nanos;
  let out = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms', 'us', 'ns']) {
    const size = UNIT_NANOS[unit];
    const count = Math.floor(rest / size);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return out || '0';
}

// ---------------------------------------------------------------------------------------------
// Names and subjects

/** Why `name` is not a valid stream name, or `undefined` when it is (the server's rules). */
function streamNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return `must be a string, got ${show(name)}`;
  if (name === '') return 'must not be empty';
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > 255) return `is ${bytes} bytes long; the maximum is 255`;
  if (/[\s\p{Cc}]/u.test(name)) return `${show(name)} contains whitespace or a control character`;
  const bad = /[.*>/\\]/.exec(name);
  if (bad) return `${show(name)} contains ${show(bad[0])}; stream names cannot contain '.', '*', '>', '/' or '\\'`;
  return undefined;
}

/** Why `subject` is not a valid subject (wildcards allowed), or `undefined` when it is. */
function subjectProblem(subject: unknown): string | undefined {
  if (typeof subject !== 'string') return `must be strings, got ${show(subject)}`;
  if (subject === '') return 'must not contain an empty subject';
  if (/[\s\p{Cc}]/u.test(subject)) return `${show(subject)} contains whitespace or a control character`;
  const tokens = subject.split('.');
  if (tokens.includes('')) return `${show(subject)} has an empty token (a leading, trailing or doubled '.')`;
  if (tokens.some((t) => t.length > 1 && /[*>]/.test(t))) {
    return `${show(subject)} uses '*' or '>' inside a token; wildcards must be whole tokens such as 'orders.*'`;
  }
  if (tokens.indexOf('>') !== -1 && tokens.indexOf('>') !== tokens.length - 1) {
    return `${show(subject)} has '>' before its last token; '>' may only end a subject`;
  }
  return undefined;
}

/**
 * Checks a stream name the way the server does: a non-empty string of at most 255 bytes without
 * whitespace, control characters, `.`, `*`, `>`, `/` or `\`.
 * @throws InvalidStreamConfigError on field `name`
 */
export function validateStreamName(name: unknown): void {
  const problem = streamNameProblem(name);
  if (problem) throw new InvalidStreamConfigError(String(name), 'name', problem);
}

/**
 * Checks one subject a stream captures: non-empty, no whitespace, `.`-separated non-empty tokens,
 * `*` and `>` only as whole tokens and `>` only last.
 * @throws InvalidStreamConfigError on field `subjects`
 */
export function validateSubject(subject: unknown, stream: string): void {
  const problem = subjectProblem(subject);
  if (problem) throw new InvalidStreamConfigError(stream, 'subjects', problem);
}

/**
 * Whether some concrete subject matches both (valid) subject patterns.
 * @example
 * subjectsOverlap('orders.*', 'orders.new'); // true
 * subjectsOverlap('orders.>', 'orders');     // false: '>' needs at least one more token
 * subjectsOverlap('a.>', '*.b');             // true: 'a.b'
 */
export function subjectsOverlap(a: string, b: string): boolean {
  return tokensOverlap(a.split('.'), b.split('.'));
}

function tokensOverlap(a: string[], b: string[]): boolean {
  for (let i = 0; ; i++) {
    // '>' stands for one or more tokens, and anything left on the other side can supply them.
    if (a[i] === '>') return i < b.length;
    if (b[i] === '>') return i < a.length;
    if (i === a.length || i === b.length) return a.length === b.length;
    if (a[i] !== b[i] && a[i] !== '*' && b[i] !== '*') return false;
  }
}

/**
 * Finds what would make a batch of streams fail on the server: two declarations with the same
 * name (`kind: 'name'`), or subjects of two different declarations that some subject matches
 * (`kind: 'subjects'`). Each pair is reported once, in batch order.
 */
export function findSubjectOverlaps(streams: DesiredStream[]): SubjectOverlap[] {
  const overlaps: SubjectOverlap[] = [];
  const seen = new Set<string>();
  const index = new SubjectIndex<string>();
  for (const later of streams) {
    if (seen.has(later.name)) {
      overlaps.push({ kind: 'name', stream: later.name, otherStream: later.name, subject: '', otherSubject: '' });
      continue;
    }
    seen.add(later.name);
    for (const otherSubject of later.config.subjects) {
      for (const earlier of index.overlapping(otherSubject)) {
        overlaps.push({ kind: 'subjects', stream: earlier.value, otherStream: later.name, subject: earlier.subject, otherSubject });
      }
    }
    for (const subject of later.config.subjects) index.add(subject, later.name);
  }
  return overlaps;
}

// ---------------------------------------------------------------------------------------------
// Normalisation

/** Every field a declaration may have; the compiler keeps this in step with the type. */
const DECLARATION_FIELDS: Record<keyof StreamDeclaration, true> = {
  name: true, subjects: true, onConflict: true, allowDataLoss: true, mode: true, description: true,
  retention: true, storage: true, num_replicas: true, max_consumers: true, max_msgs: true,
  max_bytes: true, max_age: true, max_msgs_per_subject: true, max_msg_size: true, discard: true,
  discard_new_per_subject: true, duplicate_window: true, no_ack: true, allow_rollup_hdrs: true,
  allow_direct: true, mirror_direct: true, deny_delete: true, deny_purge: true, sealed: true,
  placement: true, compression: true, metadata: true, republish: true, subject_transform: true,
  sources: true, mirror: true, first_seq: true, allow_msg_ttl: true, subject_delete_marker_ttl: true,
  consumer_limits: true,
};
const POLICY_FIELDS = new Set(['name', 'subjects', 'onConflict', 'allowDataLoss', 'mode']);
/** What a declaration may name, and what `streamDefaults` may (no name, subjects or policy). */
const DECLARABLE: ReadonlySet<string> = new Set(Object.keys(DECLARATION_FIELDS));
const DEFAULTABLE: ReadonlySet<string> = new Set([...DECLARABLE].filter((f) => !POLICY_FIELDS.has(f)));

const ENUM_FIELDS = {
  retention: ['limits', 'interest', 'workqueue'],
  storage: ['file', 'memory'],
  discard: ['old', 'new'],
  compression: ['none', 's2'],
  onConflict: ['fail', 'migrate', 'recreate'],
  mode: ['manage', 'create', 'verify'],
} as const;

/** Limits where -1 (and 0, as the server reads it) mean unlimited, with their largest value. */
const LIMIT_FIELDS = {
  max_consumers: Number.MAX_SAFE_INTEGER,
  max_msgs: Number.MAX_SAFE_INTEGER,
  max_bytes: Number.MAX_SAFE_INTEGER,
  max_msgs_per_subject: Number.MAX_SAFE_INTEGER,
  max_msg_size: 2 ** 31 - 1, // an int32 on the server
} as const;

const BOOLEAN_FIELDS = [
  'discard_new_per_subject', 'no_ack', 'allow_rollup_hdrs', 'allow_direct', 'mirror_direct',
  'deny_delete', 'deny_purge', 'sealed', 'allow_msg_ttl', 'allowDataLoss',
] as const;

const MAX_DESCRIPTION_BYTES = 4 * 1024;
const MAX_METADATA_BYTES = 128 * 1024;

type Merged = Partial<Omit<StreamDeclaration, 'name'>>;
type Fail = (field: string, reason: string) => never;

/**
 * Turns a declaration into the complete config the server should hold, without touching a
 * server: `DEFAULT_STREAM_DEFAULTS`, then `defaults` (the module's `streamDefaults`), then the
 * declared fields (an `undefined` field does not override); durations in nanoseconds; limits of
 * 0 read as -1 (unlimited) as the server does; `duplicate_window` defaulted to 2 minutes capped at
 * `max_age` as the server does; subjects sorted. Every always-present field of the server's
 * config is filled in, so a field removed from a declaration goes back to its default. Optional
 * fields (description, placement, compression, metadata, republish, subject_transform, sources,
 * mirror, first_seq, allow_msg_ttl, subject_delete_marker_ttl, consumer_limits) appear only when
 * declared or set in `defaults`.
 *
 * @throws InvalidStreamConfigError naming the first invalid field and the bad value
 * @example
 * normalizeStreamConfig({ name: 'orders', subjects: ['orders.>'], max_age: '7d' }).config.max_age;
 * // 604_800_000_000_000
 */
export function normalizeStreamConfig(declaration: StreamDeclaration, defaults: StreamConfigInput = {}): DesiredStream {
  if (!isRecord(declaration)) {
    throw new InvalidStreamConfigError(String(declaration), 'name', `declaration must be an object, got ${show(declaration)}`);
  }
  const name = declaration.name;
  validateStreamName(name);
  const fail: Fail = (field, reason) => {
    throw new InvalidStreamConfigError(name, field, reason);
  };
  if (!isRecord(defaults)) fail('streamDefaults', `must be an object, got ${show(defaults)}`);
  rejectUnknownFields(declaration, DECLARABLE, '', fail);
  rejectUnknownFields(defaults, DEFAULTABLE, ' in streamDefaults', fail);

  const input: Merged = { ...DEFAULT_STREAM_DEFAULTS, ...withoutUndefined(defaults), ...withoutUndefined(declaration) };
  checkScalarFields(input, fail);

  const config = buildConfig(name, input, fail);
  for (const rule of CROSS_FIELD_RULES) {
    const broken = rule(config, input);
    if (broken) fail(...broken);
  }
  const policy: Required<StreamPolicy> = {
    onConflict: declaration.onConflict ?? 'fail',
    allowDataLoss: declaration.allowDataLoss ?? false,
    mode: declaration.mode ?? 'manage',
  };
  if (policy.onConflict === 'recreate' && !policy.allowDataLoss) {
    fail('onConflict', "is 'recreate', which deletes every message of the stream; set allowDataLoss: true to allow it");
  }
  return { name, config, policy };
}

function rejectUnknownFields(object: object, known: ReadonlySet<string>, where: string, fail: Fail): void {
  const unknown = Object.keys(object).find((key) => !known.has(key));
  if (unknown !== undefined) fail(unknown, `is not a stream config field${where}; check its spelling`);
}

/** Enums, booleans and numeric limits: checked by table, before anything reads them. */
function checkScalarFields(input: Merged, fail: Fail): void {
  const values = input as Record<string, unknown>;
  for (const [field, allowed] of Object.entries(ENUM_FIELDS)) {
    const value = values[field];
    if (value !== undefined && !(allowed as readonly unknown[]).includes(value)) {
      fail(field, `is ${show(value)}; allowed values are ${allowed.map((v) => `'${v}'`).join(', ')}`);
    }
  }
  for (const field of BOOLEAN_FIELDS) {
    const value = values[field];
    if (value !== undefined && typeof value !== 'boolean') fail(field, `must be true or false, got ${show(value)}`);
  }
  for (const [field, max] of Object.entries(LIMIT_FIELDS)) {
    const value = values[field];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < -1 || value > max) {
      fail(field, `must be a whole number from -1 (unlimited) to ${max}, got ${show(value)}`);
    }
  }
  const replicas = input.num_replicas;
  if (replicas !== undefined && !(Number.isInteger(replicas) && replicas >= 1 && replicas <= 5)) {
    fail('num_replicas', `must be a whole number from 1 to 5, got ${show(replicas)}`);
  }
  const firstSeq = input.first_seq;
  if (firstSeq !== undefined && !(Number.isSafeInteger(firstSeq) && firstSeq >= 1)) {
    fail('first_seq', `must be a whole number >= 1, got ${show(firstSeq)}`);
  }
}

function buildConfig(name: string, input: Merged, fail: Fail): DesiredStreamConfig {
  const duration = (field: keyof Merged): number | undefined => {
    const value = input[field] as Duration | undefined;
    return value === undefined ? undefined : parseDuration(value, field, name);
  };
  const maxAge = duration('max_age') ?? 0;
  // As the server: 0 means "default", and a mirror keeps no duplicate window of its own.
  const duplicateWindow = duration('duplicate_window') || defaultDuplicateWindow(maxAge, input.mirror !== undefined);
  const markerTtl = duration('subject_delete_marker_ttl');
  const limit = (field: keyof typeof LIMIT_FIELDS): number => (input[field] || -1);

  return {
    name,
    ...(input.description !== undefined && { description: checkDescription(input.description, fail) }),
    subjects: checkSubjects(input, fail),
    retention: (input.retention ?? 'limits') as RetentionPolicy,
    storage: (input.storage ?? 'file') as StorageType,
    num_replicas: input.num_replicas ?? 1,
    max_consumers: limit('max_consumers'),
    max_msgs: limit('max_msgs'),
    max_bytes: limit('max_bytes'),
    max_age: maxAge,
    max_msgs_per_subject: limit('max_msgs_per_subject'),
    max_msg_size: limit('max_msg_size'),
    discard: (input.discard ?? 'old') as DiscardPolicy,
    discard_new_per_subject: input.discard_new_per_subject ?? false,
    duplicate_window: duplicateWindow,
    no_ack: input.no_ack ?? false,
    // Delete markers need roll-ups: the server turns them on, so the desired config does too.
    allow_rollup_hdrs: input.allow_rollup_hdrs ?? (markerTtl !== undefined && markerTtl > 0),
    allow_direct: input.allow_direct ?? false,
    mirror_direct: input.mirror_direct ?? false,
    deny_delete: input.deny_delete ?? false,
    deny_purge: input.deny_purge ?? false,
    sealed: input.sealed ?? false,
    ...(input.placement !== undefined && { placement: checkPlacement(input.placement, fail) }),
    ...(input.compression !== undefined && { compression: input.compression as StoreCompression }),
    ...(input.metadata !== undefined && { metadata: checkMetadata(input.metadata, fail) }),
    ...(input.republish !== undefined && { republish: checkRepublish(input.republish, fail) }),
    ...(input.subject_transform !== undefined && { subject_transform: checkTransform(input.subject_transform, fail) }),
    ...(input.sources !== undefined && { sources: checkSources(input.sources, name, fail) }),
    ...(input.mirror !== undefined && { mirror: checkSource(input.mirror, 'mirror', name, fail) }),
    ...(input.first_seq !== undefined && { first_seq: input.first_seq }),
    // Delete markers need message TTLs: the server turns them on, so the desired config does too.
    ...((input.allow_msg_ttl !== undefined || (markerTtl ?? 0) > 0) && { allow_msg_ttl: input.allow_msg_ttl ?? true }),
    ...(markerTtl !== undefined && { subject_delete_marker_ttl: markerTtl }),
    ...(input.consumer_limits !== undefined && { consumer_limits: checkConsumerLimits(input.consumer_limits, name, fail) }),
  };
}

function defaultDuplicateWindow(maxAge: number, isMirror: boolean): number {
  if (isMirror) return 0;
  return maxAge !== 0 && maxAge < DEFAULT_DUPLICATE_WINDOW_NS ? maxAge : DEFAULT_DUPLICATE_WINDOW_NS;
}

/** Rules between fields, checked on the built config; each returns `[field, reason]` when broken. */
const CROSS_FIELD_RULES: Array<(c: DesiredStreamConfig, input: Merged) => [string, string] | undefined> = [
  (c) => (c.discard_new_per_subject && c.discard !== 'new'
    ? ['discard_new_per_subject', `requires discard: 'new', but discard is '${c.discard}'`] : undefined),
  (c) => (c.discard_new_per_subject && c.max_msgs_per_subject <= 0
    ? ['discard_new_per_subject', 'requires max_msgs_per_subject > 0, but it is unlimited'] : undefined),
  (c) => (c.max_age !== 0 && c.duplicate_window > c.max_age
    ? ['duplicate_window', `is ${formatNanos(c.duplicate_window)}, longer than max_age (${formatNanos(c.max_age)}); the server rejects that`]
    : undefined),
  (c, input) => (c.mirror && c.subjects.length > 0
    ? ['subjects', `must be empty for a mirror of '${c.mirror.name}', got ${show(input.subjects)}`] : undefined),
  (c) => (c.mirror && c.sources?.length ? ['mirror', 'cannot be combined with sources'] : undefined),
  (c) => (c.mirror && c.first_seq !== undefined ? ['first_seq', 'cannot be set on a mirror'] : undefined),
  (c) => (!c.mirror && !c.sources?.length && c.subjects.length === 0
    ? ['subjects', 'must list at least one subject (only mirrors and streams with sources may have none)'] : undefined),
  (c) => ((c.subject_delete_marker_ttl ?? 0) > 0 && c.mirror
    ? ['subject_delete_marker_ttl', 'cannot be set on a mirror'] : undefined),
  (c) => {
    const off = (['allow_msg_ttl', 'allow_rollup_hdrs'] as const).filter((flag) => c[flag] === false);
    return (c.subject_delete_marker_ttl ?? 0) > 0 && off.length > 0
      ? ['subject_delete_marker_ttl', `needs message TTLs and roll-ups, but ${off.join(' and ')} is declared false`]
      : undefined;
  },
  (c) => (c.deny_purge && c.allow_rollup_hdrs
    ? ['allow_rollup_hdrs', `is on${(c.subject_delete_marker_ttl ?? 0) > 0 ? ' (delete markers need it)' : ''}, and roll-ups need purges, but deny_purge is true`]
    : undefined),
];

function checkSubjects(input: Merged, fail: Fail): string[] {
  const subjects: unknown = input.subjects;
  if (!Array.isArray(subjects)) return fail('subjects', `must be an array of subjects, got ${show(subjects)}`);
  subjects.forEach((subject) => {
    const problem = subjectProblem(subject);
    if (problem) fail('subjects', problem);
  });
  const list = subjects as string[];
  list.forEach((subject, i) => {
    for (const other of list.slice(i + 1)) {
      if (subject === other) fail('subjects', `lists ${show(subject)} twice`);
      if (subjectsOverlap(subject, other)) fail('subjects', `${show(subject)} and ${show(other)} overlap; a stream's subjects must not`);
    }
  });
  return [...list].sort();
}

function checkDescription(description: unknown, fail: Fail): string {
  if (typeof description !== 'string') return fail('description', `must be a string, got ${show(description)}`);
  const bytes = Buffer.byteLength(description, 'utf8');
  if (bytes > MAX_DESCRIPTION_BYTES) fail('description', `is ${bytes} bytes long; the maximum is ${MAX_DESCRIPTION_BYTES}`);
  return description;
}

function checkPlacement(placement: unknown, fail: Fail): Placement {
  if (!isRecord(placement)) return fail('placement', `must be an object, got ${show(placement)}`);
  const { cluster, tags } = placement;
  if (cluster !== undefined && (typeof cluster !== 'string' || cluster === '')) {
    fail('placement', `cluster must be a non-empty string, got ${show(cluster)}`);
  }
  if (tags !== undefined && !(Array.isArray(tags) && tags.every((t) => typeof t === 'string'))) {
    fail('placement', `tags must be an array of strings, got ${show(tags)}`);
  }
  // Only the declared keys: the server omits empty ones from stream info, so a diff stays quiet.
  return {
    ...(cluster !== undefined && { cluster }),
    ...(tags !== undefined && { tags: [...(tags as string[])] }),
  } as Placement;
}

function checkMetadata(metadata: unknown, fail: Fail): Record<string, string> {
  if (!isRecord(metadata)) return fail('metadata', `must be an object of strings, got ${show(metadata)}`);
  let bytes = 0;
  for (const [key, value] of Object.entries(metadata)) {
    if (key.startsWith('_nats.')) fail('metadata', `key ${show(key)} is reserved for the server (keys starting with '_nats.')`);
    if (typeof value !== 'string') fail('metadata', `value of ${show(key)} must be a string, got ${show(value)}`);
    bytes += Buffer.byteLength(key) + Buffer.byteLength(value as string);
  }
  if (bytes > MAX_METADATA_BYTES) fail('metadata', `is ${bytes} bytes; the maximum is ${MAX_METADATA_BYTES}`);
  return { ...(metadata as Record<string, string>) };
}

function checkRepublish(republish: unknown, fail: Fail): NonNullable<StreamConfigInput['republish']> {
  if (!isRecord(republish)) return fail('republish', `must be an object with src and dest, got ${show(republish)}`);
  const problem = subjectProblem(republish.src);
  if (problem) fail('republish', `src ${problem}`);
  if (typeof republish.dest !== 'string' || republish.dest === '' || /\s/.test(republish.dest)) {
    fail('republish', `dest must be a subject, got ${show(republish.dest)}`);
  }
  if (republish.headers_only !== undefined && typeof republish.headers_only !== 'boolean') {
    fail('republish', `headers_only must be true or false, got ${show(republish.headers_only)}`);
  }
  return { ...(republish as NonNullable<StreamConfigInput['republish']>) };
}

function checkTransform(transform: unknown, fail: Fail): NonNullable<StreamConfigInput['subject_transform']> {
  if (!isRecord(transform)) return fail('subject_transform', `must be an object with dest, got ${show(transform)}`);
  const problem = transform.src === undefined ? undefined : subjectProblem(transform.src);
  if (problem) fail('subject_transform', `src ${problem}`);
  if (typeof transform.dest !== 'string' || transform.dest === '' || /\s/.test(transform.dest)) {
    fail('subject_transform', `dest must be a subject, got ${show(transform.dest)}`);
  }
  return { ...(transform as NonNullable<StreamConfigInput['subject_transform']>) };
}

function checkSources(sources: unknown, stream: string, fail: Fail): StreamSource[] {
  if (!Array.isArray(sources)) return fail('sources', `must be an array, got ${show(sources)}`);
  return sources.map((source) => checkSource(source, 'sources', stream, fail));
}

function checkSource(source: unknown, field: 'sources' | 'mirror', stream: string, fail: Fail): StreamSource {
  if (!isRecord(source)) return fail(field, `must be an object with a stream name, got ${show(source)}`);
  const problem = streamNameProblem(source.name);
  if (problem) fail(field, `name ${problem}`);
  if (source.name === stream) fail(field, `cannot be the stream itself ('${stream}')`);
  const filter = source.filter_subject;
  const filterProblem = filter === undefined ? undefined : subjectProblem(filter);
  if (filterProblem) fail(field, `filter_subject ${filterProblem}`);
  const seq = source.opt_start_seq;
  if (seq !== undefined && !(Number.isSafeInteger(seq) && (seq as number) >= 0)) {
    fail(field, `opt_start_seq must be a whole number >= 0, got ${show(seq)}`);
  }
  if (source.opt_start_time !== undefined && typeof source.opt_start_time !== 'string') {
    fail(field, `opt_start_time must be an ISO date string, got ${show(source.opt_start_time)}`);
  }
  return { ...(source as unknown as StreamSource) };
}

function checkConsumerLimits(limits: unknown, stream: string, fail: Fail): NonNullable<StreamConfig['consumer_limits']> {
  if (!isRecord(limits)) return fail('consumer_limits', `must be an object, got ${show(limits)}`);
  const { inactive_threshold: threshold, max_ack_pending: maxAckPending } = limits;
  if (maxAckPending !== undefined && !(Number.isSafeInteger(maxAckPending) && (maxAckPending as number) >= -1)) {
    fail('consumer_limits.max_ack_pending', `must be a whole number >= -1, got ${show(maxAckPending)}`);
  }
  return {
    ...(threshold !== undefined && {
      inactive_threshold: parseDuration(threshold as Duration, 'consumer_limits.inactive_threshold', stream),
    }),
    ...(maxAckPending !== undefined && { max_ack_pending: maxAckPending as number }),
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withoutUndefined<T extends object>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** A value as it should appear in an error message. */
function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}
