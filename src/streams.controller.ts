import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { StreamMonitor, StreamService, type StreamHealth } from '@app/streams';

/**
 * `GET /streams` and `GET /streams/:name`: the health records of the streams this app declares,
 * served from the shared monitor snapshot (no JetStream request per HTTP request; other teams'
 * streams in the same account are not listed).
 */
@Controller('streams')
export class StreamsController {
  constructor(
    private readonly monitor: StreamMonitor,
    private readonly streams: StreamService,
  ) {}

  /** Every declared stream's health, from the latest snapshot. */
  @Get()
  async list(): Promise<{ at: string; healthy: boolean; error?: string; streams: Record<string, StreamHealth> }> {
    const snapshot = await this.monitor.read();
    const declared = this.streams.declaredStreams();
    const streams = Object.fromEntries(
      declared.filter((name) => Object.hasOwn(snapshot.streams, name)).map((name) => [name, snapshot.streams[name]]),
    );
    return {
      at: snapshot.at,
      healthy: Object.values(streams).every((s) => s.healthy) && !snapshot.error,
      ...(snapshot.error ? { error: snapshot.error } : {}),
      streams,
    };
  }

  /** One declared stream's health, from the latest snapshot; 404 for a stream this app does not declare. */
  @Get(':name')
  async one(@Param('name') name: string): Promise<StreamHealth> {
    if (!this.streams.declaredStreams().includes(name)) throw new NotFoundException(`stream "${name}" is not declared by this app`);
    const snapshot = await this.monitor.read();
    const health = Object.hasOwn(snapshot.streams, name) ? snapshot.streams[name] : undefined;
    if (!health) throw new NotFoundException(snapshot.error ?? `stream "${name}" not found`);
    return health;
  }
}
