import { headers, type NatsConnection, type Subscription } from 'nats';
import { ErrCode } from '../errors/err-codes.js';
import { StreamNotFoundError } from '../errors/stream-not-found.error.js';
import { errCodeOf } from '../errors/to-streams-error.js';
import type { ApiCaller, JetStreamApi } from '../jetstream/jetstream-api.js';
import { LIBRARY_BUCKET, LIBRARY_BUCKET_STREAM } from '../jetstream/library-bucket.js';
import { headerValue } from '../jetstream/message-headers.js';
import type { StreamsSnapshot } from '../monitoring/stream-monitor.js';
import { decodeSnapshot, encodeSnapshot, PART_HEADER, parsePartLabel, PartCollector } from './snapshot-parts.js';

/** A snapshot received from the group's leader. */
export interface SharedSnapshot {
  snapshot: StreamsSnapshot;
  /** The instance that published it. */
  leader: string;
}

/** How a {@link SnapshotChannel} reaches the bucket. */
export interface ChannelSettings {
  group: string;
  /** The JetStream API prefix of the module: writes behind a domain are addressed like its API. */
  apiPrefix: string;
  requestTimeoutMs: number;
}

/** Below the server's `max_payload`, room left for the subject and headers of a part, in bytes. */
const HEADROOM_BYTES = 4_096;

/**
 * The group's snapshots in the library's key-value bucket, one key per part
 * (`fleet.<group>.snapshot.<i>`, one revision kept per key): the leader writes each part (a
 * JetStream publish, so the server stores it); the others receive the writes live on the key's
 * subject and, when they joined late or missed one, read the stored parts (`STREAM.MSG.GET`).
 */
export class SnapshotChannel {
  private readonly collector = new PartCollector();
  private subscription?: Subscription;
  private generation = 0;

  constructor(
    private readonly settings: ChannelSettings,
    private readonly me: string,
    private readonly api: Pick<JetStreamApi, 'getMessage'>,
  ) {}

  /** Receives the leader's writes live; `received` gets each complete snapshot, `failed` a refused subscription. */
  follow(nc: NatsConnection, received: (shared: SharedSnapshot) => void, failed: (err: Error) => void): void {
    this.subscription = nc.subscribe(this.subject('*'), {
      callback: (err, msg) => {
        if (err) return failed(err);
        const label = parsePartLabel(msg.headers?.get(PART_HEADER));
        if (!label) return;
        const parts = this.collector.add({ ...label, data: msg.data });
        if (!parts) return;
        try {
          received({ snapshot: decodeSnapshot(parts), leader: label.generation.split('#')[0] });
        } catch {
          // A part from a writer that is not this library: ignored, the next snapshot replaces it.
        }
      },
    });
  }

  /** Stops receiving. */
  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  /** Writes `snapshot`, part by part, each acknowledged by the server. */
  async publish(nc: NatsConnection, snapshot: StreamsSnapshot): Promise<void> {
    const parts = encodeSnapshot(snapshot, Math.max(1_024, nc.info!.max_payload - HEADROOM_BYTES));
    const generation = `${this.me}#${++this.generation}`;
    const prefix = this.settings.apiPrefix === '$JS.API' ? '' : `${this.settings.apiPrefix}.`;
    for (const [i, data] of parts.entries()) {
      const h = headers();
      h.set(PART_HEADER, `${generation} ${i} ${parts.length}`);
      const answer = await nc.request(`${prefix}${this.subject(String(i))}`, data, { headers: h, timeout: this.settings.requestTimeoutMs });
      const ack = JSON.parse(new TextDecoder().decode(answer.data)) as { error?: { description?: string } };
      if (ack.error) throw new Error(`the server refused a snapshot part: ${ack.error.description ?? 'no description'}`);
    }
  }

  /** The latest stored snapshot, or undefined when there is none (or its parts were being replaced: read again later). */
  async load(caller: ApiCaller): Promise<SharedSnapshot | undefined> {
    const first = await this.stored(0, caller);
    if (!first) return undefined;
    const parts = [first.data];
    for (let i = 1; i < first.count; i++) {
      const part = await this.stored(i, caller);
      if (!part || part.generation !== first.generation) return undefined;
      parts.push(part.data);
    }
    return { snapshot: decodeSnapshot(parts), leader: first.generation.split('#')[0] };
  }

  private async stored(index: number, caller: ApiCaller): Promise<{ generation: string; count: number; data: Uint8Array } | undefined> {
    try {
      const message = await this.api.getMessage(LIBRARY_BUCKET_STREAM, { last_by_subj: this.subject(String(index)) }, caller);
      const label = parsePartLabel(headerValue(message.hdrs, PART_HEADER));
      if (!label || label.index !== index) return undefined;
      return { ...label, data: Buffer.from(message.data ?? '', 'base64') };
    } catch (err) {
      // No bucket or no such part yet: nothing published.
      if (err instanceof StreamNotFoundError || errCodeOf(err) === ErrCode.NoMessageFound) return undefined;
      throw err;
    }
  }

  private subject(part: string): string {
    return `$KV.${LIBRARY_BUCKET}.fleet.${this.settings.group}.snapshot.${part}`;
  }
}
