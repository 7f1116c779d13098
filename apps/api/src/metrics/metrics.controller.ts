import { Controller, Get, Header } from '@nestjs/common';
import { Registry } from 'prom-client';
import { Public } from '../common/auth.decorators';
import { NoRateLimit } from '../rate-limits/no-rate-limit.decorator';
import { ApiMetrics } from './api.metrics';

/** Public for scrapers; counters, latencies and backlog sizes only, no identifiers or secrets. */
@Public()
@NoRateLimit()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: ApiMetrics) {}

  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
