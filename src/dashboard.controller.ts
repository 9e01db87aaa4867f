import { Controller, Get, Header, type MessageEvent, Sse } from '@nestjs/common';
import { map, type Observable } from 'rxjs';
import { StreamMonitor } from '@app/streams';
import { DASHBOARD_HTML } from './dashboard.html.js';

/** `GET /`: a live page of every stream, fed by `GET /events` (server-sent events from the stream monitor). */
@Controller()
export class DashboardController {
  constructor(private readonly monitor: StreamMonitor) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(): string {
    return DASHBOARD_HTML;
  }

  /** One event per monitor snapshot; all open pages share the module's one polling loop. */
  @Sse('events')
  events(): Observable<MessageEvent> {
    return this.monitor.snapshots().pipe(map((snapshot) => ({ data: snapshot })));
  }
}
