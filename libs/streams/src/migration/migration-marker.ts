import { createHash } from 'node:crypto';
import type { ServerStreamConfig } from '../server/server-stream.js';
import type { StreamRequestConfig } from '../jetstream/api-types.js';

/**
 * The mark of a migration on its temporary copy (`<name>__migrating`), as the JSON description of
 * the copy, written once when the copy is created: it tells that the copy is this library's and
 * which migration it belongs to (its record, in the library's key-value bucket, says the rest). An
 * instance that cannot read the bucket still tells a migration in progress from drift by it. At
 * most 4096 bytes (the server's limit for a description, 2.9 too).
 */
export interface MigrationMarker {
  /** The stream being migrated. */
  stream: string;
  /** The migration's id, the same in its record. */
  id: string;
  /** The subject the original captures while it is copied (so publishes fail instead of being lost). */
  hold: string;
  /** The original's subjects. */
  subjects: string[];
}

/** The description limit of a stream or consumer, in bytes (nats-server `JSMaxDescriptionLen`). */
export const MAX_DESCRIPTION_BYTES = 4096;

const MARKER_KIND = 'nestjs-jetstream-streams/migration';
const COPY_SUFFIX = '__migrating';
const HOLD_PREFIX = '_migrating';

/** Name of the temporary stream that holds the messages during a migration of `name`. */
export function migrationStreamName(name: string): string {
  return `${name}${COPY_SUFFIX}`;
}

/** The stream whose migration `name` is the temporary copy of, or undefined for any other stream. */
export function migratingCopyOf(name: string): string | undefined {
  return name.endsWith(COPY_SUFFIX) && name.length > COPY_SUFFIX.length ? name.slice(0, -COPY_SUFFIX.length) : undefined;
}

/** The subject the original captures while it is copied: nobody publishes to it. */
export function holdSubject(stream: string, id: string): string {
  return `${HOLD_PREFIX}.${stream}.${id}`;
}

/** Whether the stream captures only a migration's hold subject (its publishes are refused). */
export function isHeld(config: Pick<ServerStreamConfig, 'name' | 'subjects'>): boolean {
  const subjects = config.subjects ?? [];
  return subjects.length > 0 && subjects.every((s) => s.startsWith(`${HOLD_PREFIX}.${config.name}.`));
}

/** Whether the stream sources its migration's temporary copy (it is the new stream, not yet finished). */
export function sourcesCopy(config: Pick<ServerStreamConfig, 'name' | 'sources'>): boolean {
  const copy = migrationStreamName(config.name);
  return (config.sources ?? []).some((s) => s.name === copy);
}

/** The marker as a description; undefined when it does not fit in {@link MAX_DESCRIPTION_BYTES}. */
export function encodeMarker(marker: MigrationMarker): string | undefined {
  const text = JSON.stringify({ kind: MARKER_KIND, stream: marker.stream, id: marker.id, hold: marker.hold, subjects: marker.subjects });
  return Buffer.byteLength(text) <= MAX_DESCRIPTION_BYTES ? text : undefined;
}

/** The marker in a temporary copy's description; undefined when it holds none (or a damaged one). */
export function decodeMarker(description: string | undefined): MigrationMarker | undefined {
  if (!description?.startsWith('{')) return undefined;
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(description) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const { kind, stream, id, hold, subjects } = value;
  const valid =
    kind === MARKER_KIND &&
    typeof stream === 'string' &&
    typeof id === 'string' &&
    typeof hold === 'string' &&
    Array.isArray(subjects) &&
    subjects.every((s) => typeof s === 'string');
  return valid ? { stream, id, hold, subjects: subjects as string[] } : undefined;
}

/**
 * A short, stable fingerprint of a target config (key order does not matter), so that instances
 * can tell whether they declare the same target as the migration in progress.
 */
export function targetHash(config: StreamRequestConfig): string {
  return createHash('sha256').update(stableJson(config)).digest('hex').slice(0, 16);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
