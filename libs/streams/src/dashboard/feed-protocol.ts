/**
 * What the dashboard's server sends its pages, shared by the server (`dashboard-feed.ts`) and the
 * page's program (`browser/`, bundled into the page): the types of the feed's events and of the
 * history endpoint, and the one rule both sides apply to history samples a tick leaves out. It
 * imports nothing, so that it compiles for Node and for the browser alike.
 */

/** A stream's or a consumer's state, as in its health record. */
export type StreamState = 'up' | 'degraded' | 'down';

/** One configured limit of a stream: how full it is, and its value when known. */
export interface LimitView {
  kind: 'messages' | 'bytes';
  /** Fraction in use (0..1+). */
  usage: number;
  /** The limit (max_msgs or max_bytes), when it can be known. */
  limit?: number;
}

/** What the page shows of one stream: chosen field by field from its health record. */
export interface StreamView {
  name: string;
  healthy: boolean;
  status: StreamState;
  reason?: string;
  problems: string[];
  warnings: string[];
  subjects: string[];
  messages: number;
  bytes: number;
  consumerCount: number;
  limits: LimitView[];
  /** Whether the app declares the stream (drift is known only then). */
  declared: boolean;
  drift: Array<{ field: string; current: unknown; desired: unknown }>;
  replicas?: { leader?: string; peers: Array<{ name: string; state: string; lag: number }> };
  consumers: Array<{ name: string; healthy: boolean; reason?: string; pending: number; ackPending: number; redelivered: number }>;
}

/**
 * The verdict `/health` gives with the library's indicators at their defaults (the connection,
 * and the declared streams, or all streams when none are declared): `up` false when NATS is not
 * connected, the streams could not be read, or a checked stream is unhealthy.
 */
export interface HealthVerdict {
  up: boolean;
  /** Why not, in the indicators' words. */
  reason?: string;
}

/** Everything about the page besides its streams and their history; sent whole with every event. */
export interface FeedHeader {
  /** The connection: its name, state, and servers with credentials redacted. */
  connection: { name: string; status: string; servers: string[] };
  /** The monitor's interval, ms: how often a snapshot comes. */
  intervalMs: number;
  /** When the latest snapshot was taken; absent before the first. */
  at?: string;
  /** True when NATS is not connected or the latest snapshot could not be read: the streams are those of `lastGoodAt`. */
  stale: boolean;
  /** Why the streams are stale. */
  error?: string;
  /** When the snapshot the streams come from was taken. */
  lastGoodAt?: string;
  health: HealthVerdict;
}

/** One history sample of a stream: messages, bytes, and messages published per second since the previous sample. */
export type Sample = [messages: number | null, bytes: number | null, rate: number | null];

/**
 * The first event a page receives: the header, every stream, and a short recent history of the
 * streams that have one (the table's trend line and rate). A stream's whole history comes from
 * `<path>/history?stream=<name>` when its charts are shown.
 */
export interface InitEvent {
  type: 'init';
  header: FeedHeader;
  streams: StreamView[];
  history: RecentHistory;
}

/** The last samples of every stream with a history (at most {@link RECENT_SAMPLES}). */
export interface RecentHistory {
  /** How many samples the server keeps per stream: a page trims to the same. */
  capacity: number;
  /** Sample times, ms since the epoch, oldest first. */
  t: number[];
  /** Per stream: messages aligned with `t` (`null` where absent or unreadable), and the latest rate. */
  streams: Record<string, { messages: Array<number | null>; rate: number | null }>;
}

/**
 * Every later event: what changed since the previous event. Streams not in `changed` keep their
 * view; streams in `removed` are gone.
 */
export interface TickEvent {
  type: 'tick';
  header: FeedHeader;
  changed: StreamView[];
  removed: string[];
  /** The new history sample, when the event comes with one (a snapshot; not a lost connection). */
  point?: PointDelta;
}

/**
 * One history sample of every stream with a history, sparingly: a stream left out of `streams`
 * took {@link unchangedSample} of its previous sample; a stream in `streams` that a page has no
 * history of yet starts one; streams in `forgotten` no longer have a history.
 */
export interface PointDelta {
  t: number;
  streams: Record<string, Sample>;
  forgotten: string[];
}

/** An event of the feed. */
export type FeedEvent = InitEvent | TickEvent;

/** The whole history of one stream, as `<path>/history?stream=<name>` answers. */
export interface StreamSeries {
  capacity: number;
  t: number[];
  messages: Array<number | null>;
  bytes: Array<number | null>;
  rate: Array<number | null>;
}

/** How many recent samples the first event carries per stream: enough for the table's trend line. */
export const RECENT_SAMPLES = 30;

/**
 * The sample a stream takes when a tick leaves it out: the same messages and bytes as `previous`,
 * and nothing published (rate 0); or, if `previous` was a gap, a gap again.
 */
export function unchangedSample(previous: Sample): Sample {
  return previous[0] === null ? [null, null, null] : [previous[0], previous[1], 0];
}

/** Whether two samples are the same. */
export function sameSample(a: Sample, b: Sample): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
}
