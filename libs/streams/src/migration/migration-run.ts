import type { Logger } from '@nestjs/common';
import type { OwnerConnection } from '../connection/owner-connection.js';
import { ErrCode } from '../errors/err-codes.js';
import { RecordConflictError } from '../errors/record-conflict.error.js';
import { StreamMigrationError } from '../errors/stream-migration.error.js';
import { StreamNotFoundError } from '../errors/stream-not-found.error.js';
import { errCodeOf } from '../errors/to-streams-error.js';
import type { ServerStreamInfo } from '../server/server-stream.js';
import type { ServerVersion } from '../server/server-version.js';
import type { StreamRequestConfig } from '../jetstream/api-types.js';
import type { ApiCaller, JetStreamApi } from '../jetstream/jetstream-api.js';
import type { KvRecordStore } from '../jetstream/kv-record-store.js';
import { sleep } from '../timers.js';
import { migrationStreamName } from './migration-marker.js';
import { decodeRecord, encodeRecord, recordKey, type MigrationRecord } from './migration-record.js';
import type { CopyAt, CopyReader } from './sequence-map.js';
import { sourceOf } from './source-header.js';

/** The JetStream API calls a migration makes. */
export type MigrationApi = Pick<
  JetStreamApi,
  | 'streamInfo'
  | 'listStreams'
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
  /** A wait fails when nothing moved (messages copied, phase, owner) for this long, in ms. */
  stallMs: number;
  /** Pause between two reads while waiting, in ms. */
  pollMs: number;
  /**
   * After taking a migration over, the pause before its first write, in ms: requests the server
   * had read from the gone owner but not yet applied (its API queue, a cluster's meta log) land first.
   */
  settleMs: number;
}

/** What one instance brings to a migration: its declaration of the stream, and what it may do. */
export interface MigrationSpec {
  /** The stream. */
  name: string;
  /** The create request this instance's declaration calls for. */
  target: StreamRequestConfig;
  /** The declaration allows the new stream to hold fewer messages than the original (`allowDataLoss`). */
  allowLoss: boolean;
  /** Streams that source or mirror this one may be migrated with it (`downstream: 'resume'`). */
  resumeDownstream: boolean;
  /** The connected server's version. */
  version: ServerVersion;
}

/**
 * Thrown inside a run when another instance took the migration over or moved it on (a stream it
 * needs is gone, its record changed): the run goes back to deciding on a fresh read.
 */
export class SupersededError extends Error {
  constructor(stream: string) {
    super(`another instance acted on the migration of stream "${stream}"`);
  }
}

/** A run's connection closed under it: it stops acting at once, and a new run (new connection, new id) may go on. */
export class OwnerLostError extends Error {
  constructor(stream: string, options: { cause?: unknown } = {}) {
    super(`the connection of this instance's migration run of stream "${stream}" closed`, options);
  }
}

/**
 * One run of one instance on one stream's migration: its own connection (every request goes over
 * it; it never reconnects), its id (the owner named in the record while it owns the migration),
 * the declaration it brings, and the reads and record writes every stage shares. Every write of
 * the record is a compare-and-set on the revision this run last saw.
 */
export class MigrationRun {
  /** The temporary copy's name. */
  readonly copyName: string;
  /** The key of the migration's record. */
  readonly key: string;
  /** The record this run owns, with its revision, as last written or read. */
  private owned?: { record: MigrationRecord; revision: number };

  constructor(
    /** The JetStream API over {@link connection}. */
    readonly api: MigrationApi,
    /** The library's records, over {@link connection}. */
    readonly store: KvRecordStore,
    /** The run's own connection. */
    readonly connection: OwnerConnection,
    readonly caller: ApiCaller,
    /** This run's id. */
    readonly me: string,
    readonly spec: MigrationSpec,
    readonly targetHash: string,
    private readonly logger: Logger,
    readonly timing: MigrationTiming,
  ) {
    this.copyName = migrationStreamName(spec.name);
    this.key = recordKey(spec.name);
  }

  /** The stream being migrated. */
  get name(): string {
    return this.spec.name;
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

  /** The migration's record and its revision on a fresh read, or undefined when there is none. */
  async readRecord(): Promise<{ record: MigrationRecord; revision: number } | undefined> {
    const stored = await this.store.get(this.key);
    if (!stored) return undefined;
    const record = decodeRecord(stored.value, this.name);
    if (!record) {
      throw new StreamMigrationError(
        this.name,
        this.name,
        `the record "${this.key}" in bucket "${this.store.bucket}" is not a migration record of this library; it was left untouched. Inspect it and remove it`,
      );
    }
    return { record, revision: stored.revision };
  }

  /** Records a new migration owned by this run; another record found first supersedes it. */
  async createRecord(record: MigrationRecord): Promise<void> {
    const revision = await this.conditional(() => this.store.create(this.key, encodeRecord(record)));
    this.owned = { record, revision };
  }

  /** Takes over the migration of `record`, if its record still has `revision`. */
  async claim(record: MigrationRecord, revision: number): Promise<MigrationRecord> {
    const mine = { ...record, owner: this.me };
    const next = await this.conditional(() => this.store.update(this.key, encodeRecord(mine), revision));
    this.owned = { record: mine, revision: next };
    return mine;
  }

  /** The record on a fresh read, checking that this run still owns it. */
  async ownRecord(): Promise<MigrationRecord> {
    const read = await this.readRecord();
    if (!read || read.record.owner !== this.me) throw new SupersededError(this.name);
    this.owned = read;
    return read.record;
  }

  /** Rewrites the record this run owns with `patch`, if nobody changed it meanwhile. */
  async updateRecord(patch: Partial<MigrationRecord>): Promise<MigrationRecord> {
    const owned = await this.owning();
    const record = { ...owned.record, ...patch, owner: this.me };
    const revision = await this.conditional(() => this.store.update(this.key, encodeRecord(record), owned.revision));
    this.owned = { record, revision };
    return record;
  }

  /** Removes the record this run owns (the migration is over), if nobody changed it meanwhile. */
  async clearRecord(): Promise<void> {
    const owned = await this.owning();
    await this.conditional(() => this.store.remove(this.key, owned.revision));
    this.owned = undefined;
  }

  /**
   * Polls `probe` until it reports done; fails with a `StreamMigrationError` when its progress did
   * not change for `stallMs`.
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

  private async owning(): Promise<{ record: MigrationRecord; revision: number }> {
    if (!this.owned) await this.ownRecord();
    return this.owned as { record: MigrationRecord; revision: number };
  }

  private async conditional<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (err instanceof RecordConflictError) throw new SupersededError(this.name);
      throw err;
    }
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
