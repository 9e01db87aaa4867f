import { Events, type NatsConnection, type NatsError, type Subscription } from 'nats';
import { parseStreamAdvisory, STREAM_ADVISORIES, type StreamAdvisory } from './stream-advisories.js';

/** Streams whose advisories wait for the next batch at most; beyond, advisories are dropped (counted). */
export const MAX_PENDING_STREAMS = 5_000;
/** Advisories arriving within this many ms are handled together. */
const BATCH_MS = 20;
/** `$JS.EVENT.ADVISORY.STREAM.<KIND>.<stream>`: the tokens before the stream name. */
const SUBJECT_PREFIX = STREAM_ADVISORIES.slice(0, -1);

/** What one batch of advisories holds. */
export interface AdvisoryBatch {
  /**
   * The advisories of the batch: of each stream the latest of each kind, in the order of those
   * arrivals (so a stream deleted then created again ends created).
   */
  advisories: StreamAdvisory[];
  /**
   * Advisories dropped since the previous batch because more than {@link MAX_PENDING_STREAMS}
   * streams were waiting: what they would have invalidated is unknown.
   */
  dropped: number;
}

/** A subscription to the stream advisories, and whether the server allowed it. */
export interface AdvisoryFeedHandle {
  /** False when the connection's user may not subscribe to them (permissions). */
  allowed: boolean;
  stop(): void;
}

/**
 * Follows the stream advisories on `nc` at a bounded cost, whoever publishes on their subject
 * (any client of the account may, and a flood of fakes must not cost unbounded work): the
 * subscription's callback reads each message, ignores what is not an advisory of the stream its
 * subject names or not of the app's domain (`accept`), and files the rest under their subject
 * and domain, the latest kept; every 20 ms the batch is handed over, at most one advisory per
 * stream and kind. `resumed` is called after each reconnect of `nc` (advisories sent meanwhile are lost).
 * Learns in one round trip whether the server allowed the subscription: a refused one is closed
 * by the server's -ERR, which arrives before the PONG of the flush. `refused` is also called
 * when the server refuses it later (after a reconnect).
 * @throws what the flush throws when the connection closed meanwhile
 */
export async function followStreamAdvisories(
  nc: NatsConnection,
  handlers: {
    /** Whether an advisory concerns the app (its JetStream domain); others are ignored at once. */
    accept: (advisory: StreamAdvisory) => boolean;
    batch: (batch: AdvisoryBatch) => void;
    refused: (err?: NatsError) => void;
    resumed: () => void;
  },
): Promise<AdvisoryFeedHandle> {
  let pending = new Map<string, StreamAdvisory>();
  let dropped = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    const batch = { advisories: [...pending.values()], dropped };
    pending = new Map();
    dropped = 0;
    handlers.batch(batch);
  };
  const sub: Subscription = nc.subscribe(STREAM_ADVISORIES, {
    callback: (err, msg) => {
      if (err) return handlers.refused(err);
      const advisory = advisoryOf(msg.subject, msg.data);
      if (!advisory || !handlers.accept(advisory)) return;
      // Two domains may each have a stream of the name: they are two streams.
      const key = `${msg.subject}\u0000${advisory.domain ?? ''}`;
      if (!pending.delete(key) && pending.size >= MAX_PENDING_STREAMS) dropped += 1;
      else pending.set(key, advisory);
      timer ??= setTimeout(flush, BATCH_MS);
    },
  });
  void watchReconnects(nc, handlers.resumed);
  await nc.flush();
  return {
    allowed: !sub.isClosed(),
    stop: () => {
      clearTimeout(timer);
      pending.clear();
      sub.unsubscribe();
    },
  };
}

/** The advisory a message carries, if it is one of the stream its subject names (else a fake, or garbage). */
function advisoryOf(subject: string, data: Uint8Array): StreamAdvisory | undefined {
  if (!subject.startsWith(SUBJECT_PREFIX)) return undefined;
  const stream = subject.slice(subject.indexOf('.', SUBJECT_PREFIX.length) + 1);
  const advisory = parseStreamAdvisory(data);
  return advisory && advisory.stream === stream && stream !== '' ? advisory : undefined;
}

async function watchReconnects(nc: NatsConnection, resumed: () => void): Promise<void> {
  for await (const status of nc.status()) if (status.type === Events.Reconnect) resumed();
}
