import { InvalidStreamConfigError } from '../errors/invalid-stream-config.error.js';
import { durationNanos } from './duration.js';
import type { FieldRow } from './field-table.js';
import { isOneOf, notAllowed, show } from '../checks/values.js';
import { checkSubjects } from './subjects.js';

/** Checks one declared value and returns its server form; throws `InvalidStreamConfigError` naming the field. */
export type ConvertField = (value: unknown, stream: string) => unknown;

/**
 * The checker that turns a declared value of `row` into the server's form, by the row's kind:
 * enums and booleans as they are, limits with 0 read as -1, durations in nanoseconds, subjects
 * checked and sorted, objects by `objectCheck` (required for kind `object`).
 */
export function converterFor<Config>(row: FieldRow<Config>, objectCheck?: ConvertField): ConvertField {
  const { field } = row;
  const bad = (stream: string, reason: string): never => {
    throw new InvalidStreamConfigError(stream, field, reason);
  };
  const min = row.min ?? 0;
  const max = row.max ?? Number.MAX_SAFE_INTEGER;
  // The server's own reading of a value (limits: 0 is -1; duplicate_window: 0 is its default).
  const normalize = row.normalize ?? ((value: unknown) => value);
  switch (row.kind) {
    case 'enum': {
      const allowed = row.values ?? [];
      return (value, stream) => (isOneOf(value, allowed) ? value : bad(stream, notAllowed(value, allowed)));
    }
    case 'boolean':
      return (value, stream) => (typeof value === 'boolean' ? value : bad(stream, `must be true or false, got ${show(value)}`));
    case 'limit':
      return (value, stream) =>
        typeof value === 'number' && Number.isInteger(value) && value >= -1 && value <= max
          ? normalize(value)
          : bad(stream, `must be a whole number from -1 (unlimited) to ${max}, got ${show(value)}`);
    case 'int': {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
      return (value, stream) =>
        Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max
          ? value
          : bad(stream, `must be a whole number ${range}, got ${show(value)}`);
    }
    case 'duration':
      return (value, stream) => normalize(durationNanos(value, min, (reason) => bad(stream, reason)));
    case 'string':
      return (value, stream) => {
        if (typeof value !== 'string') return bad(stream, `must be a string, got ${show(value)}`);
        // A UTF-16 unit is at most 3 UTF-8 bytes: short strings need no count.
        const bytes = value.length * 3 <= max ? 0 : Buffer.byteLength(value, 'utf8');
        return bytes > max ? bad(stream, `is ${bytes} bytes long; the maximum is ${max}`) : value;
      };
    case 'subjects':
      return checkSubjects;
    case 'object':
      if (!objectCheck) throw new Error(`field ${field} holds an object but has no checker`);
      return objectCheck;
  }
}
