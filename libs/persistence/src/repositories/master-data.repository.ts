import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows, SqlRunner } from './sql-query';

/** One vocabulary element of a captured document, with what matching it needs (every spelling of its id). */
export interface NewMasterDataElement {
  type: string;
  id: string;
  /** The id and every other way it may be written (Digital Link, URNs); non-GS1 ids: the id alone. */
  spellings: string[];
  /** GTIN-14 of a product-class element (urn:epc:idpat:sgtin:…, /01/<gtin>), else null. */
  gtin: string | null;
  attributes: { id: string; value: unknown }[];
  children: string[];
  /** Every spelling of every child. */
  childSpellings: string[];
}

/** The latest version of an element by one organization. */
export interface MasterDataVersion {
  type: string;
  id: string;
  attributes: { id: string; value: unknown }[];
  children: string[];
  capturedBy: string;
  capturedAt: Date;
}

interface MasterDataRow {
  vocabulary_type: string;
  element_id: string;
  /** jsonb: parsed. */
  attributes: { id: string; value: unknown }[];
  children: string[];
  captured_by: string;
  captured_at: Date;
}

const toVersion = (r: MasterDataRow): MasterDataVersion => ({
  type: r.vocabulary_type,
  id: r.element_id,
  attributes: r.attributes,
  children: r.children,
  capturedBy: r.captured_by,
  capturedAt: r.captured_at,
});

export const EPC_CLASS_VOCABULARY = 'urn:epcglobal:epcis:vtype:EPCClass';

/**
 * Master data (master_data, append-only): each capture of an element by an organization is a version, the latest one
 * is read. Who may read whose versions is the caller's to decide (`publishers`: the capturers whose master data the
 * reader may read; undefined for every capturer).
 */
@Injectable()
export class MasterDataRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Stores a document's elements as versions captured by `capturedBy` at `capturedAt`, in one statement. An element
   * whose latest version by the same organization has the same attributes and children is not stored again, so
   * re-sending a document (capture is idempotent) adds nothing. Returns how many versions were stored. `tx`: the
   * transaction storing the document's events, so the document is stored all or nothing.
   */
  async store(capturedBy: string, capturedAt: Date, elements: NewMasterDataElement[], tx: SqlRunner = this.db): Promise<number> {
    if (!elements.length) return 0;
    const rows = await queryRows<{ id: string }>(
      tx,
      `INSERT INTO master_data (vocabulary_type, element_id, spellings, gtin, attributes, children, child_spellings, captured_by, captured_at)
       SELECT n.type, n.id, n.spellings, n.gtin, n.attributes, n.children, n.child_spellings, $2::uuid, $3::timestamptz
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS r(item, at),
         jsonb_to_record(r.item) AS n(type text, id text, spellings text[], gtin text, attributes jsonb, children text[], child_spellings text[])
       WHERE NOT EXISTS (
         SELECT 1 FROM (SELECT m.attributes, m.children FROM master_data m
                        WHERE m.vocabulary_type = n.type AND m.element_id = n.id AND m.captured_by = $2::uuid
                        ORDER BY m.id DESC LIMIT 1) latest
         WHERE latest.attributes = n.attributes AND latest.children = n.children)
       ORDER BY r.at
       RETURNING id`,
      [
        JSON.stringify(
          elements.map((e) => ({
            type: e.type,
            id: e.id,
            spellings: e.spellings,
            gtin: e.gtin,
            attributes: e.attributes,
            children: e.children,
            child_spellings: e.childSpellings,
          })),
        ),
        capturedBy,
        capturedAt.toISOString(),
      ],
    );
    return rows.length;
  }

  /**
   * The latest version by each capturer (in `publishers`, when given) of the elements of `type` written in one of
   * `spellings`.
   */
  async latest(type: string, spellings: string[], publishers?: string[]): Promise<MasterDataVersion[]> {
    const rows = await queryRows<MasterDataRow>(
      this.db,
      `SELECT DISTINCT ON (m.element_id, m.captured_by) m.vocabulary_type, m.element_id, m.attributes, m.children, m.captured_by, m.captured_at
       FROM master_data m
       WHERE m.vocabulary_type = $1 AND m.spellings && $2::text[] AND ($3::uuid[] IS NULL OR m.captured_by = ANY($3::uuid[]))
       ORDER BY m.element_id, m.captured_by, m.id DESC`,
      [type, spellings, publishers ?? null],
    );
    return rows.map(toVersion);
  }

  /** The latest product master data of a GTIN published by `capturedBy` (its manufacturer), if any. */
  async product(gtin: string, capturedBy: string): Promise<MasterDataVersion | null> {
    const [row] = await queryRows<MasterDataRow>(
      this.db,
      `SELECT m.vocabulary_type, m.element_id, m.attributes, m.children, m.captured_by, m.captured_at FROM master_data m
       WHERE m.gtin = $1 AND m.captured_by = $2::uuid AND m.vocabulary_type = $3
       ORDER BY m.id DESC LIMIT 1`,
      [gtin, capturedBy, EPC_CLASS_VOCABULARY],
    );
    return row ? toVersion(row) : null;
  }

  /** Every organization that has captured master data of one of `vocabularies`. */
  async capturers(vocabularies: string[]): Promise<string[]> {
    const rows = await queryRows<{ captured_by: string }>(
      this.db,
      `SELECT DISTINCT captured_by FROM master_data WHERE vocabulary_type = ANY($1::text[])`,
      [vocabularies],
    );
    return rows.map((r) => r.captured_by);
  }
}
