import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import { normalizeConsumers, type DesiredConsumer } from './consumer-config.js';
import { DefaultedFields, GIVEN_BY_DEFAULTS, type DefaultSource } from './defaulted-fields.js';
import { absentValue } from './field-table.js';
import { converterFor, isOneOf, KIND_CHECK_ORDER, notAllowed, type ConvertField } from './field-values.js';
import { isRecord, show } from './show-value.js';
import type {
  ConflictPolicy,
  DownstreamPolicy,
  StreamConfigInput,
  StreamDeclaration,
  StreamMode,
  StreamPolicy,
} from './stream-declaration.js';
import { STREAM_FIELDS, type DesiredStreamConfig } from './stream-fields.js';
import { STREAM_OBJECT_CHECKS } from './stream-objects.js';
import { crossFieldProblem } from './stream-rules.js';
import { validateStreamName } from './subjects.js';

export type { DefaultSource };

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

const FIELD_COUNT = STREAM_FIELDS.length;
const FIELD_NAMES: readonly string[] = STREAM_FIELDS.map((row) => row.field);
/** Declaration keys that are not config fields, numbered after the fields (the policy's in `POLICY_KEYS` order). */
const NAME = FIELD_COUNT;
const POLICY_KEYS = ['onConflict', 'allowDataLoss', 'mode', 'downstream'] as const;
const ON_CONFLICT = 0;
const ALLOW_DATA_LOSS = 1;
const MODE = 2;
const DOWNSTREAM = 3;
/** The number of the `consumers` key, after the policy's. */
const CONSUMERS = NAME + 1 + POLICY_KEYS.length;

/** The number of each key a declaration may have: config fields by table position, then name and policy. */
const DECLARATION_KEYS: ReadonlyMap<string, number> = new Map([
  ...FIELD_NAMES.map((field, i) => [field, i] as const),
  ['name', NAME],
  ...POLICY_KEYS.map((key, i) => [key, NAME + 1 + i] as const),
  ['consumers', CONSUMERS],
]);
/** What `streamDefaults` may set: the config fields a declaration need not give (not subjects, name or policy). */
const DEFAULTS_KEYS: ReadonlyMap<string, number> = new Map(
  STREAM_FIELDS.flatMap((row, i) => (row.required ? [] : [[row.field, i] as const])),
);
const REQUIRED: readonly number[] = STREAM_FIELDS.flatMap((row, i) => (row.required ? [i] : []));
const SUBJECTS = FIELD_NAMES.indexOf('subjects');
const ON_CONFLICT_VALUES: readonly ConflictPolicy[] = ['fail', 'migrate', 'recreate'];
const MODE_VALUES: readonly StreamMode[] = ['manage', 'create', 'verify'];
const DOWNSTREAM_VALUES: readonly DownstreamPolicy[] = ['refuse', 'resume'];

const OBJECT_CHECKS: ReadonlyMap<string, ConvertField> = new Map(Object.entries(STREAM_OBJECT_CHECKS));
const CONVERTERS: readonly ConvertField[] = STREAM_FIELDS.map((row) => converterFor(row, OBJECT_CHECKS.get(row.field)));
/**
 * The order declared values are checked in: kind by kind, objects in checker order, the rest in
 * table order; so the first error named never depends on the order of the keys.
 */
