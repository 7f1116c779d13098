import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ReadGrant } from '@pharmatrace/domain';
import { ReadGrantRepository } from '@pharmatrace/persistence';
import { CacheInvalidation } from '../common/cache-invalidation';
import { Clock, CLOCK } from '../common/clock';

const TTL_MS = 60_000;
const MAX_GRANTEES = 10_000;

/**
 * Each organization's live read grants (as grantee), kept for a minute like the organization directory: every read
 * is decided on them, verify among them, and verify may not wait a round trip per scan. Granting and revoking
 * forget the grantee's entry at once, here and (CacheInvalidation) on every other API process.
 */
@Injectable()
export class ReadGrantDirectory {
  private readonly entries = new Map<string, { grants: ReadGrant[]; until: number }>();

  constructor(
    private readonly repository: ReadGrantRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() private readonly invalidation?: CacheInvalidation,
  ) {
    invalidation?.on('grants', (granteeId) => this.entries.delete(granteeId));
  }

  /** Without waiting a turn when cached, as on nearly every scan. */
  of(granteeId: string): ReadGrant[] | Promise<ReadGrant[]> {
    const hit = this.entries.get(granteeId);
    if (hit && hit.until > Date.now()) return hit.grants;
    return this.repository.liveFor(granteeId, this.clock()).then((grants) => {
      // Bounded: a flood of organizations empties the cache instead of growing it.
      if (this.entries.size >= MAX_GRANTEES) this.entries.clear();
      this.entries.set(granteeId, { grants, until: Date.now() + TTL_MS });
      return grants;
    });
  }

  /** On every API process: the grantee's next read, wherever it lands, is decided on the grants as they are now. */
  forget(granteeId: string): void {
    if (this.invalidation) this.invalidation.forget('grants', granteeId);
    else this.entries.delete(granteeId);
  }
}
