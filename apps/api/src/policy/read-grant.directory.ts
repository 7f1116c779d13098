import { Inject, Injectable } from '@nestjs/common';
import type { ReadGrant } from '@pharmatrace/domain';
import { ReadGrantRepository } from '@pharmatrace/persistence';
import { Clock, CLOCK } from '../common/clock';

const TTL_MS = 60_000;
const MAX_GRANTEES = 10_000;

/**
 * Each organization's live read grants (as grantee), kept for a minute like the organization directory: every read
 * is decided on them, verify among them, and verify may not wait a round trip per scan. Granting and revoking
 * forget the grantee's entry at once, so this process obeys them from the next read.
 */
@Injectable()
export class ReadGrantDirectory {
  private readonly entries = new Map<string, { grants: ReadGrant[]; until: number }>();

  constructor(
    private readonly repository: ReadGrantRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

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

  forget(granteeId: string): void {
    this.entries.delete(granteeId);
  }
}