const RANK: readonly number[] = (() => {
  const objects = [...OBJECT_CHECKS.keys()];
  const key = (i: number) =>
    KIND_CHECK_ORDER.indexOf(STREAM_FIELDS[i].kind) * FIELD_COUNT ** 2 + objects.indexOf(FIELD_NAMES[i]) * FIELD_COUNT + i;
  const order = FIELD_NAMES.map((_field, i) => i).sort((a, b) => key(a) - key(b));
  const rank = new Array<number>(FIELD_COUNT);
  order.forEach((field, position) => (rank[field] = position));
  return rank;
})();
/** The policy's enums are checked before the config's booleans, `allowDataLoss` before its limits. */
const POLICY_ENUMS_BEFORE = Math.min(...STREAM_FIELDS.flatMap((row, i) => (row.kind === 'boolean' ? [RANK[i]] : [])));
const POLICY_FLAG_BEFORE = Math.min(...STREAM_FIELDS.flatMap((row, i) => (row.kind === 'limit' ? [RANK[i]] : [])));
/** The value of each always-present field when nothing declares it and it depends on no other field. */
const STATIC_VALUES: readonly unknown[] = STREAM_FIELDS.map((row, i) => {
  if (row.libraryDefault !== undefined) return CONVERTERS[i](row.libraryDefault, '(library defaults)');
  const primitive = typeof row.absent !== 'object';
  return row.fill === 'always' && !row.required && !row.absentIn && primitive ? row.absent : undefined;
});
/** Fields that, when nobody declares them, the server derives from other fields. */
const DERIVED: readonly number[] = STREAM_FIELDS.flatMap((row, i) => (row.fill !== 'never' && row.absentIn ? [i] : []));
/** The name, then each always-present field in table order with its static value (derived and required ones unset). */
const CONFIG_TEMPLATE: Readonly<Record<string, unknown>> = Object.fromEntries([
  ['name', ''],
  ...STREAM_FIELDS.flatMap((row, i) => (row.fill === 'always' ? [[row.field, STATIC_VALUES[i]]] : [])),
]);
/** A bit for each field a config holds only when given (or implied), in table order. */
const OPTIONAL_BITS: readonly number[] = (() => {
  let next = 0;
  const bits = STREAM_FIELDS.map((row) => (row.fill === 'always' ? 0 : 1 << next++));
  if (next > 30) throw new Error('the stream table has more optional fields than a template key can count');
  return bits;
})();
/**
 * Every config is a spread copy of the template for its set of optional fields: the cheapest way
 * V8 has to make a 20-odd-field object. A spread copy turns slow when a property is added to it,
 * so the template already holds each optional field the config will hold (unset until assigned).
 */
const templates = new Map<number, Readonly<Record<string, unknown>>>();
const MAX_TEMPLATES = 256;

function templateFor(optional: number): Readonly<Record<string, unknown>> {
  let template = templates.get(optional);
  if (!template) {
    const fields: Record<string, unknown> = Object.assign({}, CONFIG_TEMPLATE);
    STREAM_FIELDS.forEach((row, i) => {
      if (optional & OPTIONAL_BITS[i]) fields[row.field] = undefined;
    });
    template = fields;
    if (templates.size < MAX_TEMPLATES) templates.set(optional, template);
  }
  return template;
}

/**
 * Turns a declaration into the complete config the server should hold, without touching a
 * server: the library's defaults (`DEFAULT_STREAM_DEFAULTS`), then `defaults` (the module's
 * `streamDefaults`), then the declared fields (an `undefined` field does not override); durations
 * in nanoseconds; limits of 0 read as -1 (unlimited) as the server does; `duplicate_window`
 * defaulted to 2 minutes capped at `max_age` as the server does; subjects sorted. Every
 * always-present field of the server's config is filled in, so a field removed from a
 * declaration goes back to its default. Optional fields (description, placement, compression,
 * metadata, republish, subject_transform, sources, mirror, first_seq, allow_msg_ttl,
 * subject_delete_marker_ttl, consumer_limits) appear only when declared or set in `defaults`.
 * Declared `consumers` are normalised too (`normalizeConsumers`), after the stream's own fields.
 *
 * Only the own enumerable properties of `declaration` and `defaults` are read, each once: a
 * prototype (or a polluted `Object.prototype`) cannot add a field or a policy.
 *
 * @throws InvalidStreamConfigError naming the first invalid field and the bad value
 * @example
 * normalizeStreamConfig({ name: 'orders', subjects: ['orders.>'], max_age: '7d' }).config.max_age;
 * // 604_800_000_000_000
 */
