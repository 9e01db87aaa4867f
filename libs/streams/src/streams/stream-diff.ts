import type { StreamConfig } from 'nats';
import type { FieldConflict } from '../errors/stream-config-conflict.error.js';
import { ServerVersion } from './server-version.js';

/** One field whose value on the server differs from the declaration. */
export interface FieldChange {
  field: string;
  current: unknown;
  desired: unknown;
}

/** A field the declaration sets but the running server does not support. */
export interface UnsupportedField {
  field: string;
  desired: unknown;
  /** The first nats-server version that supports it. */
  minVersion: string;
}

/** Desired vs actual, field by field. */
export interface StreamDiff {
  /** Every differing field (conflicting ones included). */
  changes: FieldChange[];
  /** The differing fields the server cannot change in place. */
  conflicts: FieldConflict[];
}

type Config = Partial<StreamConfig> & Record<string, unknown>;
/** A config as the callers hold it (the server's answer or a desired config). */
type AnyConfig = object;

interface FieldRule {
  /** The value the server uses when the field is absent (may depend on the rest of the config). */
  absent?: unknown | ((config: Config) => unknown);
  /** Maps a value to the comparable form (server fill-ins and ordering removed). */
  normalize?: (value: unknown) => unknown;
  /** Why `current -> desired` cannot be applied in place on `version`, or undefined if it can. */
  immutable?: (current: unknown, desired: unknown, version: ServerVersion) => string | undefined;
  /** First server version that knows the field. */
  since?: string;
}

const limit = (v: unknown): unknown => (v === 0 || v === undefined ? -1 : v);
const sorted = (v: unknown): unknown => (Array.isArray(v) ? [...v].sort() : v);
const neverOff = (what: string) => (current: unknown, desired: unknown) =>
  current === true && desired !== true ? `${what} cannot be turned off once on` : undefined;

/** The fields this library manages, and how each is compared and changed. */
export const FIELD_RULES: Readonly<Record<string, FieldRule>> = {
  subjects: { absent: [], normalize: sorted },
  description: { absent: '', normalize: (v) => v ?? '' },
  retention: {
    absent: 'limits',
    immutable: (current, desired, version) => {
      if (current === 'workqueue' || desired === 'workqueue') return 'retention cannot change to or from workqueue';
      return version.atLeast('2.10.0') ? undefined : `nats-server ${version} cannot change retention (2.10+ can)`;
    },
  },
  storage: { absent: 'file', immutable: () => 'the server cannot change the storage type of a stream' },
  num_replicas: { absent: 1 },
  max_consumers: {
    absent: -1,
    normalize: limit,
    immutable: (_c, _d, version) =>
      version.atLeast('2.10.0') ? undefined : `nats-server ${version} cannot change max_consumers (2.10+ can)`,
  },
  max_msgs: { absent: -1, normalize: limit },
  max_bytes: { absent: -1, normalize: limit },
  max_age: { absent: 0 },
  max_msgs_per_subject: { absent: -1, normalize: limit },
  max_msg_size: { absent: -1, normalize: limit },
  discard: { absent: 'old' },
  discard_new_per_subject: { absent: false },
  // The server sets no duplicate window on a mirror, and 2 minutes elsewhere.
  duplicate_window: { absent: (config: Config) => (config.mirror ? 0 : 120_000_000_000) },
  no_ack: { absent: false },
  allow_rollup_hdrs: { absent: false },
  allow_direct: { absent: false },
  mirror_direct: { absent: false },
  deny_delete: { absent: false, immutable: neverOff('deny_delete') },
  deny_purge: { absent: false, immutable: neverOff('deny_purge') },
  sealed: { absent: false, immutable: neverOff('sealed (a sealed stream)') },
  placement: { normalize: normalizePlacement },
  mirror: { normalize: emptyToUndefined, immutable: () => 'the mirror of a stream cannot be changed' },
  sources: { normalize: normalizeSources },
  republish: { normalize: emptyToUndefined },
  subject_transform: { normalize: normalizeTransform, since: '2.10.0' },
  compression: { absent: 'none', since: '2.10.0' },
  metadata: { normalize: userMetadata, since: '2.10.0' },
  consumer_limits: { normalize: emptyToUndefined, since: '2.10.0' },
  first_seq: {
    normalize: (v) => (v === 0 ? undefined : v),
    immutable: () => 'first_seq only applies when a stream is created',
    since: '2.10.0',
  },
  allow_msg_ttl: { absent: false, immutable: neverOff('allow_msg_ttl'), since: '2.11.0' },
  subject_delete_marker_ttl: { absent: 0, since: '2.11.0' },
};

