import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, Injectable, Module, type OnApplicationShutdown, Req, Res } from '@nestjs/common';
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

/**
 * The demo's OpenTelemetry SDK: a meter provider read by the Prometheus exporter, registered
 * globally when Nest creates this provider, which is before any module initialises, so the
 * library's metrics (created in its `onModuleInit`) see it.
 */
@Injectable()
export class DemoMetrics implements OnApplicationShutdown {
  readonly exporter = new PrometheusExporter({ preventServerStart: true });
  private readonly provider = new MeterProvider({ readers: [this.exporter] });

  constructor() {
    metrics.setGlobalMeterProvider(this.provider);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.provider.shutdown();
    metrics.disable();
  }
}

/** `GET /metrics`: every metric in Prometheus' text format, served by the exporter's own handler. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly demoMetrics: DemoMetrics) {}

  @Get()
  scrape(@Req() request: IncomingMessage, @Res() response: ServerResponse): void {
    this.demoMetrics.exporter.getMetricsRequestHandler(request, response);
  }
}

/** Mounts `/metrics` in the demo. */
@Module({ providers: [DemoMetrics], controllers: [MetricsController] })
export class DemoMetricsModule {}
