import { redactUrl } from '../connection/redact.js';
import type { ConnectionStatusType } from '../connection/connection-status.js';
import type { StreamHealth } from '../monitoring/stream-health.js';
import type { StreamsSnapshot } from '../monitoring/stream-monitor.js';

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
  status: StreamHealth['status'];
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

/** Everything one page render needs besides the history. */
export interface DashboardView {
  connection: { name: string; status: ConnectionStatusType; servers: string[] };
  /** The monitor's interval, ms: how often a snapshot comes. */
  intervalMs: number;
  /** When the latest snapshot was taken; absent before the first. */
  at?: string;
  /** True when the latest snapshot could not be read: `streams` are those of `lastGoodAt`. */
  stale: boolean;
  /** Why the latest snapshot could not be read. */
  error?: string;
  /** When the snapshot the streams come from was taken. */
  lastGoodAt?: string;
  streams: StreamView[];
}

/** What besides a snapshot the view is built from. */
export interface ViewContext {
  connection: DashboardView['connection'];
  intervalMs: number;
  /** Whether the app declares the stream. */
  declared: (name: string) => boolean;
}

/**
 * The view of a snapshot. A snapshot that could not be read keeps `previous`'s streams, marked
 * stale with the time they were read. Only listed fields are copied, and every text that could
 * carry a server address goes through the URL redaction: no credential reaches a page.
 */
export function buildView(snapshot: StreamsSnapshot, previous: DashboardView | undefined, context: ViewContext): DashboardView {
  const base = { connection: redactConnection(context.connection), intervalMs: context.intervalMs, at: snapshot.at };
  if (snapshot.error !== undefined) {
    return {
      ...base,
      stale: true,
      error: redactUrl(snapshot.error),
      ...(previous?.lastGoodAt && { lastGoodAt: previous.lastGoodAt }),
      streams: previous?.streams ?? [],
    };
  }
  const streams = Object.values(snapshot.streams)
    .map((health) => streamView(health, context))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { ...base, stale: false, lastGoodAt: snapshot.at, streams };
}

/** The view before the first snapshot. */
export function emptyView(context: ViewContext): DashboardView {
  return { connection: redactConnection(context.connection), intervalMs: context.intervalMs, stale: false, streams: [] };
}

function streamView(health: StreamHealth, context: ViewContext): StreamView {
  const texts = (list: string[]) => list.map(redactUrl);
  return {
    name: health.name,
    healthy: health.healthy,
    status: health.status,
    ...(health.reason && { reason: health.reason }),
    problems: texts(health.problems),
    warnings: texts(health.warnings),
    subjects: [...health.subjects],
    messages: health.messages,
    bytes: health.bytes,
    consumerCount: health.consumer_count,
    limits: limitsOf(health),
    declared: context.declared(health.name),
    drift: (health.drift ?? []).map(({ field, current, desired }) => ({ field, current, desired })),
    ...(health.cluster && {
      replicas: {
        leader: health.cluster.leader,
        peers: health.cluster.replicas.map(({ name, state, lag }) => ({ name, state, lag })),
      },
    }),
    consumers: Object.values(health.consumers ?? {}).map((c) => ({
      name: c.name,
      healthy: c.healthy,
      ...(c.reason && { reason: c.reason }),
      pending: c.pending,
      ackPending: c.ackPending,
      redelivered: c.redelivered,
    })),
  };
}

/** Each configured limit with its value and how full it is. */
function limitsOf(health: StreamHealth): LimitView[] {
  const limits: LimitView[] = [];
  for (const kind of ['messages', 'bytes'] as const) {
    const usage = health.usage[kind];
    const limit = health.limits[kind];
    if (usage !== undefined) limits.push({ kind, usage, ...(limit !== undefined && { limit }) });
  }
  return limits;
}

function redactConnection(connection: DashboardView['connection']): DashboardView['connection'] {
  return { name: connection.name, status: connection.status, servers: connection.servers.map(redactUrl) };
}
