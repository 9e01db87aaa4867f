/**
 * What the page knows: the header, every stream's view, and the histories it has, kept up to date
 * from the feed's events (the whole state first, then what changed) and from the history
 * endpoint (a stream's whole history, when its charts are shown).
 */
import {
  unchangedSample,
  type FeedEvent,
  type FeedHeader,
  type PointDelta,
  type Sample,
  type StreamSeries,
  type StreamView,
} from '../feed-protocol.js';

/** One stream's history as the page keeps it: series aligned with `t`, oldest first. */
export interface PageHistory {
  t: number[];
  messages: Array<number | null>;
  bytes: Array<number | null>;
  rate: Array<number | null>;
  /** Whether it holds every sample the server kept (fetched, or begun while the page was open). */
  complete: boolean;
}

/** The page's state; see the module's comment. */
export class PageState {
  header?: FeedHeader;
  readonly streams = new Map<string, StreamView>();
  readonly histories = new Map<string, PageHistory>();
  /** How many samples a history keeps, as the server does. */
  capacity = 2;

  /** Applies one event of the feed. */
  apply(event: FeedEvent): void {
    this.header = event.header;
    if (event.type === 'init') {
      this.streams.clear();
      this.histories.clear();
      for (const view of event.streams) this.streams.set(view.name, view);
      const { capacity, t, streams } = event.history;
      this.capacity = capacity;
      for (const [name, recent] of Object.entries(streams)) {
        const none = () => t.map((): number | null => null);
        const rate = none();
        if (rate.length) rate[rate.length - 1] = recent.rate;
        this.histories.set(name, { t: [...t], messages: [...recent.messages], bytes: none(), rate, complete: false });
      }
      return;
    }
    for (const view of event.changed) this.streams.set(view.name, view);
    for (const name of event.removed) this.streams.delete(name);
    if (event.point) this.append(event.point);
  }

  /**
   * Takes a stream's whole history from the server, keeping the samples the feed brought after
   * it was read.
   */
  setSeries(name: string, series: StreamSeries): void {
    const local = this.histories.get(name);
    const after = series.t.length ? series.t[series.t.length - 1] : -Infinity;
    const history: PageHistory = { ...series, complete: true };
    if (local) {
      local.t.forEach((t, i) => {
        if (t <= after) return;
        history.t.push(t);
        history.messages.push(local.messages[i]);
        history.bytes.push(local.bytes[i]);
        history.rate.push(local.rate[i]);
      });
    }
    this.histories.set(name, trim(history, this.capacity));
  }

  /** Every stream's view, by name. */
  sorted(): StreamView[] {
    return [...this.streams.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private append(point: PointDelta): void {
    for (const name of point.forgotten) this.histories.delete(name);
    for (const [name, history] of this.histories) {
      const last = history.t.length - 1;
      const previous: Sample = last < 0 ? [null, null, null] : [history.messages[last], history.bytes[last], history.rate[last]];
      push(history, point.t, point.streams[name] ?? unchangedSample(previous));
      trim(history, this.capacity);
    }
    for (const [name, sample] of Object.entries(point.streams)) {
      if (this.histories.has(name)) continue;
      // A history the server begins now: the page has all of it.
      const history: PageHistory = { t: [], messages: [], bytes: [], rate: [], complete: true };
      push(history, point.t, sample);
      this.histories.set(name, history);
    }
  }
}

function push(history: PageHistory, t: number, [messages, bytes, rate]: Sample): void {
  history.t.push(t);
  history.messages.push(messages);
  history.bytes.push(bytes);
  history.rate.push(rate);
}

function trim(history: PageHistory, capacity: number): PageHistory {
  const extra = history.t.length - capacity;
  if (extra > 0) {
    for (const series of [history.t, history.messages, history.bytes, history.rate]) series.splice(0, extra);
  }
  return history;
}
