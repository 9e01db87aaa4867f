import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import { isOneOf, isPlainRecord, notAllowed, show } from '../checks/values.js';
import { normalizeConsumers, type DesiredConsumer } from './consumer-config.js';
import { absentValue } from './field-table.js';
import { converterFor, type ConvertField } from './field-values.js';
import type {
  ConflictPolicy,
  DownstreamPolicy,
  StreamConfigInput,
  StreamDeclaration,
  StreamMode,
  StreamPolicy,
} from './stream-declaration.js';
import { STREAM_FIELDS, STREAM_FIELDS_BY_NAME, type DesiredStreamConfig, type StreamObjectField } from './stream-fields.js';
import { STREAM_OBJECT_CHECKS } from './stream-objects.js';
import { crossFieldProblem } from './stream-rules.js';
import { validateStreamName } from './subjects.js';

/** Where a config value that the declaration did not give came from. */
export type DefaultSource = 'streamDefaults' | 'library';

/** A declaration turned into exactly what the server should hold, plus the ensure policy. */
export interface DesiredStream {
  /** The stream name. */
  name: string;
  /** Complete config in server units (durations in nanoseconds), ready to send. */
  config: DesiredStreamConfig;
  /** What `ensure*` does, with defaults applied. */
  policy: Required<StreamPolicy>;
  /**
   * Each config field whose value did not come from the declaration: `'streamDefaults'` (the
   * module's defaults) or `'library'` (the library's defaults, including the server's own default
   * that fills a field nobody declared). A field the declaration gives is not listed.
   */
  defaulted: ReadonlyMap<string, DefaultSource>;
  /** The declared durable consumers, normalised (only when the declaration lists `consumers`). */
  consumers?: readonly DesiredConsumer[];
  /** The bucket name, when the declaration is a key-value bucket's (the stream is `KV_<bucket>`). */
  bucket?: string;
}

const ON_CONFLICT_VALUES: readonly ConflictPolicy[] = ['fail', 'migrate', 'recreate'];
const MODE_VALUES: readonly StreamMode[] = ['manage', 'create', 'verify'];
const DOWNSTREAM_VALUES: readonly DownstreamPolicy[] = ['refuse', 'resume'];

/** Each config field's checker, by the row's kind (object fields by their own checker). */
const CONVERTERS: ReadonlyMap<string, ConvertField> = new Map(
  STREAM_FIELDS.map((row) => [row.field, converterFor(row, STREAM_OBJECT_CHECKS[row.field as StreamObjectField])]),
);
/** The library's defaults (`DEFAULT_STREAM_DEFAULTS`) in server form. */
const LIBRARY_DEFAULTS: ReadonlyMap<string, unknown> = new Map(
  STREAM_FIELDS.flatMap((row) =>
    row.libraryDefault === undefined ? [] : [[row.field, convert(row.field, row.libraryDefault, '(library defaults)')]],
  ),
);
/** Every key a declaration may have: the config fields, the name, the policy and the consumers. */
const DECLARATION_KEYS: ReadonlySet<string> = new Set([
  ...CONVERTERS.keys(),
  'name',
  'onConflict',
  'allowDataLoss',
  'mode',
  'downstream',
  'consumers',
]);

/**
 * Turns a declaration into the complete config the server should hold, without touching a
 * server: for each field of the stream table, in table order, the declared value, else the
 * module's `defaults` (`streamDefaults`), else the library's default (`DEFAULT_STREAM_DEFAULTS`),
 * else the value the server holds when the field is absent (for the fields every config holds);
 * an `undefined` field counts as not given. Durations in nanoseconds; limits of 0 read as -1
 * (unlimited) as the server does; `duplicate_window` defaulted to 2 minutes capped at `max_age` as
 * the server does; subjects sorted. Optional fields (description, placement, compression,
 * metadata, ...) appear only when declared or set in `defaults`. Declared `consumers` are
 * normalised too (`normalizeConsumers`), after the stream's own fields.
 *
 * Only plain objects are read (not a `Date` or another class instance), and only their own
 * enumerable properties: a prototype cannot add a field or a policy. The name, unknown keys, the
 * defaults and the policy are checked first, then the fields in table order, then the rules
 * between fields (`stream-rules.ts`).
 *
 * @throws InvalidStreamConfigError naming the first invalid field and the bad value
 * @example
 * normalizeStreamConfig({ name: 'orders', subjects: ['orders.>'], max_age: '7d' }).config.max_age;
 * // 604_800_000_000_000
 */
