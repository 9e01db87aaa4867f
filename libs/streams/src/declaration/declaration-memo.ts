/**
 * A plain copy of a record: its own enumerable keys and their values (copied too), in order.
 * Kept as two arrays rather than an object so that comparing with it never enumerates or hashes
 * the copy.
 */
class RecordCopy {
  constructor(
    readonly keys: string[],
    readonly values: unknown[],
  ) {}

  /** The record it copies, rebuilt (own data properties, whatever the keys). */
  toRecord(): Record<string, unknown> {
    return Object.fromEntries(this.keys.map((key, i) => [key, rebuild(this.values[i])]));
  }
}

/**
 * The parts of a declaration a memo keeps: plain copies of its subjects and of its other fields
 * (every own enumerable key but `name` and `subjects`).
 */
export interface DeclarationCopy {
  readonly subjects: unknown;
  readonly fields: RecordCopy;
}

/** Deeper than any declaration: a value nested further is not remembered (and a cycle ends). */
const MAX_DEPTH = 16;
const NOT_PLAIN: unique symbol = Symbol('not plain data');

/**
 * Plain copies of a declaration's subjects and fields, or undefined when they hold something other
 * than plain data (a function, a class instance such as a Date or a Map): such a declaration is
 * normalised every time, never remembered.
 */
export function copyDeclaration(subjects: unknown, fields: object): DeclarationCopy | undefined {
  const subjectsCopy = copyPlain(subjects, 0);
  if (subjectsCopy === NOT_PLAIN) return undefined;
  const keys: string[] = [];
  const values: unknown[] = [];
  for (const key of Object.keys(fields)) {
    if (key === 'name' || key === 'subjects') continue;
    const value = copyPlain((fields as Record<string, unknown>)[key], 1);
    if (value === NOT_PLAIN) return undefined;
    keys.push(key);
    values.push(value);
  }
  return { subjects: subjectsCopy, fields: new RecordCopy(keys, values) };
}

/**
 * The declaration a copy stands for, to normalise: its fields, `name` and `subjects`, rebuilt as
 * new objects. Normalising this (not the caller's object) makes what is remembered exactly what
 * was checked.
 */
export function declarationOf(name: string, copy: DeclarationCopy): Record<string, unknown> {
  return { ...copy.fields.toRecord(), name, subjects: rebuild(copy.subjects) };
}

/**
 * Declarations normalised before, by stream name, each with what it was turned into: an equal
 * declaration (same subjects, same fields, compared by value, key order aside) finds it again
 * without normalising. Comparing allocates nothing, so a hit costs far less than normalising or a
 * JSON key. One entry per name (a new declaration of a name replaces the old); past `limit`
 * names the memo starts over (a bound, not an LRU).
 */
export class DeclarationMemo<T> {
  private readonly entries = new Map<string, { copy: DeclarationCopy; value: T }>();

  /** @param limit names remembered at once */
  constructor(private readonly limit: number) {}

  /** What was remembered for an equal declaration of `name`, or undefined. */
  get(name: string, subjects: unknown, fields: object): T | undefined {
    const entry = this.entries.get(name);
    if (
      !entry ||
      !samePlain(subjects, entry.copy.subjects, 0) ||
      !sameRecord(fields as Record<string, unknown>, entry.copy.fields, 0, true)
    )
      return undefined;
    return entry.value;
  }

  /** Remembers `value` for the declaration `copy` stands for. */
  set(name: string, copy: DeclarationCopy, value: T): void {
    if (this.entries.size >= this.limit && !this.entries.has(name)) this.entries.clear();
    this.entries.set(name, { copy, value });
  }

  /** Forgets everything. */
  clear(): void {
    this.entries.clear();
  }

  /** Names remembered. */
  get size(): number {
    return this.entries.size;
  }
}

function copyPlain(value: unknown, depth: number): unknown {
  if (typeof value === 'function') return NOT_PLAIN;
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DEPTH) return NOT_PLAIN;
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = copyPlain(value[i], depth + 1);
      if (item === NOT_PLAIN) return NOT_PLAIN;
      copy[i] = item;
    }
    return copy;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
  const keys = Object.keys(value);
  const values = new Array<unknown>(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const item = copyPlain((value as Record<string, unknown>)[keys[i]], depth + 1);
    if (item === NOT_PLAIN) return NOT_PLAIN;
    values[i] = item;
  }
  return new RecordCopy(keys, values);
}

/** A copied value as a new plain value (arrays and records rebuilt). */
function rebuild(copy: unknown): unknown {
  if (copy instanceof RecordCopy) return copy.toRecord();
  return Array.isArray(copy) ? copy.map(rebuild) : copy;
}

/** Whether `value` equals a copy made by `copyPlain`, following the copy's shape. */
function samePlain(value: unknown, copy: unknown, depth: number): boolean {
  if (typeof copy !== 'object' || copy === null) return Object.is(value, copy);
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return false;
  if (copy instanceof RecordCopy) {
    if (Array.isArray(value)) return false;
    const proto: unknown = Object.getPrototypeOf(value);
    return (proto === Object.prototype || proto === null) && sameRecord(value as Record<string, unknown>, copy, depth, false);
  }
  const list = copy as unknown[];
  if (!Array.isArray(value) || value.length !== list.length) return false;
  for (let i = 0; i < list.length; i++) if (!samePlain(value[i], list[i], depth + 1)) return false;
  return true;
}

/**
 * Whether the own enumerable keys of `record` are those of `copy`, in any order, with equal
 * values; at the top of a declaration (`fields`), `name` and `subjects` are left out.
 */
function sameRecord(record: Record<string, unknown>, copy: RecordCopy, depth: number, fields: boolean): boolean {
  const { keys, values } = copy;
  let count = 0;
  for (const key in record) {
    if (!Object.hasOwn(record, key) || (fields && (key === 'name' || key === 'subjects'))) continue;
    // Keys usually come in the copy's order: look there first.
    const at = keys[count] === key ? count : keys.indexOf(key);
    if (at === -1 || !samePlain(record[key], values[at], depth + 1)) return false;
    count++;
  }
  return count === keys.length;
}
