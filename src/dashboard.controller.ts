import { Controller, Get, Header, type MessageEvent, Sse } from '@nestjs/common';
import { map, type Observable } from 'rxjs';
import { StreamService } from '@app/streams';
import { DASHBOARD_HTML } from './dashboard.html.js';

/** `GET /`: a live page of every stream, fed by `GET /events` (server-sent events from `monitorStreams`). */
@Controller()
export class DashboardController {
  constructor(private readonly streams: StreamService) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(): string {
    return DASHBOARD_HTML;
  }

  /** One event per monitor snapshot; all open pages share the module's one polling loop. */
  @Sse('events')
  events(): Observable<MessageEvent> {
    return this.streams.monitorStreams().pipe(map((snapshot) => ({ data: snapshot })));
  }
}
