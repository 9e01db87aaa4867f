import { headers } from 'nats';
import { ApiReplyError } from '../errors/api-reply.error.js';
import { ErrCode, type ApiErrorBody } from '../errors/err-codes.js';
import { RecordConflictError } from '../errors/record-conflict.error.js';
import { StreamNotFoundError } from '../errors/stream-not-found.error.js';
import { errCodeOf, toStreamsError } from '../errors/to-streams-error.js';
import type { StreamRequestConfig } from './api-types.js';
import type { ApiCaller, ApiConnection, JetStreamApi } from './jetstream-api.js';
import { LIBRARY_BUCKET } from './library-bucket.js';
import { headerValue } from './message-headers.js';

/** A record as stored: its JSON value and its revision (the stream sequence of the write). */
export interface StoredRecord {
  value: unknown;
  revision: number;
}

/** How a {@link KvRecordStore} reaches its bucket. */
export interface RecordStoreSettings {
  /** The JetStream API prefix of the module (`$JS.API`, or a domain's `$JS.<domain>.API`). */
  apiPrefix: string;
  /** How long one write may take before it is read back to learn whether it was applied, in ms. */
  requestTimeoutMs: number;
  /** Whether the server is part of a cluster: the bucket is then created with 3 replicas (1 if they cannot be placed). */
  clustered: boolean;
}

const EXPECTED_LAST = 'Nats-Expected-Last-Subject-Sequence';
const OPERATION = 'KV-Operation';

/**
 * JSON records in the library's key-value bucket ({@link LIBRARY_BUCKET}), each written only on a
 * condition the server checks atomically: create when absent, update or remove when the record
 * still has the revision that was read (`Nats-Expected-Last-Subject-Sequence`). Two writers that
 * read the same revision cannot both succeed: the loser gets a {@link RecordConflictError}.
 *
 * The bucket follows the key-value conventions (stream `KV_<bucket>`, subjects `$KV.<bucket>.<key>`,
 * one revision kept per key, deletes as `KV-Operation: DEL` markers), so the `nats kv` tools read
 * it; it is created on the first write, with 3 replicas on a cluster. Reads never create it. Every
 * request goes over the connection given, and through the module's JetStream (domain or prefix).
 *
 * Permissions: `$JS.API.STREAM.INFO.KV_<bucket>`, `$JS.API.STREAM.CREATE.KV_<bucket>` (first use),
 * `$JS.API.STREAM.MSG.GET.KV_<bucket>`, and publishing to `$KV.<bucket>.>` (behind a domain:
 * `$JS.<domain>.API.$KV.<bucket>.>`).
 */
export class KvRecordStore {
  private readonly writePrefix: string;

  constructor(
    private readonly api: Pick<JetStreamApi, 'createStream' | 'getMessage'>,
    private readonly connection: ApiConnection,
    private readonly settings: RecordStoreSettings,
    private readonly caller: ApiCaller,
    readonly bucket: string = LIBRARY_BUCKET,
  ) {
    // Writes through a domain or prefix are addressed like its API (as the nats client's key-value does).
    this.writePrefix = settings.apiPrefix === '$JS.API' ? '' : `${settings.apiPrefix}.`;
  }

  /** The record under `key`, or undefined when there is none (or the bucket does not exist yet). */
  async get(key: string): Promise<StoredRecord | undefined> {
    const last = await this.last(key);
    return last && !last.removed ? { value: last.value, revision: last.revision } : undefined;
  }

  /**
   * Writes `value` under `key` if there is no record; returns its revision.
   * @throws RecordConflictError when a record exists (or was written meanwhile)
   */
  async create(key: string, value: unknown): Promise<number> {
    const last = await this.last(key);
    if (last && !last.removed) throw new RecordConflictError(this.bucket, key, 0);
    return this.write(key, encode(value), last?.revision ?? 0);
  }

  /**
   * Replaces the record under `key` if it still has `revision`; returns the new revision.
   * @throws RecordConflictError when it has another revision (or none)
   */
  update(key: string, value: unknown, revision: number): Promise<number> {
    return this.write(key, encode(value), revision);
  }

  /**
   * Removes the record under `key` if it still has `revision` (a delete marker takes its place).
   * @throws RecordConflictError when it has another revision (or none)
   */
  async remove(key: string, revision: number): Promise<void> {
    await this.write(key, new Uint8Array(0), revision, 'DEL');
  }

  private subject(key: string): string {
    return `$KV.${this.bucket}.${key}`;
  }

