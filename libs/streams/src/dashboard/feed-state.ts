import type { StreamHealth } from '../monitoring/stream-health.js';
import type { StreamsSnapshot } from '../monitoring/stream-monitor.js';
import { streamView, viewHeader, type ViewContext } from './dashboard-view.js';
import type { FeedHeader, PointDelta, StreamSeries, StreamView } from './feed-protocol.js';
import type { StreamHistory } from './stream-history.js';

/** One stream as the pages know it: its view, its JSON text, and the health record it was made from. */
interface Entry {
  health: StreamHealth;
  view: StreamView;
  json: string;
}

/**
 * The dashboard's state, and the feed's events as JSON text, made once per change and shared by
 * every open page: the first event of a page ({@link init}, made again only after a change) and
 * one event per snapshot or lost connection holding only what changed. Pure: no timers, no I/O.
 */
export class FeedState {
  private header: FeedHeader;
  private entries = new Map<string, Entry>();
  private initText?: string;

  constructor(
    private readonly history: StreamHistory,
    context: ViewContext,
  ) {
    this.header = viewHeader(undefined, undefined, context);
  }

  /**
   * Takes a snapshot and returns its event: the header, the streams whose view changed or that
   * are new, the streams gone, and the history sample. While the streams are stale (NATS not
   * connected, or the snapshot unreadable) the views stay those of the last good snapshot.
   */
  take(snapshot: StreamsSnapshot, context: ViewContext): string {
    const header = viewHeader(snapshot, this.header, context);
    const readable = snapshot.error === undefined;
    const point = this.history.record(Date.parse(snapshot.at), readable ? Object.values(snapshot.streams) : null);
    const changed: string[] = [];
    const removed: string[] = [];
    if (!header.stale) {
      const entries = new Map<string, Entry>();
      for (const health of Object.values(snapshot.streams)) {
        const before = this.entries.get(health.name);
        const entry = this.entry(health, before, context);
        if (entry.json !== before?.json) changed.push(entry.json);
        entries.set(health.name, entry);
      }
      for (const name of this.entries.keys()) if (!entries.has(name)) removed.push(name);
      this.entries = entries;
    }
    this.header = header;
    this.initText = undefined;
    return tickText(header, changed, removed, point);
  }

  /**
   * The connection was lost: the streams become stale at once (the next snapshot may wait for a
   * read in flight). Returns the event, or undefined when they already were.
   */
  lose(context: ViewContext): string | undefined {
    if (this.header.stale) return undefined;
    this.header = viewHeader({ at: new Date().toISOString(), healthy: false, streams: {} }, this.header, context);
    this.initText = undefined;
    return tickText(this.header, [], [], undefined);
  }

  /** The JSON text of a page's first event (an `InitEvent`): the header, every stream, and the recent history. */
  init(): string {
    this.initText ??= `{"type":"init","header":${JSON.stringify(this.header)},"streams":[${[...this.entries.values()]
      .map((e) => e.json)
      .join(',')}],"history":${JSON.stringify(this.history.recent())}}`;
    return this.initText;
  }

  /** The whole history of one stream, or undefined when it has none. */
  series(name: string): StreamSeries | undefined {
    return this.history.series(name);
  }

  private entry(health: StreamHealth, before: Entry | undefined, context: ViewContext): Entry {
    // The monitor keeps the record of a stream that did not change: then so does the view.
    if (before && before.health === health && before.view.declared === context.declared(health.name)) return before;
    const view = streamView(health, context);
    return { health, view, json: JSON.stringify(view) };
  }
}

/** The JSON text of a `TickEvent`, from the JSON text of the changed views. */
function tickText(header: FeedHeader, changed: string[], removed: string[], point: PointDelta | undefined): string {
  const tail = point ? `,"point":${JSON.stringify(point)}` : '';
  return `{"type":"tick","header":${JSON.stringify(header)},"changed":[${changed.join(',')}],"removed":${JSON.stringify(removed)}${tail}}`;
}
