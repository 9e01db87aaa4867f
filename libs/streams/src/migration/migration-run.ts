import type { Logger } from '@nestjs/common';
import { ErrCode } from '../errors/err-codes.js';
import { StreamMigrationError } from '../errors/stream-migration.error.js';
import { StreamNotFoundError } from '../errors/stream-not-found.error.js';
import { errCodeOf } from '../errors/to-streams-error.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import type { StreamRequestConfig } from '../jetstream/api-types.js';
import type { ApiCaller, JetStreamApi } from '../jetstream/jetstream-api.js';
import { sleep } from '../timers.js';
import { decodeMarker, encodeMarker, migrationStreamName, type MigrationMarker } from './migration-marker.js';
import type { CopyAt, CopyReader } from './sequence-map.js';
import { sourceOf } from './source-header.js';

/** The JetStream API calls a migration makes. */
export type MigrationApi = Pick<
  JetStreamApi,
  | 'streamInfo'
  | 'createStream'
  | 'updateStream'
  | 'deleteStream'
  | 'listConsumers'
  | 'createConsumer'
  | 'deleteConsumer'
  | 'getMessage'
  | 'resetConsumer'
  | 'resumeConsumer'
>;

/** Timing of a migration. */
export interface MigrationTiming {
  /** A wait fails when nothing moved (messages copied, phase) for this long, in ms. */
  stallMs: number;
  /** The owner rewrites its marker at least this often, in ms. */
  beatMs: number;
  /** Pause between two reads while waiting, in ms. */
  pollMs: number;
}

/**
 * Thrown inside a run when another instance took the marker over or moved the migration on (a
 * stream it needs is gone): the run goes back to deciding on a fresh read, and waits or goes on.
 */
export class SupersededError extends Error {
  constructor(stream: string) {
    super(`another instance acted on the migration of stream "${stream}"`);
  }
}

/**
 * One instance's work on one stream's migration: the names, the target, who it is, and the reads
 * and marker writes every stage shares. Every write of the copy's config goes through
 * {@link writeMarker}, which re-reads the copy first, so a write never undoes another.
 */
export class MigrationRun {
  /** The temporary copy's name. */
  readonly copyName: string;
  private lastBeat = 0;

  constructor(
    readonly api: MigrationApi,
    readonly caller: ApiCaller,
    /** The stream being migrated. */
    readonly name: string,
    /** This instance's owner id. */
    readonly me: string,
    /** The create request of the new stream. */
    readonly target: StreamRequestConfig,
    readonly targetHash: string,
    private readonly logger: Logger,
    readonly timing: MigrationTiming,
    /** The declaration allows the new stream to hold fewer messages than the original (`allowDataLoss`). */
    readonly allowLoss = false,
  ) {
    this.copyName = migrationStreamName(name);
  }

  /** Logs a step of the migration. */
  log(step: string): void {
    this.logger.log(`Migration of stream "${this.name}": ${step}`);
  }

  /** A stream's info on a fresh read, or null when it does not exist. */
  info(stream: string): Promise<ServerStreamInfo | null> {
    return readStream(this.api, stream, this.caller);
  }

  /** A stream's info that must exist at this point of the migration. */
  async mustInfo(stream: string): Promise<ServerStreamInfo> {
    const info = await this.info(stream);
    if (!info) throw new SupersededError(this.name);
    return info;
  }

  /**
   * Rewrites the copy's marker with `patch` and a new beat, after checking on a fresh read that
   * this instance still owns it. `config` changes the copy's config in the same update.
   */
  async writeMarker(
    patch: Partial<MigrationMarker>,
    config: (current: StreamRequestConfig) => StreamRequestConfig = (c) => c,
  ): Promise<MigrationMarker> {
    const { copy, marker } = await this.ownMarker();
    return this.write(copy, { ...marker, ...patch }, config);
  }

  /** The copy and its marker on a fresh read, checking that this instance owns it. */
  async ownMarker(): Promise<{ copy: ServerStreamInfo; marker: MigrationMarker }> {
    const copy = await this.mustInfo(this.copyName);
    const marker = decodeMarker(copy.config.description);
    if (!marker || marker.owner !== this.me) throw new SupersededError(this.name);
    return { copy, marker };
  }

  /** Takes over the marker of an owner that is gone. */
  async claim(): Promise<void> {
    const copy = await this.mustInfo(this.copyName);
    const marker = decodeMarker(copy.config.description);
    if (!marker) throw new SupersededError(this.name);
    await this.write(copy, marker);
  }

  private async write(
    copy: ServerStreamInfo,
    marker: MigrationMarker,
    config: (current: StreamRequestConfig) => StreamRequestConfig = (c) => c,
  ): Promise<MigrationMarker> {
    const next: MigrationMarker = { ...marker, owner: this.me, beat: Date.now() };
    const description = encodeMarker(next) as string;
    await this.api.updateStream({ ...config(copy.config), description }, this.caller);
    this.lastBeat = next.beat;
    return next;
  }

  /** Rewrites the marker when a beat is due. */
  async beatIfDue(): Promise<void> {
    if (Date.now() - this.lastBeat >= this.timing.beatMs) await this.writeMarker({});
  }

  /**
   * Polls `probe` until it reports done, beating the marker meanwhile; fails with a
   * `StreamMigrationError` when its progress did not change for `stallMs`.
   */
  async waitUntil(what: string, holding: string, probe: () => Promise<{ done: boolean; progress: string }>): Promise<void> {
    let progress = '';
    let movedAt = Date.now();
    for (;;) {
      const state = await probe();
      if (state.done) return;
      if (state.progress !== progress) {
        progress = state.progress;
        movedAt = Date.now();
      } else if (Date.now() - movedAt > this.timing.stallMs) {
        throw new StreamMigrationError(this.name, holding, `${what} made no progress for ${this.timing.stallMs} ms (${progress})`);
      }
      await this.beatIfDue();
      await sleep(this.timing.pollMs);
    }
  }

  /**
   * Reads `stream`'s messages as copies of `from`: the first stored message at or after a
   * sequence, and the sequence in `from` it is a copy of (from its `Nats-Stream-Source` header).
   */
  copyReader(stream: string, from: string): CopyReader {
    return async (seq: number): Promise<CopyAt | undefined> => {
      try {
        const message = await this.api.getMessage(stream, { seq, next_by_subj: '>' }, this.caller);
        const source = sourceOf(message.hdrs);
        return { seq: message.seq, copyOf: source?.stream === from ? source.seq : undefined };
      } catch (err) {
        if (errCodeOf(err) === ErrCode.NoMessageFound) return undefined;
        throw err;
      }
    };
  }
}

/** A stream's info on a fresh read, or null when it does not exist. */
export async function readStream(
  api: Pick<MigrationApi, 'streamInfo'>,
  stream: string,
  caller: ApiCaller,
): Promise<ServerStreamInfo | null> {
  try {
    return await api.streamInfo(stream, caller);
  } catch (err) {
    if (err instanceof StreamNotFoundError) return null;
    throw err;
  }
}
