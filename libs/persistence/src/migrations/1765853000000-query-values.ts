import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 16, the rest of the EPCIS query language: GT_/GE_/LT_/LE_ and EQ_ on ILMD, extension, sensor and quantity
 * fields compare the values events carry as they were captured (a number, or its text from XML; a date-time with any
 * offset). A cast of such text fails the whole query when one event holds something else (`31 February`, `n/a`), so
 * these read a value as a number or an instant, or as nothing. No index: these parameters read fields of an event's
 * body, as MATCH_epcClass does, among the events the other criteria and the read policy leave.
 */
export class QueryValues1765853000000 implements MigrationInterface {
  name = 'QueryValues1765853000000';

  async up(q: QueryRunner): Promise<void> {
    // SQL, so the planner inlines it; no cast below can fail (an exponent of at most four digits fits numeric).
    await q.query(`
      CREATE FUNCTION epcis_number(v jsonb) RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE jsonb_typeof(v)
          WHEN 'number' THEN v::numeric
          WHEN 'string' THEN CASE WHEN v #>> '{}' ~ '^\\s*[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]{1,4})?\\s*$'
                                  THEN (v #>> '{}')::numeric END
        END
      $$`);
    // Immutable: only text with an offset gets this far, and its instant depends on no session setting.
    await q.query(`
      CREATE FUNCTION epcis_instant(v text) RETURNS timestamptz LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
      BEGIN
        IF v IS NULL OR v !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})$' THEN
          RETURN NULL;
        END IF;
        BEGIN
          RETURN v::timestamptz;
        EXCEPTION WHEN data_exception THEN
          RETURN NULL;
        END;
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION epcis_instant(text), epcis_number(jsonb)`);
  }
}
