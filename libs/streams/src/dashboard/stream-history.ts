/** One stream's counts in one snapshot, as the history records them. */
export interface HistoryInput {
  name: string;
  messages: number;
  bytes: number;
  /** The last sequence number: its growth is the publish rate, whatever limits remove. */
  last_seq: number;
}

/** One sample of a stream: messages, bytes, and messages published per second since the last sample. */
export type HistorySample = [messages: number | null, bytes: number | null, rate: number | null];

/** The history as the dashboard sends it: sample times, and per stream one array per series. */
export interface HistoryData {
  /** How many samples are kept at most: a page trims to the same. */
  capacity: number;
  /** Sample times, ms since the epoch, oldest first. */
  t: number[];
  /** Per stream, aligned with `t`; `null` where the stream was absent or unreadable. */
  streams: Record<string, { messages: Array<number | null>; bytes: Array<number | null>; rate: Array<number | null> }>;
}

/** The newest sample of every tracked stream, as {@link StreamHistory.record} returns it. */
export interface HistoryPoint {
  t: number;
  streams: Record<string, HistorySample>;
}

const SERIES = 3;

interface Track {
  /** `capacity` samples of SERIES values, NaN where absent. */
  values: Float64Array;
  /** The last sequence seen and when, to compute the next rate. */
  lastSeq?: number;
  lastAt?: number;
  /** The tick the stream was last present in. */
  seenTick: number;
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
   * server could not be read), a gap for every stream. Returns the sample as sent to pages.
   */
  record(at: number, streams: Iterable<HistoryInput> | null): HistoryPoint {
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
    const point: HistoryPoint = { t: at, streams: {} };
    for (const [name, track] of this.tracks) {
      if (tick - track.seenTick >= this.capacity) {
        this.tracks.delete(name);
        continue;
      }
      if (track.seenTick !== tick) {
        // Absent now: the next rate would span the gap.
        track.lastSeq = undefined;
        track.lastAt = undefined;
      }
      point.streams[name] = [0, 1, 2].map((i) => orNull(track.values[slot * SERIES + i])) as HistorySample;
    }
    return point;
  }

  /** Every sample kept, oldest first. */
  toJSON(): HistoryData {
    const count = Math.min(this.ticks, this.capacity);
    const first = this.ticks - count;
    const slots = Array.from({ length: count }, (_, i) => (first + i) % this.capacity);
    const data: HistoryData = { capacity: this.capacity, t: slots.map((s) => this.times[s]), streams: {} };
    for (const [name, { values }] of this.tracks) {
      const series = (i: number) => slots.map((s) => orNull(values[s * SERIES + i]));
      data.streams[name] = { messages: series(0), bytes: series(1), rate: series(2) };
    }
    return data;
  }

  private track(name: string, tick: number): Track | undefined {
    let track = this.tracks.get(name);
    if (!track && this.tracks.size < this.maxStreams) {
      track = { values: new Float64Array(this.capacity * SERIES).fill(NaN), seenTick: tick };
      this.tracks.set(name, track);
    }
    return track;
  }
}

function orNull(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}
