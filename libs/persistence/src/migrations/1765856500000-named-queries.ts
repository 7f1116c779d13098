import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 16: the REST binding's named queries. A query belongs to the organization that created it and is named
 * uniquely among that organization's live queries. `query` is the definition as given (served back as is);
 * `criteria` is what the API parsed from it, so the worker, which has no query parser, runs the same criteria.
 * Deleting a query marks it deleted rather than removing it: its subscriptions' delivery logs keep pointing at it.
 */
export class NamedQueries1765856500000 implements MigrationInterface {
  name = 'NamedQueries1765856500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE named_query (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        owner_id uuid NOT NULL REFERENCES organization(id),
        name text NOT NULL CHECK (name ~ '^[A-Za-z0-9._~-]{1,128}$'),
        query jsonb NOT NULL,
        criteria jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX named_query_owner_name_idx ON named_query (owner_id, name) WHERE deleted_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE named_query`);
  }
}
