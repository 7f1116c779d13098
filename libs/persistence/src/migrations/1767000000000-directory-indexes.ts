import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reads that stay bounded when the registry holds a nation's organizations (issue 18): the directory is paged oldest
 * first by (created_at, id) and searched by any part of a name or GLN (a trigram index: ILIKE '%…%' reads the matches,
 * not the table); every API process asks every 5 s for keys revoked since its last look, which read the whole api_key
 * table before this partial index (revoked keys are few).
 */
export class DirectoryIndexes1767000000000 implements MigrationInterface {
  name = 'DirectoryIndexes1767000000000';

  async up(q: QueryRunner): Promise<void> {
    // pg_trgm is a trusted extension (Postgres 13+): a database owner may create it; every Postgres build ships it.
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`CREATE INDEX organization_directory_idx ON organization (created_at, id)`);
    await q.query(`CREATE INDEX organization_search_idx ON organization USING gin ((name || ' ' || gln) gin_trgm_ops)`);
    await q.query(`CREATE INDEX api_key_revoked_idx ON api_key (revoked_at) WHERE revoked_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX api_key_revoked_idx`);
    await q.query(`DROP INDEX organization_search_idx`);
    await q.query(`DROP INDEX organization_directory_idx`);
    await q.query(`DROP EXTENSION IF EXISTS pg_trgm`);
  }
}
