import { gunzipSync, gzipSync } from 'node:zlib';
import type { StreamsSnapshot } from '../monitoring/stream-monitor.js';

/** The header that labels one part of a published snapshot: `<generation> <index> <count>`. */
export const PART_HEADER = 'Fleet-Snapshot-Part';

/** One part of a published snapshot, as labelled by {@link PART_HEADER}. */
export interface SnapshotPart {
  generation: string;
  index: number;
  count: number;
  data: Uint8Array;
}

/**
 * A snapshot as JSON, gzipped (the records of healthy streams repeat the same keys, so they
 * shrink about tenfold), cut into parts of at most `maxPartBytes` so that each fits the server's
 * `max_payload` (1 MB by default) even at 10,000 streams.
 */
export function encodeSnapshot(snapshot: StreamsSnapshot, maxPartBytes: number): Uint8Array[] {
  const zipped = gzipSync(JSON.stringify(snapshot));
  const parts: Uint8Array[] = [];
  for (let at = 0; at < zipped.length; at += maxPartBytes) parts.push(zipped.subarray(at, at + maxPartBytes));
  return parts.length ? parts : [zipped];
}

/** The snapshot whose parts are given in order; its streams in a record without a prototype, as the monitor makes them. */
export function decodeSnapshot(parts: Uint8Array[]): StreamsSnapshot {
  const parsed = JSON.parse(gunzipSync(Buffer.concat(parts)).toString('utf8')) as StreamsSnapshot;
  const streams: Record<string, StreamsSnapshot['streams'][string]> = Object.create(null);
  for (const [name, health] of Object.entries(parsed.streams ?? {})) streams[name] = health;
  return { ...parsed, streams };
}

/** The label of a part, or undefined for a message that is not one. */
export function parsePartLabel(label: string | undefined): Omit<SnapshotPart, 'data'> | undefined {
  const [generation, index, count] = (label ?? '').split(' ');
  const i = Number(index);
  const n = Number(count);
  if (!generation || !Number.isInteger(i) || !Number.isInteger(n) || i < 0 || n < 1 || i >= n || n > 10_000) return undefined;
  return { generation, index: i, count: n };
}

/**
 * Gathers the parts of published snapshots as they arrive (in any order, a generation's parts
 * possibly mixed with the next one's) and gives each complete snapshot once. Only the newest
 * generations are kept: parts of an older one that never completes are dropped.
 */
export class PartCollector {
  private readonly pending = new Map<string, { count: number; parts: Map<number, Uint8Array> }>();

  /** Adds a part; returns the parts of its generation, in order, when this one completes it. */
  add(part: SnapshotPart): Uint8Array[] | undefined {
    let entry = this.pending.get(part.generation);
    if (!entry) {
      entry = { count: part.count, parts: new Map() };
      this.pending.set(part.generation, entry);
      // Two generations in flight at most: a leader publishes one snapshot at a time.
      while (this.pending.size > 2) this.pending.delete(this.pending.keys().next().value as string);
    }
    entry.parts.set(part.index, part.data);
    if (entry.parts.size < entry.count) return undefined;
    this.pending.delete(part.generation);
    return Array.from({ length: entry.count }, (_, i) => entry.parts.get(i) as Uint8Array);
  }
}