export function normalizeStreamConfig(declaration: StreamDeclaration, defaults: StreamConfigInput = {}): DesiredStream {
  const input: unknown = declaration;
  if (!isPlainRecord(input)) {
    throw new InvalidStreamConfigError(label(input), 'declaration', `must be an object with a name and subjects, got ${describe(input)}`);
  }
  const name = input.name;
  validateStreamName(name);
  const unknown = Object.keys(input).find((key) => !DECLARATION_KEYS.has(key));
  if (unknown !== undefined) throw new InvalidStreamConfigError(name, unknown, 'is not a stream config field; check its spelling');
  const givenDefaults = checkStreamDefaults(defaults, name);
  const policy = streamPolicy(input, name);

  const config: Record<string, unknown> = { name };
  const defaulted = new Map<string, DefaultSource>();
  for (const row of STREAM_FIELDS) {
    const { field } = row;
    const declared = given(input, field);
    let value: unknown;
    let source: DefaultSource | undefined;
    // A required field is checked even when absent, so that its checker names what is missing.
    if (declared !== undefined || row.required) value = convert(field, declared, name);
    else if (givenDefaults.has(field)) [value, source] = [givenDefaults.get(field), 'streamDefaults'];
    else [value, source] = [LIBRARY_DEFAULTS.get(field), 'library'];
    // A field removed from a declaration returns to what the server holds without it.
    if (value === undefined && row.fill === 'always' && !row.absentIn) [value, source] = [row.absent, 'library'];
    if (value === undefined) continue;
    config[field] = value;
    if (source) defaulted.set(field, source);
  }
  // Then what the server derives from other fields when nobody gives it (duplicate_window from max_age).
  for (const row of STREAM_FIELDS) {
    if (!row.absentIn || row.fill === 'never' || config[row.field] !== undefined) continue;
    const value = absentValue(row, config);
    if (row.fill === 'if-true' && value !== true) continue;
    config[row.field] = value;
    defaulted.set(row.field, 'library');
  }
  const desired = config as DesiredStreamConfig;

  const broken = crossFieldProblem(desired, input.subjects);
  if (broken) throw new InvalidStreamConfigError(name, broken[0], broken[1]);
  if (policy.onConflict === 'recreate' && !policy.allowDataLoss) {
    throw new InvalidStreamConfigError(
      name,
      'onConflict',
      "is 'recreate', which deletes every message of the stream; set allowDataLoss: true to allow it",
    );
  }
  const result: DesiredStream = { name, config: desired, policy, defaulted };
  const consumers = given(input, 'consumers');
  if (consumers !== undefined) result.consumers = normalizeConsumers(name, consumers, desired.subjects, desired.retention);
  return result;
}

/**
 * Checks the module's `streamDefaults` for a stream (any name, at module creation): a plain
 * object whose keys are config fields a declaration need not give (not `subjects`, the name or
 * the policy), each value valid for its field. Returns each given field's server form.
 * @throws InvalidStreamConfigError naming the field of `streamDefaults` and the bad value
 * @example
 * checkStreamDefaults({ max_age: '7d' }).get('max_age'); // 604_800_000_000_000
 */
export function checkStreamDefaults(defaults: unknown, stream = '(streamDefaults)'): ReadonlyMap<string, unknown> {
  if (!isPlainRecord(defaults)) throw new InvalidStreamConfigError(stream, 'streamDefaults', `must be an object, got ${show(defaults)}`);
  const values = new Map<string, unknown>();
  for (const key of Object.keys(defaults)) {
    const row = STREAM_FIELDS_BY_NAME.get(key);
    if (!row || row.required) {
      throw new InvalidStreamConfigError(stream, key, 'is not a stream config field in streamDefaults; check its spelling');
    }
    const given = defaults[key];
    const value = given === undefined ? undefined : convert(key, given, stream);
    if (value !== undefined) values.set(key, value);
  }
  return values;
}

/** The declaration's policy, checked: only `undefined` (or no key) takes the default, as for config fields. */
function streamPolicy(input: Record<string, unknown>, name: string): Required<StreamPolicy> {
  const oneOf = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const value = given(input, key);
    if (value === undefined) return fallback;
    if (!isOneOf(value, allowed)) throw new InvalidStreamConfigError(name, key, notAllowed(value, allowed));
    return value;
  };
  const declared = given(input, 'allowDataLoss');
  const allowDataLoss = declared === undefined ? false : declared;
  if (typeof allowDataLoss !== 'boolean') {
    throw new InvalidStreamConfigError(name, 'allowDataLoss', `must be true or false, got ${show(allowDataLoss)}`);
  }
  return {
    onConflict: oneOf('onConflict', ON_CONFLICT_VALUES, 'fail'),
    allowDataLoss,
    mode: oneOf('mode', MODE_VALUES, 'manage'),
    downstream: oneOf('downstream', DOWNSTREAM_VALUES, 'refuse'),
  };
}

/** An own enumerable property of `record`, or undefined (a prototype's is never read). */
function given(record: Record<string, unknown>, key: string): unknown {
  return Object.prototype.propertyIsEnumerable.call(record, key) ? record[key] : undefined;
}

/** The server form of a field's value (undefined: a value the server reads as unset, such as a duplicate_window of 0). */
function convert(field: string, value: unknown, stream: string): unknown {
  return (CONVERTERS.get(field) as ConvertField)(value, stream);
}

/** What a non-object declaration is, for the error. */
function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array ${show(value)}`;
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object' || typeof value === 'function') return show(value);
  return `the ${typeof value} ${show(value)}`;
}

/** The "stream" an error about a non-object declaration names. */
function label(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return '(array)';
  return typeof value === 'object' || typeof value === 'function' ? `(${typeof value})` : String(value);
}
