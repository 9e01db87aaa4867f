import { Controller, Get, Header, Inject, type MessageEvent, Sse, type Type } from '@nestjs/common';
import type { Observable } from 'rxjs';
import type { DashboardFeed } from './dashboard-feed.js';
import type { ResolvedDashboardOptions } from './dashboard-options.js';
import { DASHBOARD_CSP, dashboardPage } from './dashboard-page.js';

/**
 * The dashboard's controller for one `register` call: its path comes from the options, so the
 * class is made per call. `GET <path>` is the page, `GET <path>/events` its feed.
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

    /** One event when a page connects (view and history), then one per monitor snapshot. */
    @Sse('events')
    events(): Observable<MessageEvent> {
      return this.feed.events();
    }
  }
  return StreamsDashboardController;
}
