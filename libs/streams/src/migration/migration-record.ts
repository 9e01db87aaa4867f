import type { StreamRequestConfig } from '../jetstream/api-types.js';

/** What a migration is doing, as its record says (for people, plans, health and logs). */
export type MigrationPhase =
  /** The temporary copy sources the original, which captures only its hold subject. */
  | 'copying'
  /** The copy holds every message and the consumers' positions; the original is deleted and created anew. */
  | 'swapping'
  /** The new stream sources the copy. */
  | 'filling'
  /** The new stream has its subjects back; its consumers are being placed. */
  | 'placing'
  /** The copy is being deleted and the new stream stops sourcing it. */
  | 'finishing';

/**
 * Which config the stream is built with from the copy: the migration's `target`, or, after the
 * new stream could not hold every copy, the `original` one (a rollback once the original is gone).
 */
export type MigrationDirection = 'forward' | 'back';

/**
 * A migration in progress, as kept in the library's key-value bucket under {@link recordKey}: who
 * owns it, and everything an instance that takes it over needs to finish the migration that was
 * started rather than its own (the complete target config, and the original's for a rollback). It
 * is written only with a compare-and-set on its revision, so two instances that both find the
 * owner gone cannot both take it over.
 */
export interface MigrationRecord {
  /** The stream being migrated. */
  stream: string;
  /** The migration's id, the same in the marker of its copy. */
  id: string;
  /** The run (one instance's connection) acting on it; others wait while it is there. */
  owner: string;
  phase: MigrationPhase;
  /** The subject the original captures while it is copied. */
  hold: string;
  /** The original's subjects. */
  subjects: string[];
  /** The create request of the new stream (the declaration of the instance that started it). */
  target: StreamRequestConfig;
  /** Hash of `target` ({@link targetHash}): instances declaring another target roll back while they can. */
  targetHash: string;
  /** The original's config, to build the stream again from the copy if the target cannot hold it. */
  original: StreamRequestConfig;
  direction: MigrationDirection;
  /** Why the migration goes `back`. */
  reason?: string;
  /** The new stream's `first_seq`: its copies end at the original's last sequence (2.10+). */
  firstSeq?: number;
  /** Whether the server answered `CONSUMER.RESET` (probed once per migration; unset until then). */
  reset?: boolean;
}

const RECORD_KIND = 'nestjs-jetstream-streams/migration';
const PHASES: readonly MigrationPhase[] = ['copying', 'swapping', 'filling', 'placing', 'finishing'];
const PLAIN_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * The key of a stream's migration record: `migration.<name>` for names of letters, digits, `-`
 * and `_`, else `migration.=<name as base64url>` (a key allows fewer characters than a stream name).
 */
export function recordKey(stream: string): string {
  return PLAIN_NAME.test(stream) ? `migration.${stream}` : `migration.=${Buffer.from(stream, 'utf8').toString('base64url')}`;
}

/** The record as stored (JSON with its kind). */
export function encodeRecord(record: MigrationRecord): Record<string, unknown> {
  return { kind: RECORD_KIND, ...record };
}

/** A stored value as a record of `stream`; undefined when it is none (another kind, damaged, another stream). */
export function decodeRecord(value: unknown, stream: string): MigrationRecord | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const valid =
    v.kind === RECORD_KIND &&
    v.stream === stream &&
    typeof v.id === 'string' &&
    typeof v.owner === 'string' &&
    PHASES.includes(v.phase as MigrationPhase) &&
    typeof v.hold === 'string' &&
    Array.isArray(v.subjects) &&
    v.subjects.every((s) => typeof s === 'string') &&
    isConfig(v.target) &&
    typeof v.targetHash === 'string' &&
    isConfig(v.original) &&
    (v.direction === 'forward' || v.direction === 'back') &&
    (v.reason === undefined || typeof v.reason === 'string') &&
    (v.firstSeq === undefined || Number.isSafeInteger(v.firstSeq)) &&
    (v.reset === undefined || typeof v.reset === 'boolean');
  if (!valid) return undefined;
  const { kind: _kind, ...record } = v;
  return record as unknown as MigrationRecord;
}

/** The config the stream is built with from the copy: the target, or the original's going back. */
export function buildConfig(record: MigrationRecord): StreamRequestConfig {
  return record.direction === 'back' ? record.original : record.target;
}

function isConfig(value: unknown): value is StreamRequestConfig {
  return typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string';
}
