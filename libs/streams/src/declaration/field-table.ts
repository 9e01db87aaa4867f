import type { FieldConflict } from '../errors/stream-config-conflict.error.js';
import type { ServerVersion } from '../server/server-version.js';

/**
 * The machinery behind a table of server config fields: one entry per field says how a declared
 * value is checked, what the server holds when the field is absent, how a value is compared and
 * whether a change can be applied in place. The stream table (`stream-fields.ts`) is one such table;
 * consumer and key-value tables reuse this file.
 */

/**
 * How a declared value is checked and converted to the server's form:
 * `enum` (one of `values`), `boolean`, `limit` (whole number from -1 to `max`, 0 read as -1),
 * `int` (whole number from `min` to `max`), `duration` (a `Duration` to nanoseconds, at least `min`
 * unless 0), `string` (at most `max` UTF-8 bytes), `subjects` (a list of subjects) and `object`
 * (checked by a field-specific function of the normaliser).
 */
export type FieldKind = 'enum' | 'boolean' | 'limit' | 'int' | 'duration' | 'string' | 'subjects' | 'object';

/**
 * When a normalised config holds a field that nothing declared: `'always'` (with the value the
 * server uses when it is absent, so a field removed from a declaration returns to it), `'never'`,
 * or `'if-true'` (a flag that the server turns on because of another field).
 */
export type FieldFill = 'always' | 'never' | 'if-true';

/** One field of a server config: how it is declared, defaulted, compared and changed. */
export interface FieldSpec<Config> {
  /** How a declared value is checked and converted. */
  readonly kind: FieldKind;
  /** For `enum`: the allowed values. */
  readonly values?: readonly string[];
  /** For `int`: the smallest value; for `duration`: the server's minimum in nanoseconds (0 is always allowed). */
  readonly min?: number;
  /** For `limit` and `int`: the largest value; for `string`: the largest size in UTF-8 bytes. */
  readonly max?: number;
  /** The declaration must give the field (its checker runs even when it is absent). */
  readonly required?: boolean;
  /** The library's default, in declared form, applied under the module's defaults and the declaration. */
  readonly libraryDefault?: string | number | boolean;
  /** Whether a normalised config holds the field when nothing declared it. */
  readonly fill: FieldFill;
  /** The value the server holds when the field is absent. */
  readonly absent?: string | number | boolean | readonly string[];
  /** The value the server holds when the field is absent, when it depends on the rest of the config. */
  readonly absentIn?: (config: Partial<Config>) => unknown;
  /**
   * Maps a value (declared, in server units, or reported by the server) to its comparable form:
   * server fill-ins and ordering removed. `undefined` means "absent" (then `absent` applies).
   */
  readonly normalize?: (value: unknown) => unknown;
  /** Why `current -> desired` (comparable forms) cannot be applied in place on `version`, or undefined if it can. */
  readonly immutable?: (current: unknown, desired: unknown, version: ServerVersion) => string | undefined;
  /** The first server version that knows the field; older servers ignore or refuse it. */
  readonly since?: string;
  /**
   * The first server version that knows a value (server form) of a field that older servers know
   * with fewer values, e.g. a newer enum value; undefined when `since` says all.
   */
  readonly valueSince?: (value: unknown) => string | undefined;
  /** The field only applies when the object is created; an update never sends the declared value. */
  readonly createOnly?: boolean;
}

/** A table entry with its field name, in table order. */
export interface FieldRow<Config, Field extends keyof Config & string = keyof Config & string> extends FieldSpec<Config> {
  /** The field, as the server spells it. */
  readonly field: Field;
}

/** One field whose value on the server differs from the declaration (both in comparable form). */
export interface FieldChange {
  /** The config field, e.g. `max_age`. */
  field: string;
  /** The value on the server (`undefined`: unset). */
  current: unknown;
  /** The value the declaration asks for (`undefined`: unset). */
  desired: unknown;
}

/** Desired vs actual, field by field. */
export interface FieldDiff {
  /** Every differing field (conflicting ones included), in table order. */
  changes: FieldChange[];
  /** The differing fields the server cannot change in place. */
  conflicts: FieldConflict[];
}

