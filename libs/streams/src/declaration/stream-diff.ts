import { absentValue, comparable, diffFields, knows, sameValue, type FieldChange, type FieldDiff } from './field-table.js';
import type { ServerStreamConfig } from '../server/server-stream.js';
import type { ServerVersion } from '../server/server-version.js';
import { metadataForUpdate } from './server-metadata.js';
import { STREAM_FIELDS, type DesiredStreamConfig } from './stream-fields.js';

export type { FieldChange };

/** A field the declaration sets but the running server does not support. */
export interface UnsupportedField {
  /** The config field, e.g. `compression`. */
  field: string;
  /** The declared value (server units). */
  desired: unknown;
  /** The first nats-server version that supports it. */
  minVersion: string;
}

/** Desired vs actual, field by field: every differing field, and those the server cannot change in place. */
export type StreamDiff = FieldDiff;

/**
 * Compares a complete desired config with the config the server reports, field by field over the
 * stream table, ignoring what the server fills in (limits of 0, its duplicate window, its `_nats.*`
 * metadata, empty placement, subject and source order). A field the server does not know is
 * compared only when the declaration sets it.
 */
export function diffStreamConfig(desired: DesiredStreamConfig, actual: ServerStreamConfig, version: ServerVersion): StreamDiff {
  return diffFields(STREAM_FIELDS, desired, actual, version);
}

/** The declared fields the running server does not know (it would ignore or refuse them). */
export function unsupportedFields(desired: DesiredStreamConfig, version: ServerVersion): UnsupportedField[] {
  const unsupported: UnsupportedField[] = [];
  for (let i = 0; i < STREAM_FIELDS.length; i++) {
    const row = STREAM_FIELDS[i];
    const value = desired[row.field];
    const known = knows(row, version);
    const since = known ? row.valueSince?.(value) : row.since;
    if (since === undefined || version.atLeast(since)) continue;
    // A declared value equal to the server's default asks for nothing an old server lacks.
    if (sameValue(comparable(row, value, desired), absentValue(row, desired))) continue;
    unsupported.push({ field: row.field, desired: value, minVersion: since });
  }
  return unsupported;
}

/** The config to send in a create: the declaration without the fields the server does not know. */
export function createRequest(desired: DesiredStreamConfig, version: ServerVersion): ServerStreamConfig {
  const request: ServerStreamConfig = { ...desired };
  for (let i = 0; i < STREAM_FIELDS.length; i++) if (!knows(STREAM_FIELDS[i], version)) omit(request, STREAM_FIELDS[i].field);
  return request;
}

/**
 * The config to send in an update: the server's current config (so fields this library does not
 * manage keep their values) overlaid with every managed field of the declaration; a managed field
 * the declaration leaves out is removed. Fields the server does not know are left out, the
 * server's own `_nats.*` metadata is sent back as it is (so none is removed), and the declared `first_seq` never is (it only
 * applies at create; the server's own value is passed back as it is).
 */
export function updateRequest(desired: DesiredStreamConfig, actual: ServerStreamConfig, version: ServerVersion): ServerStreamConfig {
  const declared: Partial<ServerStreamConfig> = desired;
  const request: ServerStreamConfig = { ...actual };
  for (let i = 0; i < STREAM_FIELDS.length; i++) {
    const { field, createOnly } = STREAM_FIELDS[i];
    if (!knows(STREAM_FIELDS[i], version)) omit(request, field);
    else if (createOnly) continue;
    else if (field === 'metadata') request.metadata = metadataForUpdate(desired.metadata, actual.metadata);
    else copy(request, declared, field);
    if (request[field] === undefined) omit(request, field);
  }
  return request;
}

function copy<T, K extends keyof T>(target: Partial<T>, source: Partial<T>, key: K): void {
  target[key] = source[key];
}

function omit<T, K extends keyof T>(target: Partial<T>, key: K): void {
  delete target[key];
}
