/**
 * The master-data conditions of an event query (EQ_ATTR_, HASATTR_, WD_readPoint, WD_bizLocation), added to the
 * WHERE clause EventQueryRepository builds for events aliased `e`: each reads the latest version of the elements,
 * among the capturers the reader may read, by any spelling of the event's value.
 */

/** An event field whose value is a vocabulary element. */
export type MasterDataField = 'readPoint' | 'bizLocation' | 'epcClass';

/** What the query asks of the master data of its events' fields. */
export interface MasterDataCriteria {
  /** Capturers whose master data counts for this reader (docs/read-policy.md); undefined: every capturer's. */
  publishers?: string[];
  /**
   * Events whose `field` names an element with one of `attributes` (ids, canonical), non-null (HASATTR_), or equal
   * to one of `values` when given (EQ_ATTR_).
   */
  attributes?: { field: MasterDataField; attributes: string[]; values: string[] | null }[];
  /** Events whose `field` is one of `spellings` or a direct or indirect child of one, by the stored hierarchy (WD_). */
  within?: { field: 'readPoint' | 'bizLocation'; spellings: string[] }[];
}

/** The piece of EventQueryRepository's statement builder these conditions use. */
export interface SqlConditions {
  readonly where: string[];
  param(value: unknown): string;
}

const VOCABULARY: Record<MasterDataField, string> = {
  readPoint: 'urn:epcglobal:epcis:vtype:ReadPoint',
  bizLocation: 'urn:epcglobal:epcis:vtype:BusinessLocation',
  epcClass: 'urn:epcglobal:epcis:vtype:EPCClass',
};
const COLUMN = { readPoint: 'e.read_point', bizLocation: 'e.biz_location' } as const;
const QUANTITY_LISTS = `coalesce(e.body->'quantityList', '[]'::jsonb) || coalesce(e.body->'childQuantityList', '[]'::jsonb)
  || coalesce(e.body->'inputQuantityList', '[]'::jsonb) || coalesce(e.body->'outputQuantityList', '[]'::jsonb)`;

/** The vocabularies whose master data the conditions read: only their capturers' read rule matters to the query. */
export function masterDataVocabularies(c: MasterDataCriteria): string[] {
  return [...new Set([...(c.attributes ?? []), ...(c.within ?? [])].map((x) => VOCABULARY[x.field]))];
}

/** Row `m` is the latest version of its element by its capturer, and that capturer is one the reader may read. */
function latestReadable(sql: SqlConditions, publishers: string[] | undefined): string {
  const latest = `NOT EXISTS (SELECT 1 FROM master_data n WHERE n.vocabulary_type = m.vocabulary_type AND n.element_id = m.element_id
    AND n.captured_by = m.captured_by AND n.id > m.id)`;
  return publishers ? `${latest} AND m.captured_by = ANY(${sql.param(publishers)}::uuid[])` : latest;
}

export function addMasterDataConditions(sql: SqlConditions, c: MasterDataCriteria): void {
  for (const a of c.attributes ?? []) {
    const type = sql.param(VOCABULARY[a.field]);
    const value =
      a.values === null
        ? `jsonb_typeof(x->'value') <> 'null'`
        : `jsonb_typeof(x->'value') IN ('string', 'number', 'boolean') AND x->>'value' = ANY(${sql.param(a.values)}::text[])`;
    const has = `EXISTS (SELECT 1 FROM jsonb_array_elements(m.attributes) x WHERE x->>'id' = ANY(${sql.param(a.attributes)}::text[]) AND ${value})`;
    const element = `m.vocabulary_type = ${type} AND ${latestReadable(sql, c.publishers)} AND ${has}`;
    if (a.field === 'epcClass') {
      // An instance's class is its GTIN (event_epc keeps instances as Digital Links); quantity lists name their class.
      sql.where.push(
        `(EXISTS (SELECT 1 FROM event_epc ee JOIN master_data m ON m.gtin = substring(ee.epc FROM 23 FOR 14)
                  WHERE ee.event_id = e.id AND ee.record_time = e.record_time AND ee.epc LIKE 'https://id.gs1.org/01/%' AND ${element})
          OR EXISTS (SELECT 1 FROM jsonb_array_elements(${QUANTITY_LISTS}) q JOIN master_data m ON m.spellings @> ARRAY[q->>'epcClass']
                     WHERE ${element}))`,
      );
    } else {
      sql.where.push(`EXISTS (SELECT 1 FROM master_data m WHERE m.spellings @> ARRAY[${COLUMN[a.field]}] AND ${element})`);
    }
  }
  for (const w of c.within ?? []) {
    // UNION drops spellings already reached, so a cycle in the hierarchy ends the recursion.
    sql.where.push(
      `${COLUMN[w.field]} IN (WITH RECURSIVE tree(s) AS (
         SELECT unnest(${sql.param(w.spellings)}::text[])
         UNION
         SELECT child FROM tree JOIN master_data m ON m.spellings @> ARRAY[tree.s]
           CROSS JOIN LATERAL unnest(m.child_spellings) child
         WHERE m.vocabulary_type = ${sql.param(VOCABULARY[w.field])} AND ${latestReadable(sql, c.publishers)})
       SELECT s FROM tree)`,
    );
  }
}
