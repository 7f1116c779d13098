import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';

export type FaultPoint = 'after-sign' | 'after-broadcast' | 'after-seal';

/**
 * Crash points for the fault tests: with NODE_ENV=test and PHARMATRACE_FAULT=<point>, the process dies by SIGKILL
 * exactly there, as a power cut would. Inert in every other environment.
 */
@Injectable()
export class FaultInjector {
  private readonly point: string | undefined;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.point = config.env === 'test' ? process.env.PHARMATRACE_FAULT : undefined;
  }

  at(point: FaultPoint): void {
    if (this.point === point) process.kill(process.pid, 'SIGKILL');
  }
}
