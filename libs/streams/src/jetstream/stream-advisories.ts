/** A replica as a leader-election or quorum advisory reports it. */
export interface AdvisoryReplica {
  name: string;
  current: boolean;
  lag: number;
}

/**
 * The subject of every stream advisory the server sends (CREATED, UPDATED, DELETED,
 * LEADER_ELECTED, QUORUM_LOST, snapshots and restores), to every connection of the account. It has
 * no domain-prefixed variant: a server with a JetStream domain names it in the payload instead.
 */
export const STREAM_ADVISORIES = '$JS.EVENT.ADVISORY.STREAM.>';

/** A stream advisory the library acts on, read from its JSON payload. */
export interface StreamAdvisory {
  /** What happened; `other` for advisories that only invalidate (snapshot, restore, ...). */
  kind: 'created' | 'updated' | 'deleted' | 'leader-elected' | 'quorum-lost' | 'other';
  stream: string;
  /** The server's timestamp (ISO 8601). */
  at: string;
  /** The JetStream domain of the server that sent it; absent when that server has none. */
  domain?: string;
  /** The new leader (`leader-elected` only). */
  leader?: string;
  replicas: AdvisoryReplica[];
}

const ACTIONS: Record<string, StreamAdvisory['kind']> = { create: 'created', modify: 'updated', delete: 'deleted' };
const TYPE_PREFIX = 'io.nats.jetstream.advisory.v1.';

/**
 * Reads one advisory payload. Returns undefined for anything that names no stream or is not JSON
 * (the library never fails on what another server version might send).
 */
export function parseStreamAdvisory(data: Uint8Array): StreamAdvisory | undefined {
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(decoder.decode(data)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!payload || typeof payload !== 'object' || typeof payload.stream !== 'string' || payload.stream === '') return undefined;
  const type = typeof payload.type === 'string' ? payload.type.slice(TYPE_PREFIX.length) : '';
  const kind =
    type === 'stream_action'
      ? (ACTIONS[String(payload.action)] ?? 'other')
      : type === 'stream_leader_elected'
        ? 'leader-elected'
        : type === 'stream_quorum_lost'
          ? 'quorum-lost'
          : 'other';
  return {
    kind,
    stream: payload.stream,
    at: typeof payload.timestamp === 'string' ? payload.timestamp : new Date().toISOString(),
    ...(typeof payload.domain === 'string' && payload.domain !== '' ? { domain: payload.domain } : {}),
    ...(typeof payload.leader === 'string' ? { leader: payload.leader } : {}),
    replicas: replicasOf(payload.replicas),
  };
}

/**
 * The JetStream domain whose advisories concern a connection: the `jetstream.domain` option; else
 * the domain named by an API prefix `$JS.<domain>.API`; else, with the plain `$JS.API`, the
 * connected server's own domain (undefined when it has none). `null` when it cannot be known (an
 * API prefix of another shape, e.g. imported from another account): then no advisory is filtered out.
 */
export function advisoryDomain(
  target: { domain?: string; apiPrefix: string },
  serverDomain: string | undefined,
): string | undefined | null {
  if (target.domain) return target.domain;
  if (target.apiPrefix === '$JS.API') return serverDomain || undefined;
  return /^\$JS\.([^.]+)\.API$/.exec(target.apiPrefix)?.[1] ?? null;
}

/** Whether an advisory from a server of `domain` concerns a connection following `wanted`. */
export function concernsDomain(domain: string | undefined, wanted: string | undefined | null): boolean {
  return wanted === null || domain === wanted;
}

function replicasOf(value: unknown): AdvisoryReplica[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((r): r is Record<string, unknown> => !!r && typeof r === 'object' && typeof (r as { name?: unknown }).name === 'string')
    .map((r) => ({ name: r.name as string, current: r.current === true, lag: typeof r.lag === 'number' ? r.lag : 0 }));
}

const decoder = new TextDecoder();
