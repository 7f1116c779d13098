import { MigrationInterface, QueryRunner } from 'typeorm';
import { OTHER_DATABASE, RUNNING_ELSEWHERE, runningTransactionOf } from './1765857000000-subscriptions';
import { plpgsqlHorizon } from './1767400000000-event-reader-positions';

/**
 * The visibility horizon (event_visibility_horizon, migrations 1765857000000 and 1767400000000) no longer waits for
 * autovacuum. An automatic ANALYZE writes its statistics in a transaction of its own, with a transaction id, in the
 * database it analyzes; the horizon counted it as a transaction that might still commit events, so every
 * subscription's delivery and every record-time page stopped below it while a table was analyzed (on a large month,
 * seconds). An autovacuum worker never inserts events. Reasoned, not observed: an event-readers.spec failure in CI
 * (a first poll answered nothing while its events had committed) first looked like it, and came from another database's
 * transaction ending between the snapshot and the look at the locks (docs/subscriptions.md).
 */
export class HorizonPastAutovacuum1767700000000 implements MigrationInterface {
  name = 'HorizonPastAutovacuum1767700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(plpgsqlHorizon(runningTransactionOf(`(${OTHER_DATABASE} OR a.backend_type = 'autovacuum worker')`)));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(plpgsqlHorizon(RUNNING_ELSEWHERE));
  }
}
