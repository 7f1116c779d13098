import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ApiKeyRepository } from '@pharmatrace/persistence';

/** `last_used_at` is a key's last use to the minute: finer would cost a write per request. */
const RESOLUTION_MS = 60_000;
/** Uses seen within this long are written together. */
const FLUSH_DELAY_MS = 1_000;

/**
 * Records when each API key was last used, off the request's path: the guard notes the use in memory, and at most
 * once a minute per key an UPDATE for every key noted in the last second goes out, never awaited by a request.
 */
@Injectable()
export class ApiKeyUsageRecorder implements OnModuleDestroy {
  private readonly logger = new Logger(ApiKeyUsageRecorder.name);
  private readonly recordedAt = new Map<string, number>();
  private readonly pending = new Set<string>();
  private flushTimer?: NodeJS.Timeout;

  constructor(private readonly apiKeys: ApiKeyRepository) {}

  seen(keyId: string): void {
    const now = Date.now();
    const last = this.recordedAt.get(keyId);
    if (last !== undefined && now - last < RESOLUTION_MS) return;
    this.recordedAt.set(keyId, now);
    this.pending.add(keyId);
    this.flushTimer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS).unref();
  }

  async flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const ids = [...this.pending];
    this.pending.clear();
    try {
      await this.apiKeys.touch(ids, new Date());
    } catch (e) {
      this.logger.warn(`last use of ${ids.length} API key(s) not recorded: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  async onModuleDestroy(): Promise<void> {
    if (this.pending.size) await this.flush();
  }
}
