import type { ServerStreamConfig, ServerStreamInfo } from '../server/server-stream.js';
import type { StreamRequestConfig } from '../jetstream/api-types.js';
import { userMetadata } from '../declaration/server-metadata.js';
import type { MigrationRun } from './migration-run.js';

/** The smallest duplicate window nats-server accepts (it refuses less than 100ms). */
const MIN_DUPLICATE_WINDOW_NS = 100_000_000;

/** Servers before this version hold back (never drop) a sourced copy taken for a duplicate. */
const HOLDS_DUPLICATES_BEFORE = '2.11.0';

/**
 * Creates a stream that fills by sourcing another (the copy, or the new stream), so that it
 * takes every message, with the shortest duplicate window: nats-server 2.9 and 2.10 hold back a
 * copy of a message whose `Nats-Msg-Id` another copy had within the window, and retry it about
 * every 2 s, so they get the 100ms minimum (one pause per such pair); 2.15 drops such a copy, but
 * keeps no window at all for a sourcing stream created without one, so none is given (and a
 * window it sets anyway is cut to the minimum at once).
 */
export async function createSourcing(run: MigrationRun, config: StreamRequestConfig): Promise<ServerStreamInfo> {
  const { duplicate_window: _window, ...rest } = config;
  if (!run.spec.version.atLeast(HOLDS_DUPLICATES_BEFORE)) {
    return run.api.createStream({ ...rest, duplicate_window: MIN_DUPLICATE_WINDOW_NS }, run.caller);
  }
  const info = await run.api.createStream(rest, run.caller);
  if ((info.config.duplicate_window ?? 0) <= MIN_DUPLICATE_WINDOW_NS) return info;
  return run.api.updateStream({ ...info.config, duplicate_window: MIN_DUPLICATE_WINDOW_NS }, run.caller);
}

/**
 * The config the new stream is created with, capturing only the hold subject and sourcing the
 * copy: the config it is built with, less what would make it drop or refuse a copy while it
 * fills (a duplicate window, a `max_msg_size` below a message plus its source header, `sealed`)
 * or republish every copy; {@link openConfig} gives those back once it holds every copy.
 * `firstSeq` numbers the copies so that the last keeps the original's last sequence.
 */
export function fillConfig(config: StreamRequestConfig, hold: string, copy: string, firstSeq: number | undefined): StreamRequestConfig {
  const { duplicate_window: _window, max_msg_size: _size, republish: _republish, sealed: _sealed, ...rest } = config;
  const numbered = rest.first_seq === undefined && firstSeq !== undefined ? { first_seq: firstSeq } : {};
  return { ...rest, ...numbered, subjects: [hold], sources: [{ name: copy }] };
}

/** The update that opens a filled stream: its subjects, and the fields {@link fillConfig} left out. */
export function openConfig(current: ServerStreamConfig, config: StreamRequestConfig): StreamRequestConfig {
  const open: StreamRequestConfig = {
    ...current,
    subjects: config.subjects,
    duplicate_window: config.duplicate_window ?? 0,
    max_msg_size: config.max_msg_size ?? -1,
    sealed: config.sealed ?? false,
  };
  if (config.republish) open.republish = config.republish;
  return open;
}

/** A stream's config as a create request: the server's own `_nats.*` metadata left out. */
export function requestOf(config: ServerStreamConfig): StreamRequestConfig {
  const { metadata, ...rest } = config;
  const own = userMetadata(metadata);
  return own ? { ...rest, metadata: own } : rest;
}
