import type { Organization } from '@pharmatrace/domain';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { ApiKeyRepository, OrganizationRepository } from '@pharmatrace/persistence';
import { hashApiKey } from './api-key';
import { CacheInvalidation } from './cache-invalidation';

const TTL_MS = 60_000;
const MAX_KEY_HASHES = 1024;
/** How often every API process asks which keys were revoked: the longest a revoked key works on another process. */
export const REVOCATION_POLL_MS = 5_000;

/** An API key as the guard needs it: whose it is, and whether it is still in force. */
export interface KeyRecord {
  readonly organization: Organization;
  readonly keyId: string;
  readonly expiresAt: Date | null;
  readonly revoked: boolean;
}

/**
 * Organizations by API-key hash, GLN and id, kept for a minute: every request authenticates, every VRS request names
 * its requestor and every verdict names the custodian, and a database round trip for each cost more than the
 * verification itself.
 */
@Injectable()
export class OrganizationDirectory implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(OrganizationDirectory.name);
  private readonly entries = new Map<string, { org: Organization; until: number }>();
  private readonly keys = new Map<string, { record: KeyRecord; until: number }>();
  private readonly keyHashes = new Map<string, Buffer>();
  private revocationPoll?: NodeJS.Timeout;
  private revokedSince = new Date();

  constructor(
    private readonly organizations: OrganizationRepository,
    private readonly apiKeys: ApiKeyRepository,
    @Optional() private readonly invalidation?: CacheInvalidation,
  ) {
    invalidation?.on('apiKey', (keyId) => this.dropApiKey(keyId));
    invalidation?.on('organization', (id) => this.dropOrganization(id));
  }

  /** Keys revoked on another API process leave this one's cache within REVOCATION_POLL_MS. */
  onModuleInit(): void {
    this.revocationPoll = setInterval(() => void this.dropRevoked(), REVOCATION_POLL_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.revocationPoll);
  }

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

  async byApiKeyHash(hash: Buffer): Promise<KeyRecord | null> {
    const cached = this.cachedByApiKeyHash(hash);
    if (cached) return cached;
    const found = await this.apiKeys.findByHash(hash);
    // Unknown keys are not remembered: a key created a moment later must be found at once.
    if (!found) return null;
    const record: KeyRecord = {
      organization: found.organization,
      keyId: found.key.id,
      expiresAt: found.key.expiresAt,
      revoked: !!found.key.revokedAt,
    };
    this.keys.set(hash.toString('hex'), { record, until: Date.now() + TTL_MS });
    return record;
  }

  /** The key if it is cached and fresh, without waiting a turn: the guard runs on every request. */
  cachedByApiKeyHash(hash: Buffer): KeyRecord | undefined {
    const hit = this.keys.get(hash.toString('hex'));
    return hit && hit.until > Date.now() ? hit.record : undefined;
  }

  /** A key changed (revoked, or given an end by rotation): the next request, on every API process, reads it afresh. */
  forgetApiKey(keyId: string): void {
    if (this.invalidation) this.invalidation.forget('apiKey', keyId);
    else this.dropApiKey(keyId);
  }

  /** An organization changed (its signing address): every API process reads it afresh, by id, GLN and key. */
  forgetOrganization(id: string): void {
    if (this.invalidation) this.invalidation.forget('organization', id);
    else this.dropOrganization(id);
  }

  private dropOrganization(id: string): void {
    for (const [key, { org }] of this.entries) if (org.id === id) this.entries.delete(key);
    for (const [hash, { record }] of this.keys) if (record.organization.id === id) this.keys.delete(hash);
  }

  private dropApiKey(keyId: string): void {
    for (const [hash, { record }] of this.keys) if (record.keyId === keyId) this.keys.delete(hash);
  }

  private async dropRevoked(): Promise<void> {
    try {
      for (const { id, revokedAt } of await this.apiKeys.revokedSince(this.revokedSince)) {
        this.dropApiKey(id);
        if (revokedAt > this.revokedSince) this.revokedSince = revokedAt;
      }
    } catch (e) {
      // The next poll tries again; until then cached keys expire with their minute as before.
      this.logger.warn(`revoked keys not polled: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  byId(id: string): Promise<Organization | null> {
    return this.cached(`id:${id}`, () => this.organizations.findById(id));
  }

  /** The organization if it is cached and fresh, without waiting a turn: the verdict's custodian on the hot path. */
  cachedById(id: string): Organization | undefined {
    return this.fresh(`id:${id}`);
  }

  /** Several organizations by id: the cached ones as they are, the rest in one query (and cached from then on). */
  async byIds(ids: readonly string[]): Promise<Map<string, Organization>> {
    const found = new Map<string, Organization>();
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

  byGln(gln: string): Promise<Organization | null> {
    return this.cached(`gln:${gln}`, () => this.organizations.findByGln(gln));
  }

  private async cached(key: string, load: () => Promise<Organization | null>): Promise<Organization | null> {
    const hit = this.fresh(key);
    if (hit) return hit;
    const org = await load();
    // Unknown keys are not remembered: an organization created a moment later must be found at once.
    if (org) this.remember(key, org);
    return org;
  }

  private fresh(key: string): Organization | undefined {
    const hit = this.entries.get(key);
    return hit && hit.until > Date.now() ? hit.org : undefined;
  }

  private remember(key: string, org: Organization): void {
    this.entries.set(key, { org, until: Date.now() + TTL_MS });
  }
}
