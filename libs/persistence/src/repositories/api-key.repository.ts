import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { OrganizationEntity } from '../entities';
import { queryRows, type Updated } from './sql-query';

export type ApiKeyRevoker = 'ORGANIZATION' | 'OPERATOR';

/** An API key's metadata; its secret is never stored, only its SHA-256. */
export interface StoredApiKey {
  id: string;
  organizationId: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  revokedBy: ApiKeyRevoker | null;
  replacedBy: string | null;
}

/**
 * A row of COLUMNS as node-postgres answers it, declared apart from StoredApiKey so that tsc reports a change to one
 * that the other does not follow: the rows are returned as StoredApiKeys unchanged.
 */
interface ApiKeyRow {
  id: string;
  organizationId: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  /** text, held to ApiKeyRevoker by a CHECK. */
  revokedBy: ApiKeyRevoker | null;
  replacedBy: string | null;
}

const COLUMNS = `k.id, k.organization_id AS "organizationId", k.name, k.created_at AS "createdAt", k.last_used_at AS "lastUsedAt",
  k.expires_at AS "expiresAt", k.revoked_at AS "revokedAt", k.revoked_by AS "revokedBy", k.replaced_by AS "replacedBy"`;

interface RevokedKeyRow {
  id: string;
  /** Never null here: the query asks for revoked_at > $1. */
  revokedAt: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class ApiKeyRepository {
  constructor(private readonly db: DataSource) {}

  async create(
    key: { organizationId: string; name: string; hash: Buffer; expiresAt: Date | null },
    tx: EntityManager = this.db.manager,
  ): Promise<StoredApiKey> {
    const rows = await queryRows<ApiKeyRow>(
      tx,
      `INSERT INTO api_key AS k (organization_id, name, hash, expires_at) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
      [key.organizationId, key.name, key.hash, key.expiresAt],
    );
    return rows[0];
  }

  /** The key with this hash, whatever its state, and its organization: the caller tells expired and revoked apart. */
  async findByHash(hash: Buffer): Promise<{ key: StoredApiKey; organization: OrganizationEntity } | null> {
    const rows = await queryRows<ApiKeyRow>(this.db, `SELECT ${COLUMNS} FROM api_key k WHERE k.hash = $1`, [hash]);
    if (!rows.length) return null;
    const organization = await this.db.getRepository(OrganizationEntity).findOneByOrFail({ id: rows[0].organizationId });
    return { key: rows[0], organization };
  }

  async findById(id: string): Promise<StoredApiKey | null> {
    if (!UUID.test(id)) return null;
    const rows = await queryRows<ApiKeyRow>(this.db, `SELECT ${COLUMNS} FROM api_key k WHERE k.id = $1`, [id]);
    return rows[0] ?? null;
  }

  list(organizationId: string): Promise<StoredApiKey[]> {
    return queryRows<ApiKeyRow>(this.db, `SELECT ${COLUMNS} FROM api_key k WHERE k.organization_id = $1 ORDER BY k.created_at, k.id`, [
      organizationId,
    ]);
  }

  /**
   * A new key under the old one's name; the old one stays valid until `graceEnd` (sooner if it expired sooner) and
   * names its successor. Conditional on the old key being in force, so two concurrent rotations cannot both win.
   */
  rotate(id: string, hash: Buffer, graceEnd: Date): Promise<{ old: StoredApiKey; created: StoredApiKey } | null> {
    return this.db.transaction(async (tx) => {
      const [old] = await queryRows<ApiKeyRow>(tx, `SELECT ${COLUMNS} FROM api_key k WHERE k.id = $1 FOR UPDATE`, [id]);
      if (!old || old.revokedAt || old.replacedBy || (old.expiresAt && old.expiresAt <= new Date())) return null;
      const created = await this.create({ organizationId: old.organizationId, name: old.name, hash, expiresAt: old.expiresAt }, tx);
      const [[updated]] = await tx.query<Updated<ApiKeyRow>>(
        `UPDATE api_key k SET expires_at = LEAST(COALESCE(k.expires_at, $2), $2), replaced_by = $3 WHERE k.id = $1 RETURNING ${COLUMNS}`,
        [id, graceEnd, created.id],
      );
      return { old: updated, created };
    });
  }

  /** Revokes a key not yet revoked; null if there is none. */
  async revoke(id: string, by: ApiKeyRevoker): Promise<StoredApiKey | null> {
    const [rows] = await this.db.query<Updated<ApiKeyRow>>(
      `UPDATE api_key k SET revoked_at = now(), revoked_by = $2 WHERE k.id = $1 AND k.revoked_at IS NULL RETURNING ${COLUMNS}`,
      [id, by],
    );
    return rows[0] ?? null;
  }

  /** The keys revoked since `since`: other API processes drop them from their caches. */
  async revokedSince(since: Date): Promise<{ id: string; revokedAt: Date }[]> {
    return queryRows<RevokedKeyRow>(this.db, `SELECT id, revoked_at AS "revokedAt" FROM api_key WHERE revoked_at > $1`, [since]);
  }

  /** Records when keys were last used; never moves a date backwards. */
  async touch(ids: readonly string[], at: Date): Promise<void> {
    if (!ids.length) return;
    await this.db.query(`UPDATE api_key SET last_used_at = $2 WHERE id = ANY($1) AND (last_used_at IS NULL OR last_used_at < $2)`, [
      ids,
      at,
    ]);
  }
}
