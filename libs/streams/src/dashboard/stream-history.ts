import {
  RECENT_SAMPLES,
  sameSample,
  unchangedSample,
  type PointDelta,
  type RecentHistory,
  type Sample,
  type StreamSeries,
} from './feed-protocol.js';

/** One stream's counts in one snapshot, as the history records them. */
export interface HistoryInput {
  name: string;
  messages: number;
  bytes: number;
  /** The last sequence number: its growth is the publish rate, whatever limits remove. */
  last_seq: number;
}

const SERIES = 3;

interface Track {
  /** `capacity` samples of SERIES values, NaN where absent. */
  values: Float64Array;
  /** The last sequence seen and when, to compute the next rate. */
  lastSeq?: number;
  lastAt?: number;
  /** The tick the stream was last present in, and the tick its history began. */
  seenTick: number;
  sinceTick: number;
}

/**
 * The last `capacity` samples of each stream's messages, bytes and publish rate, in fixed-size
 * buffers: memory is bounded by `capacity` × `maxStreams` × 24 bytes, whatever runs. A stream
 * absent for a whole window is forgotten; streams beyond `maxStreams` are not tracked.
 */
export class StreamHistory {
  private readonly times: Float64Array;
  private readonly tracks = new Map<string, Track>();
  /** Samples taken so far; the slot of tick `n` is `n % capacity`. */
  private ticks = 0;

  constructor(
    readonly capacity: number,
    readonly maxStreams: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError(`capacity must be a whole number of at least 2, got ${capacity}`);
    if (!Number.isInteger(maxStreams) || maxStreams < 1)
      throw new RangeError(`maxStreams must be a whole number of at least 1, got ${maxStreams}`);
    this.times = new Float64Array(capacity);
  }

  /**
   * Records one sample at `at` (ms): the given streams' counts, or, when `streams` is null (the
   * server could not be read), a gap for every stream. Returns what a page needs to know of it:
   * the samples that differ from {@link unchangedSample} of the stream's previous one, and the
   * streams forgotten.
   */
  record(at: number, streams: Iterable<HistoryInput> | null): PointDelta {
    const tick = this.ticks++;
    const slot = tick % this.capacity;
    this.times[slot] = at;
    for (const track of this.tracks.values()) track.values.fill(NaN, slot * SERIES, slot * SERIES + SERIES);
    for (const input of streams ?? []) {
      const track = this.track(input.name, tick);
      if (!track) continue;
      const elapsed = track.lastAt === undefined ? 0 : (at - track.lastAt) / 1000;
      const published = track.lastSeq === undefined ? -1 : input.last_seq - track.lastSeq;
      // No rate across a gap in the name's life (a stream deleted and created again restarts its sequence).
      const rate = elapsed > 0 && published >= 0 ? published / elapsed : NaN;
      track.values.set([input.messages, input.bytes, rate], slot * SERIES);
      track.lastSeq = input.last_seq;
      track.lastAt = at;
      track.seenTick = tick;
    }
    const delta: PointDelta = { t: at, streams: {}, forgotten: [] };
    const previousSlot = (tick - 1 + this.capacity) % this.capacity;
    for (const [name, track] of this.tracks) {
      if (tick - track.seenTick >= this.capacity) {
        this.tracks.delete(name);
        delta.forgotten.push(name);
        continue;
      }
      if (track.seenTick !== tick) {
        // Absent now: the next rate would span the gap.
        track.lastSeq = undefined;
        track.lastAt = undefined;
      }
      const sample = sampleAt(track.values, slot);
      if (track.sinceTick === tick || !sameSample(sample, unchangedSample(sampleAt(track.values, previousSlot)))) {
        delta.streams[name] = sample;
      }
    }
    return delta;
  }

  /** The last {@link RECENT_SAMPLES} (at most) samples' times, and per stream its messages and latest rate. */
  recent(): RecentHistory {
    const slots = this.slots(RECENT_SAMPLES);
    const recent: RecentHistory = { capacity: this.capacity, t: slots.map((s) => this.times[s]), streams: {} };
    const last = slots[slots.length - 1];
    for (const [name, { values }] of this.tracks) {
      recent.streams[name] = { messages: slots.map((s) => orNull(values[s * SERIES])), rate: orNull(values[last * SERIES + 2]) };
    }
    return recent;
  }

  /** Every sample kept of one stream, oldest first; undefined when the stream has no history. */
  series(name: string): StreamSeries | undefined {
    const track = this.tracks.get(name);
    if (!track) return undefined;
    const slots = this.slots(Math.min(this.capacity, this.ticks - track.sinceTick));
    const series = (i: number) => slots.map((s) => orNull(track.values[s * SERIES + i]));
    return { capacity: this.capacity, t: slots.map((s) => this.times[s]), messages: series(0), bytes: series(1), rate: series(2) };
  }

  /** The slots of the last `count` ticks (at most those kept), oldest first. */
  private slots(count: number): number[] {
    const n = Math.min(count, this.ticks, this.capacity);
    return Array.from({ length: n }, (_, i) => (this.ticks - n + i) % this.capacity);
  }

  private track(name: string, tick: number): Track | undefined {
    let track = this.tracks.get(name);
    if (!track && this.tracks.size < this.maxStreams) {
      track = { values: new Float64Array(this.capacity * SERIES).fill(NaN), seenTick: tick, sinceTick: tick };
      this.tracks.set(name, track);
    }
    return track;
  }
}

function sampleAt(values: Float64Array, slot: number): Sample {
  const at = slot * SERIES;
  return [orNull(values[at]), orNull(values[at + 1]), orNull(values[at + 2])];
}

function orNull(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}