export function normalizeStreamConfig(declaration: StreamDeclaration, defaults: StreamConfigInput = {}): DesiredStream {
  const input: unknown = declaration;
  if (!isRecord(input)) {
    throw new InvalidStreamConfigError(label(input), 'declaration', `must be an object with a name and subjects, got ${describe(input)}`);
  }
  // Each own key read once: config fields into (given, raws), the name and the policy apart.
  const given: number[] = [];
  const raws: unknown[] = [];
  const policy: unknown[] = [undefined, undefined, undefined, undefined]; // by POLICY_KEYS
  let name: unknown;
  let consumers: unknown;
  let unknownKey: string | undefined;
  for (const key of Object.keys(input)) {
    const number = DECLARATION_KEYS.get(key);
    if (number === undefined) {
      unknownKey ??= key;
      continue;
    }
    const value = input[key];
    if (number === NAME) name = value;
    else if (number === CONSUMERS) consumers = value;
    else if (number > NAME) policy[number - NAME - 1] = value;
    else if (value !== undefined) {
      given.push(number);
      raws.push(value);
    }
  }
  validateStreamName(name);
  const defaultsInput: unknown = defaults;
  if (!isRecord(defaultsInput)) throw new InvalidStreamConfigError(name, 'streamDefaults', `must be an object, got ${show(defaultsInput)}`);
  if (unknownKey !== undefined) throw new InvalidStreamConfigError(name, unknownKey, 'is not a stream config field; check its spelling');
  const declaredCount = given.length;
  for (const key of Object.keys(defaultsInput)) {
    const number = DEFAULTS_KEYS.get(key);
    if (number === undefined) {
      throw new InvalidStreamConfigError(name, key, 'is not a stream config field in streamDefaults; check its spelling');
    }
    const value = defaultsInput[key];
    if (value === undefined || isDeclared(given, declaredCount, number)) continue;
    given.push(number + GIVEN_BY_DEFAULTS);
    raws.push(value);
  }
  // A required field is checked (and refused) where it ranks, even when nobody gave it.
  for (const number of REQUIRED) {
    if (isDeclared(given, declaredCount, number)) continue;
    given.push(number);
    raws.push(undefined);
  }
  sortByRank(given, raws);

  let policyChecked = 0;
  let optional = 0;
  let declaredSubjects: unknown;
  for (let k = 0; k < given.length; k++) {
    const number = given[k] % GIVEN_BY_DEFAULTS;
    policyChecked = checkPolicy(policy, name, policyChecked, RANK[number]);
    if (number === SUBJECTS) declaredSubjects = raws[k];
    const value = CONVERTERS[number](raws[k], name);
    raws[k] = value;
    // A value the server reads as "unset" (a duplicate_window of 0) leaves the field to its default.
    if (value === undefined) given[k] = -1;
    else optional |= OPTIONAL_BITS[number];
  }
  checkPolicy(policy, name, policyChecked, FIELD_COUNT);

  let config: Record<string, unknown> = { ...templateFor(optional) };
  config.name = name;
  for (let k = 0; k < given.length; k++) if (given[k] >= 0) config[FIELD_NAMES[given[k] % GIVEN_BY_DEFAULTS]] = raws[k];
  // Fields nobody declared that the server derives from other fields.
  for (const i of DERIVED) {
    const row = STREAM_FIELDS[i];
    if (config[row.field] !== undefined) continue;
    const value = absentValue(row, config);
    if (row.fill === 'always') config[row.field] = value;
    else if (value === true) {
      optional |= OPTIONAL_BITS[i];
      config = { ...templateFor(optional), ...config, [row.field]: value };
    }
  }
  // Every always-present field is now set, and every given one converted by its kind.
  const desired = config as DesiredStreamConfig;

  const broken = crossFieldProblem(desired, declaredSubjects);
  if (broken) throw new InvalidStreamConfigError(name, broken[0], broken[1]);
  // Checked by checkPolicy above.
  const onConflict = (policy[ON_CONFLICT] ?? 'fail') as ConflictPolicy;
  const allowDataLoss = policy[ALLOW_DATA_LOSS] === true;
  const mode = (policy[MODE] ?? 'manage') as StreamMode;
  const downstream = (policy[DOWNSTREAM] ?? 'refuse') as DownstreamPolicy;
  if (onConflict === 'recreate' && !allowDataLoss) {
    throw new InvalidStreamConfigError(
      name,
      'onConflict',
      "is 'recreate', which deletes every message of the stream; set allowDataLoss: true to allow it",
    );
  }
  const result: DesiredStream = {
    name,
    config: desired,
    policy: { onConflict, allowDataLoss, mode, downstream },
    defaulted: new DefaultedFields(FIELD_NAMES, config, given),
  };
  if (consumers !== undefined) result.consumers = normalizeConsumers(name, consumers, desired.subjects, desired.retention);
  return result;
}

