import type { FeedHeader, StreamView } from '../feed-protocol.js';
import { bannerText, openStreams, summaryHtml } from './render.js';

const AT = Date.parse('2024-01-01T10:00:00.000Z');

function header(extra: Partial<FeedHeader> = {}): FeedHeader {
  return {
    connection: { name: 'default', status: 'connected', servers: [] },
    intervalMs: 5_000,
    at: new Date(AT).toISOString(),
    lastGoodAt: new Date(AT).toISOString(),
    stale: false,
    health: { up: true },
    ...extra,
  };
}

function view(name: string, extra: Partial<StreamView> = {}): StreamView {
  return {
    name,
    healthy: true,
    status: 'up',
    problems: [],
    warnings: [],
    subjects: [],
    messages: 1,
    bytes: 10,
    consumerCount: 0,
    limits: [],
    declared: true,
    drift: [],
    consumers: [],
    ...extra,
  };
}

/** The cards as `label: value`. */
function cards(html: string): Record<string, string> {
  return Object.fromEntries([...html.matchAll(/<div class="chip chip-(\w+)[^"]*"[^>]*><span>([^<]*)<\/span>/g)].map((m) => [m[1], m[2]]));
}

describe('the summary cards', () => {
  const three = [view('a'), view('b'), view('c')];

  it('count the streams by state and say up while /health would', () => {
    expect(cards(summaryHtml(three, { header: header(), feedLost: false, now: AT + 1_000 }))).toEqual({
      health: 'up',
      streams: '3',
      up: '3',
      degraded: '0',
      down: '0',
      messages: '3',
      stored: '30 B',
    });
  });

  it('say down with the reason, and no counts by state, while NATS is unreachable', () => {
    const stale = header({
      stale: true,
      error: 'NATS is not connected (reconnecting)',
      health: { up: false, reason: 'NATS is not connected (reconnecting)' },
    });

    const html = summaryHtml(three, { header: stale, feedLost: false, now: AT + 1_000 });

    expect(cards(html)).toMatchObject({ health: 'down', streams: '3', up: '–', degraded: '–', down: '–', messages: '–' });
    expect(html).toContain('NATS is not connected (reconnecting)');
  });

  it('say unknown when the snapshots stop coming or the page lost its server', () => {
    const overdue = summaryHtml(three, { header: header(), feedLost: false, now: AT + 60_000 });
    const lost = summaryHtml(three, { header: header(), feedLost: true, now: AT + 1_000 });

    expect(cards(overdue)).toMatchObject({ health: 'unknown', up: '–' });
    expect(bannerText({ header: header(), feedLost: false, now: AT + 60_000 })).toBe(
      'No snapshot for 1 min: the table may be out of date.',
    );
    expect(cards(lost)).toMatchObject({ health: 'unknown', up: '–' });
  });

  it('escape the reason', () => {
    const html = summaryHtml([], {
      header: header({ health: { up: false, reason: 'streams down: <img src=x>' } }),
      feedLost: false,
      now: AT,
    });

    expect(html).not.toContain('<img');
  });
});

describe('openStreams', () => {
  it('opens a small table whole, else the first few streams with something to say, and what was toggled', () => {
    const many = Array.from({ length: 20 }, (_, i) => view(`s${String(i).padStart(2, '0')}`, i % 2 ? { warnings: ['w'] } : {}));

    expect(openStreams(many.slice(0, 3), new Map()).size).toBe(3);
    expect([
      ...openStreams(
        many,
        new Map([
          ['s00', true],
          ['s01', false],
        ]),
      ),
    ]).toEqual(['s00', 's03', 's05', 's07', 's09', 's11', 's13']);
  });
});
