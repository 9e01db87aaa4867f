import { redactUrl } from '../connection/redact.js';
import type { ConnectionStatusType } from '../connection/connection-status.js';
import { healthDetails } from '../health/health-details.js';
import type { StreamHealth } from '../monitoring/stream-health.js';
import type { StreamsSnapshot } from '../monitoring/stream-monitor.js';
import type { FeedHeader, HealthVerdict, LimitView, StreamView } from './feed-protocol.js';

/** What besides a snapshot the view is built from. */
export interface ViewContext {
  connection: { name: string; status: ConnectionStatusType; connected: boolean; servers: string[] };
  intervalMs: number;
  /** Whether the app declares the stream. */
  declared: (name: string) => boolean;
  /** The declared streams' names: the streams `/health` checks by default (all when none). */
  declaredNames: () => string[];
}

/** How many failing streams a verdict names before it counts the rest. */
const NAMED_FAILING = 5;

/**
 * The header of a snapshot, or of no snapshot yet (`undefined`). A snapshot that could not be
 * read, or a connection that is not connected, makes the streams stale: `lastGoodAt` stays that
 * of `previous`. Every text that could carry a server address goes through the URL redaction.
 */
export function viewHeader(snapshot: StreamsSnapshot | undefined, previous: FeedHeader | undefined, context: ViewContext): FeedHeader {
  const base = {
    connection: redactConnection(context.connection),
    intervalMs: context.intervalMs,
    ...(snapshot && { at: snapshot.at }),
  };
  const problem = !context.connection.connected ? notConnected(context) : snapshot?.error;
  if (problem !== undefined) {
    const error = redactUrl(problem);
    const lastGoodAt = previous?.lastGoodAt;
    return { ...base, stale: true, error, ...(lastGoodAt && { lastGoodAt }), health: { up: false, reason: error } };
  }
  if (!snapshot) return { ...base, stale: false, health: { up: false, reason: 'no snapshot yet' } };
  return { ...base, stale: false, lastGoodAt: snapshot.at, health: verdict(snapshot, context) };
}

/** The verdict of the default streams check on a readable snapshot (see {@link HealthVerdict}). */
function verdict(snapshot: StreamsSnapshot, context: ViewContext): HealthVerdict {
  const { failing } = healthDetails(snapshot, context.declaredNames(), 'compact');
  if (!failing) return { up: true };
  const named = failing.slice(0, NAMED_FAILING).join(', ');
  const more = failing.length > NAMED_FAILING ? ` and ${failing.length - NAMED_FAILING} more` : '';
  return { up: false, reason: `streams down: ${named}${more}` };
}

function notConnected(context: ViewContext): string {
  return `NATS is not connected (${context.connection.status})`;
}

/**
 * What the page shows of one stream: only listed fields are copied, and every text that could
 * carry a server address is redacted, so no credential reaches a page.
 */
export function streamView(health: StreamHealth, context: ViewContext): StreamView {
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

function redactConnection(connection: ViewContext['connection']): FeedHeader['connection'] {
  return { name: connection.name, status: connection.status, servers: connection.servers.map(redactUrl) };
}
