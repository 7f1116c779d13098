import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 18: the database's sessions plan without JIT compilation. Postgres compiles a statement whose estimated cost
 * passes `jit_above_cost` (100,000 by default), and a lookup per row through every month of the partitioned event
 * record is estimated far above that, though it runs in milliseconds: a pharmacy's page of business steps executed in
 * 14 ms and compiled for 1,264 ms (168 functions, on 300,000 events). The service runs short lookups; none gains
 * from compiling.
 *
 * A setting of the database (`ALTER DATABASE … SET`), not of the connection: PgBouncer in transaction mode passes no
 * startup options, and a session's SET stays on one server connection. Sessions opened after the migration plan
 * without it. It needs the database's owner; a migrator that is not gets a warning naming the statement to run.
 */
export class NoJit1767300000000 implements MigrationInterface {
  name = 'NoJit1767300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$ BEGIN
        EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
      EXCEPTION WHEN insufficient_privilege THEN
        RAISE WARNING 'JIT compilation stays on: run ALTER DATABASE % SET jit = off as the database''s owner', quote_ident(current_database());
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DO $$ BEGIN EXECUTE format('ALTER DATABASE %I RESET jit', current_database()); END $$`);
  }
}