const RULES = Object.entries(FIELD_RULES);

/** Compares a complete desired config with the config the server reports, field by field. */
export function diffStreamConfig(desiredConfig: AnyConfig, actualConfig: AnyConfig, version: ServerVersion): StreamDiff {
  const desired = desiredConfig as Config;
  const actual = actualConfig as Config;
  const changes: FieldChange[] = [];
  const conflicts: FieldConflict[] = [];
  for (const [field, rule] of RULES) {
    if (rule.since && !version.atLeast(rule.since) && desired[field] === undefined) continue;
    const current = comparable(rule, actual[field], actual);
    const wanted = comparable(rule, desired[field], desired);
    if (equal(current, wanted)) continue;
    changes.push({ field, current, desired: wanted });
    const reason = rule.immutable?.(current, wanted, version);
    if (reason) conflicts.push({ field, current, desired: wanted, reason });
  }
  return { changes, conflicts };
}

/** The declared fields the running server does not know (it would silently ignore them). */
export function unsupportedFields(desiredConfig: AnyConfig, version: ServerVersion): UnsupportedField[] {
  const desired = desiredConfig as Config;
  return RULES
    .filter(([field, rule]) => rule.since && !version.atLeast(rule.since) && !isAbsent(rule, desired[field], desired))
    .map(([field, rule]) => ({ field, desired: desired[field], minVersion: rule.since as string }));
}

/**
 * The config to send in an update: the server's current config (so fields this library does not
 * manage keep their values) overlaid with every managed field of the declaration. Fields the
 * server does not know are left out, and the server's own `_nats.*` metadata is not sent.
 */
export function updateRequest(desiredConfig: AnyConfig, actualConfig: AnyConfig, version: ServerVersion): StreamConfig {
  const desired = desiredConfig as Config;
  const actual = actualConfig as Config;
  const request: Config = { ...actual };
  for (const [field, rule] of RULES) {
    if (rule.since && !version.atLeast(rule.since)) {
      delete request[field];
      continue;
    }
    if (field === 'first_seq') continue;
    const value = field === 'metadata' ? userMetadata(desired[field]) : desired[field];
    if (value === undefined) delete request[field];
    else request[field] = value;
  }
  return request as StreamConfig;
}

/** The config to send in a create: the declaration without fields the server does not know. */
export function createRequest(desiredConfig: AnyConfig, version: ServerVersion): StreamConfig {
  const desired = desiredConfig as Config;
  const request: Config = { ...desired };
  for (const [field, rule] of RULES) {
    if (rule.since && !version.atLeast(rule.since)) delete request[field];
  }
  return request as StreamConfig;
}

function comparable(rule: FieldRule, value: unknown, config: Config): unknown {
  const normalized = rule.normalize ? rule.normalize(value) : value;
  return normalized === undefined ? absentValue(rule, config) : normalized;
}

function absentValue(rule: FieldRule, config: Config): unknown {
  return typeof rule.absent === 'function' ? rule.absent(config) : rule.absent;
}

function isAbsent(rule: FieldRule, value: unknown, config: Config): boolean {
  return equal(comparable(rule, value, config), absentValue(rule, config));
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** Object keys sorted recursively, so key order never makes a difference. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

function emptyToUndefined(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'object' && Object.keys(value as object).length === 0) return undefined;
  return value;
}

function userMetadata(value: unknown): Record<string, string> | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const entries = Object.entries(value as Record<string, string>).filter(([k]) => !k.startsWith('_nats.'));
  return entries.length ? Object.fromEntries(entries) : undefined;
}

/** The server answers an unset transform source as `''`. */
function normalizeTransform(value: unknown): unknown {
  const t = emptyToUndefined(value) as { src?: string; dest: string } | undefined;
  return t && { src: t.src ?? '', dest: t.dest };
}

function normalizePlacement(value: unknown): unknown {
  const p = value as { cluster?: string; tags?: string[] } | undefined | null;
  if (!p || (!p.cluster && !p.tags?.length)) return undefined;
  return { ...(p.cluster ? { cluster: p.cluster } : {}), ...(p.tags?.length ? { tags: [...p.tags].sort() } : {}) };
}

function normalizeSources(value: unknown): unknown {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return [...value]
    .map((s) => emptyToUndefined(canonical(s)))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}
