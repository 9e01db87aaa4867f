/**
 * The page's program: follows `<page path>/events` (server-sent events: the whole state, then
 * what changed), fetches a stream's whole history when its charts are shown, and renders the
 * page from its state. Bundled into the page's one inline script at build time.
 */
import type { FeedEvent, StreamSeries } from '../feed-protocol.js';
import { PageState } from './page-state.js';
import { bannerText, connectionHtml, openStreams, rowsHtml, summaryHtml, updatedText, type Situation } from './render.js';

const base = location.pathname.replace(/\/+$/, '');
const state = new PageState();
/** Details opened or closed by a click, by stream. */
const toggled = new Map<string, boolean>();
/** Histories on their way from the server. */
const fetching = new Set<string>();
let feedLost = false;

function element(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found;
}

function situation(): Situation | undefined {
  return state.header && { header: state.header, feedLost, now: Date.now() };
}

function renderStatus(): void {
  const now = situation();
  if (!now) return;
  const banner = element('stale');
  const text = bannerText(now);
  banner.textContent = text;
  banner.hidden = !text;
  document.body.classList.toggle('is-stale', !!text);
  element('summary').innerHTML = summaryHtml([...state.streams.values()], now);
}

/** Draws the page; returns the streams whose details are open. */
function render(): Set<string> {
  const header = state.header;
  if (!header) return new Set();
  const streams = state.sorted();
  const open = openStreams(streams, toggled);
  document.title = (header.stale ? '(stale) ' : '') + element('title').textContent;
  element('conn').innerHTML = connectionHtml(header);
  element('updated').textContent = updatedText(header);
  element('rows').innerHTML = rowsHtml(streams, state.histories, open, header);
  renderStatus();
  return open;
}

/**
 * Asks for the whole history of each open stream the page has only the recent part of. Called
 * after an event or a click (not after a fetch), so a failing fetch is tried again at most once
 * per event.
 */
function fetchHistories(open: Set<string>): void {
  for (const name of open) {
    if (state.histories.get(name)?.complete === false && !fetching.has(name)) void fetchHistory(name);
  }
}

async function fetchHistory(name: string): Promise<void> {
  fetching.add(name);
  try {
    const res = await fetch(`${base}/history?stream=${encodeURIComponent(name)}`, { cache: 'no-store' });
    if (res.ok) state.setSeries(name, (await res.json()) as StreamSeries);
    // The server has no history of it (any more): neither has the page.
    else if (res.status === 404) state.histories.delete(name);
  } catch {
    // The feed's own error handling shows a lost server; the next event tries again.
  } finally {
    fetching.delete(name);
  }
  render();
}

document.addEventListener('click', (e) => {
  const button = e.target instanceof Element ? e.target.closest('button.toggle') : null;
  const name = button?.closest('tr')?.getAttribute('data-stream');
  if (!name) return;
  toggled.set(name, !openStreams(state.sorted(), toggled).has(name));
  fetchHistories(render());
});

const source = new EventSource(`${base}/events`);
source.onmessage = (e: MessageEvent<string>) => {
  state.apply(JSON.parse(e.data) as FeedEvent);
  feedLost = false;
  fetchHistories(render());
};
source.onerror = () => {
  feedLost = true;
  renderStatus();
};
// Ages in the banner move on, and a feed that stops sending shows as overdue.
setInterval(renderStatus, 1000);
