import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { StreamMonitor, type StreamHealth, type StreamsSnapshot } from '@app/streams';

/** `GET /streams` and `GET /streams/:name`: stream health records as JSON. */
@Controller('streams')
export class StreamsController {
  constructor(private readonly monitor: StreamMonitor) {}

  /** Every stream's health, from the shared monitor snapshot. */
  @Get()
  list(): Promise<StreamsSnapshot> {
    return this.monitor.read();
  }

  /** One stream's health, read fresh; 404 when the stream does not exist. */
  @Get(':name')
  async one(@Param('name') name: string): Promise<StreamHealth> {
    const health = await this.monitor.healthCheck(name);
    if (health.reason === 'not-found') throw new NotFoundException(health);
    return health;
  }
}
