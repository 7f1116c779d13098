import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { AnchorRepository } from '@pharmatrace/persistence';
import { HealthCheck } from './health.check';

/** Fails when the oldest event not yet FINAL on chain has waited longer than READY_MAX_BACKLOG_AGE_MS. */
@Injectable()
export class BacklogCheck implements HealthCheck {
  readonly name = 'anchoringBacklog';

  constructor(
    private readonly anchors: AnchorRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async run() {
    const { unbatchedEvents, openBatches, oldestAgeSeconds } = await this.anchors.backlog();
    const limitSeconds = this.config.readyMaxBacklogAgeMs / 1000;
    if (oldestAgeSeconds !== null && oldestAgeSeconds > limitSeconds) {
      throw new Error(`the oldest event not yet FINAL on chain waited ${Math.round(oldestAgeSeconds)} s (limit ${limitSeconds} s)`);
    }
    return { oldestAgeSeconds, limitSeconds, unbatchedEvents, openBatches };
  }
}
