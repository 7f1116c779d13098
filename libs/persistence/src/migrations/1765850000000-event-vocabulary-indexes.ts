import { MigrationInterface, QueryRunner } from 'typeorm';

/** The event columns the REST binding's browsing resources list (GET /epcis/bizSteps, /dispositions, /readPoints, /bizLocations). */
const COLUMNS = ['biz_step', 'disposition', 'read_point', 'biz_location'];

/**
 * Issue 16: a list of the distinct bizSteps (dispositions, read points, locations) of millions of events walks an
 * index from one value to the next (EventVocabularyRepository), one descent per value; without an index on the
 * column every page would read every event. The same indexes serve EQ_bizStep, EQ_disposition, EQ_readPoint and
 * EQ_bizLocation and a resource's existence check (GET /epcis/bizSteps/{bizStep}). Partial: events without the
 * field (most have no disposition or read point) are never listed, so they need no entry. EPCs need none: event_epc's
 * primary key starts with the EPC.
 */
export class EventVocabularyIndexes1765850000000 implements MigrationInterface {
  name = 'EventVocabularyIndexes1765850000000';

  async up(q: QueryRunner): Promise<void> {
    for (const column of COLUMNS) {
      await q.query(`CREATE INDEX event_${column}_idx ON event (${column}) WHERE ${column} IS NOT NULL`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const column of COLUMNS) await q.query(`DROP INDEX event_${column}_idx`);
  }
}