  private get stream(): string {
    return `KV_${this.bucket}`;
  }

  /** The last write under `key` (a value or a delete marker), or undefined. */
  private async last(key: string): Promise<{ value: unknown; revision: number; removed: boolean; raw: string } | undefined> {
    try {
      const message = await this.api.getMessage(this.stream, { last_by_subj: this.subject(key) }, this.caller);
      const operation = headerValue(message.hdrs, OPERATION);
      const raw = Buffer.from(message.data ?? '', 'base64').toString('utf8');
      const removed = operation === 'DEL' || operation === 'PURGE';
      return { value: removed ? undefined : JSON.parse(raw), revision: message.seq, removed, raw };
    } catch (err) {
      if (err instanceof StreamNotFoundError || errCodeOf(err) === ErrCode.NoMessageFound) return undefined;
      throw err;
    }
  }

  /**
   * Publishes a write that the server applies only if the key's last revision is `expected`
   * (0: no write yet). A bucket that does not exist yet is created and the write sent again. A
   * write whose answer is lost is read back: applied if the record now holds exactly it.
   */
  private async write(key: string, body: Uint8Array, expected: number, operation?: 'DEL'): Promise<number> {
    const subject = `${this.writePrefix}${this.subject(key)}`;
    for (let attempt = 0; ; attempt++) {
      const h = headers();
      h.set(EXPECTED_LAST, String(expected));
      if (operation) h.set(OPERATION, operation);
      let data: Uint8Array;
      try {
        data = (await this.connection.getConnection().request(subject, body, { timeout: this.settings.requestTimeoutMs, headers: h })).data;
      } catch (err) {
        const code = String((err as { code?: unknown }).code);
        // No stream captures the subject: the bucket does not exist yet.
        if (code === '503' && attempt === 0) {
          await this.createBucket();
          continue;
        }
        if (code === 'TIMEOUT') return this.readBack(key, body, expected, operation, err);
        throw toStreamsError(err, this.caller.operation, this.stream);
      }
      const ack = JSON.parse(new TextDecoder().decode(data)) as { seq?: number; error?: ApiErrorBody };
      if (!ack.error && typeof ack.seq === 'number') return ack.seq;
      const error = ack.error ?? { code: 500, description: 'no sequence in the answer' };
      if (error.err_code === ErrCode.WrongLastSequence) {
        throw new RecordConflictError(this.bucket, key, expected, { errCode: error.err_code });
      }
      throw toStreamsError(new ApiReplyError(subject, error), this.caller.operation, this.stream);
    }
  }

  private async readBack(key: string, body: Uint8Array, expected: number, operation: 'DEL' | undefined, cause: unknown): Promise<number> {
    const last = await this.last(key);
    const revision = last?.revision ?? 0;
    const wrote = new TextDecoder().decode(body);
    const applied = operation === 'DEL' ? last?.removed : last !== undefined && !last.removed && last.raw === wrote;
    if (applied && revision !== expected) return revision;
    if (revision !== expected) throw new RecordConflictError(this.bucket, key, expected, { cause });
    throw toStreamsError(cause, this.caller.operation, this.stream);
  }

  private async createBucket(): Promise<void> {
    const config: StreamRequestConfig = {
      name: this.stream,
      description: 'nestjs-jetstream-streams: coordination records (migrations in progress). Written by the library only',
      subjects: [`$KV.${this.bucket}.>`],
      retention: 'limits',
      storage: 'file',
      num_replicas: this.settings.clustered ? 3 : 1,
      max_msgs_per_subject: 1,
      max_msgs: -1,
      max_bytes: -1,
      max_age: 0,
      discard: 'new',
      deny_delete: true,
      allow_rollup_hdrs: true,
    };
    try {
      await this.api.createStream(config, this.caller);
    } catch (err) {
      const code = errCodeOf(err);
      if (code === ErrCode.StreamNameInUse) return;
      // A cluster that cannot place 3 replicas (fewer servers, or no room) gets one.
      if (config.num_replicas !== 1 && code !== undefined && PLACEMENT_CODES.has(code)) {
        await this.api.createStream({ ...config, num_replicas: 1 }, this.caller).catch((again: unknown) => {
          if (errCodeOf(again) !== ErrCode.StreamNameInUse) throw again;
        });
        return;
      }
      throw err;
    }
  }
}

const PLACEMENT_CODES: ReadonlySet<number> = new Set([
  ErrCode.NoSuitablePeers,
  ErrCode.InsufficientResources,
  ErrCode.ReplicasNotSupported,
]);

function encode(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}