/** Whether field `number` is among the first `count` (declared) entries of `given`. */
function isDeclared(given: readonly number[], count: number, number: number): boolean {
  for (let k = 0; k < count; k++) if (given[k] === number) return true;
  return false;
}

/** Sorts the few given fields (and their raw values alongside) by check rank: an insertion sort, in place. */
function sortByRank(fields: number[], raws: unknown[]): void {
  for (let k = 1; k < fields.length; k++) {
    const field = fields[k];
    const raw = raws[k];
    const rank = RANK[field % GIVEN_BY_DEFAULTS];
    let j = k - 1;
    for (; j >= 0 && RANK[fields[j] % GIVEN_BY_DEFAULTS] > rank; j--) {
      fields[j + 1] = fields[j];
      raws[j + 1] = raws[j];
    }
    fields[j + 1] = field;
    raws[j + 1] = raw;
  }
}

/**
 * Checks the policy's enums once the check order reaches the config's booleans, and
 * `allowDataLoss` once it reaches the limits (where they always were); returns how far it got.
 */
function checkPolicy(policy: readonly unknown[], name: string, done: number, rank: number): number {
  if (done === 0 && rank >= POLICY_ENUMS_BEFORE) {
    const onConflict = policy[ON_CONFLICT] ?? 'fail';
    const mode = policy[MODE] ?? 'manage';
    if (!isOneOf(onConflict, ON_CONFLICT_VALUES)) {
      throw new InvalidStreamConfigError(name, 'onConflict', notAllowed(onConflict, ON_CONFLICT_VALUES));
    }
    if (!isOneOf(mode, MODE_VALUES)) throw new InvalidStreamConfigError(name, 'mode', notAllowed(mode, MODE_VALUES));
    const downstream = policy[DOWNSTREAM] ?? 'refuse';
    if (!isOneOf(downstream, DOWNSTREAM_VALUES)) {
      throw new InvalidStreamConfigError(name, 'downstream', notAllowed(downstream, DOWNSTREAM_VALUES));
    }
    done = 1;
  }
  if (done === 1 && rank >= POLICY_FLAG_BEFORE) {
    const allowDataLoss = policy[ALLOW_DATA_LOSS];
    if (allowDataLoss !== undefined && typeof allowDataLoss !== 'boolean') {
      throw new InvalidStreamConfigError(name, 'allowDataLoss', `must be true or false, got ${show(allowDataLoss)}`);
    }
    done = 2;
  }
  return done;
}

/** What a non-object declaration is, for the error. */
function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array ${show(value)}`;
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function') return 'a function';
  return `the ${typeof value} ${show(value)}`;
}

/** The "stream" an error about a non-object declaration names. */
function label(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return '(array)';
  return typeof value === 'object' || typeof value === 'function' ? `(${typeof value})` : String(value);
}
