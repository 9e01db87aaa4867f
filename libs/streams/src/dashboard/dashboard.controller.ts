import { Controller, Get, Header, Inject, type MessageEvent, NotFoundException, Query, Sse, type Type } from '@nestjs/common';
import type { Observable } from 'rxjs';
import type { DashboardFeed } from './dashboard-feed.js';
import type { ResolvedDashboardOptions } from './dashboard-options.js';
import { DASHBOARD_CSP, dashboardPage } from './dashboard-page.js';
import type { StreamSeries } from './feed-protocol.js';

/**
 * The dashboard's controller for one `register` call: its path comes from the options, so the
 * class is made per call. `GET <path>` is the page, `GET <path>/events` its feed, and
 * `GET <path>/history?stream=<name>` one stream's whole history.
 */
export function dashboardController(options: ResolvedDashboardOptions, feedToken: symbol): Type<unknown> {
  const page = dashboardPage(options.title, options.historyMinutes);

  @Controller(options.path)
  class StreamsDashboardController {
    constructor(@Inject(feedToken) private readonly feed: DashboardFeed) {}

    @Get()
    @Header('Content-Type', 'text/html; charset=utf-8')
    @Header('Cache-Control', 'no-store')
    @Header('Content-Security-Policy', DASHBOARD_CSP)
    @Header('X-Content-Type-Options', 'nosniff')
    @Header('Referrer-Policy', 'no-referrer')
    page(): string {
      return page;
    }

    /** The whole state when a page connects, then what changed with each monitor snapshot. */
    @Sse('events')
    events(): Observable<MessageEvent> {
      return this.feed.events();
    }

    /** One stream's whole history, for its charts; 404 when it has none. */
    @Get('history')
    @Header('Cache-Control', 'no-store')
    @Header('X-Content-Type-Options', 'nosniff')
    history(@Query('stream') stream: unknown): StreamSeries {
      const series = typeof stream === 'string' ? this.feed.series(stream) : undefined;
      if (!series) throw new NotFoundException('no history for this stream');
      return series;
    }
  }
  return StreamsDashboardController;
}