/** Turns a table keyed by field into its rows, in table order (done once per table). */
export function fieldRows<Config, Field extends keyof Config & string>(table: {
  readonly [K in Field]: FieldSpec<Config>;
}): readonly FieldRow<Config, Field>[] {
  return Object.freeze((Object.keys(table) as Field[]).map((field) => Object.freeze({ field, ...table[field] })));
}

/** Whether `version` knows the row's field (older servers ignore or refuse it). */
export function knows<Config>(row: FieldSpec<Config>, version: ServerVersion): boolean {
  return row.since === undefined || version.atLeast(row.since);
}

/** The value the server holds when the row's field is absent from `config`. */
export function absentValue<Config>(row: FieldSpec<Config>, config: Partial<Config>): unknown {
  return row.absentIn ? row.absentIn(config) : row.absent;
}

/** A value in comparable form: normalised, and the server's value when absent. */
export function comparable<Config>(row: FieldSpec<Config>, value: unknown, config: Partial<Config>): unknown {
  const normalized = row.normalize && value !== undefined ? row.normalize(value) : value;
  return normalized === undefined ? absentValue(row, config) : normalized;
}

/**
 * Compares a desired config with the config the server reports, row by row. A field the server
 * does not know is skipped unless the declaration sets it (then it shows as a change).
 */
export function diffFields<Config>(
  rows: readonly FieldRow<Config>[],
  desired: Partial<Config>,
  actual: Partial<Config>,
  version: ServerVersion,
): FieldDiff {
  const changes: FieldChange[] = [];
  const conflicts: FieldConflict[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const wanted = desired[row.field];
    if (wanted === undefined && !knows(row, version)) continue;
    // A field that only applies at create (first_seq) is compared only when declared.
    if (row.createOnly && wanted === undefined) continue;
    const current = actual[row.field];
    // The common case, one value on both sides, needs no normalising (unless "absent" depends on the config).
    if (current === wanted && (wanted !== undefined || !row.absentIn)) continue;
    const currentValue = comparable(row, current, actual);
    const desiredValue = comparable(row, wanted, desired);
    if (sameValue(currentValue, desiredValue)) continue;
    changes.push({ field: row.field, current: currentValue, desired: desiredValue });
    const reason = row.immutable?.(currentValue, desiredValue, version);
    if (reason) conflicts.push({ field: row.field, current: currentValue, desired: desiredValue, reason });
  }
  return { changes, conflicts };
}

/**
 * Deep equality of JSON-like values, ignoring object key order and keys whose value is undefined.
 * Allocates nothing.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  let count = 0;
  for (const key in left) {
    if (!Object.hasOwn(left, key) || left[key] === undefined) continue;
    if (!Object.hasOwn(right, key) || !sameValue(left[key], right[key])) return false;
    count++;
  }
  for (const key in right) if (Object.hasOwn(right, key) && right[key] !== undefined) count--;
  return count === 0;
}

// ---------------------------------------------------------------------------------------------
// Normalisers shared by tables

/** Limits: the server reads 0 as -1 (unlimited). */
export function unlimitedIfZero(value: unknown): unknown {
  return value === 0 ? -1 : value;
}

/** Durations and sequences where 0 means "not set". */
export function zeroIsUnset(value: unknown): unknown {
  return value === 0 ? undefined : value;
}

/** A list whose order means nothing: sorted (a copy only when it is not sorted already). */
export function sortedStrings(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  for (let i = 1; i < value.length; i++) if (value[i - 1] > value[i]) return [...value].sort();
  return value;
}

/** An empty object or null reads as unset. */
export function emptyIsUnset(value: unknown): unknown {
  if (value === null) return undefined;
  if (typeof value === 'object') {
    for (const key in value) if (Object.hasOwn(value, key)) return value;
    return undefined;
  }
  return value;
}

/** A flag that can be turned on in place but never off again. */
export function turnsOnOnly(what: string): FieldSpec<unknown>['immutable'] {
  return (current, desired) => (current === true && desired !== true ? `${what} cannot be turned off once on` : undefined);
}
