import { Controller, Get } from '@nestjs/common';
import { Public } from '../common/auth.decorators';
import { NoRateLimit } from '../rate-limits/no-rate-limit.decorator';
import { ReadinessService } from './readiness.service';

/** Probes for orchestrators and load balancers: public, cheap, and never a stack trace. */
@Public()
@NoRateLimit()
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  /** Liveness; `GET /health` stays for the scripts and tests that poll it. */
  @Get(['', 'live'])
  live() {
    return { status: 'ok' };
  }

  /** 200 with every check, or 503 naming the failing ones. */
  @Get('ready')
  ready() {
    return this.readiness.report();
  }
}
