import { Injectable } from '@nestjs/common';
import { OrganizationEntity, OrganizationRepository } from '@pharmatrace/persistence';
import { hashApiKey } from './api-key';

const TTL_MS = 60_000;
const MAX_KEY_HASHES = 1024;
const apiKeyEntry = (hash: Buffer) => `key:${hash.toString('hex')}`;

/**
 * Organizations by API-key hash, GLN and id, kept for a minute: every request authenticates, every VRS request names
 * its requestor and every verdict names the custodian, and a database round trip for each cost more than the
 * verification itself.
 */
@Injectable()
export class OrganizationDirectory {
  private readonly entries = new Map<string, { org: OrganizationEntity; until: number }>();
  private readonly keyHashes = new Map<string, Buffer>();

  constructor(private readonly organizations: OrganizationRepository) {}

  /** The hash of an API key, computed once per key seen lately instead of on every request that sends it. */
  keyHash(token: string): Buffer {
    let hash = this.keyHashes.get(token);
    if (!hash) {
      // Bounded: a flood of made-up keys empties the memo instead of growing it.
      if (this.keyHashes.size >= MAX_KEY_HASHES) this.keyHashes.clear();
      this.keyHashes.set(token, (hash = hashApiKey(token)));
    }
    return hash;
  }

  byApiKeyHash(hash: Buffer): Promise<OrganizationEntity | null> {
    return this.cached(apiKeyEntry(hash), () => this.organizations.findByApiKeyHash(hash));
  }

  /** The key's organization if it is cached and fresh, without waiting a turn: the guard runs on every request. */
  cachedByApiKeyHash(hash: Buffer): OrganizationEntity | undefined {
    return this.fresh(apiKeyEntry(hash));
  }

  byId(id: string): Promise<OrganizationEntity | null> {
    return this.cached(`id:${id}`, () => this.organizations.findById(id));
  }

  /** The organization if it is cached and fresh, without waiting a turn: the verdict's custodian on the hot path. */
  cachedById(id: string): OrganizationEntity | undefined {
    return this.fresh(`id:${id}`);
  }

  /** Several organizations by id: the cached ones as they are, the rest in one query (and cached from then on). */
  async byIds(ids: readonly string[]): Promise<Map<string, OrganizationEntity>> {
    const found = new Map<string, OrganizationEntity>();
    const missing: string[] = [];
    for (const id of ids) {
      const org = this.cachedById(id);
      if (org) found.set(id, org);
      else missing.push(id);
    }
    if (missing.length) {
      for (const org of await this.organizations.findByIds(missing)) {
        this.remember(`id:${org.id}`, org);
        found.set(org.id, org);
      }
    }
    return found;
  }

  byGln(gln: string): Promise<OrganizationEntity | null> {
    return this.cached(`gln:${gln}`, () => this.organizations.findByGln(gln));
  }

  private async cached(key: string, load: () => Promise<OrganizationEntity | null>): Promise<OrganizationEntity | null> {
    const hit = this.fresh(key);
    if (hit) return hit;
    const org = await load();
    // Unknown keys are not remembered: an organization created a moment later must be found at once.
    if (org) this.remember(key, org);
    return org;
  }

  private fresh(key: string): OrganizationEntity | undefined {
    const hit = this.entries.get(key);
    return hit && hit.until > Date.now() ? hit.org : undefined;
  }

  private remember(key: string, org: OrganizationEntity): void {
    this.entries.set(key, { org, until: Date.now() + TTL_MS });
  }
}
