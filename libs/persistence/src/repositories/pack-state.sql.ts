import type { ItemKind, ItemState, PackStatus } from '@pharmatrace/domain';
import { copyNullable, copyText, copyTime } from './sql-query';

/** The pack_state columns as an ItemState, for every query that reads the read model. */
export const STATE_COLUMNS = `epc, kind, gtin, serial, lot, expiry::text AS expiry, status, status_changed_at AS "statusChangedAt",
  status_recorded_at AS "statusRecordedAt", status_changed_by AS "statusChangedBy", custodian_id AS "custodianId", location, destination,
  container_epc AS "containerEpc", commissioned_by AS "commissionedBy", last_event_id::int8 AS "lastEventId",
  last_event_time AS "lastEventTime"`;

/** A row of STATE_COLUMNS as node-postgres answers it. */
export interface PackStateRow {
  epc: string;
  // kind and status are text with no CHECK; only upsertStates writes them, from an ItemState.
  kind: ItemKind;
  gtin: string | null;
  serial: string | null;
  lot: string | null;
  /** date, read as text (YYYY-MM-DD): a Date would be local midnight. */
  expiry: string | null;
  status: PackStatus;
  statusChangedAt: Date;
  statusRecordedAt: Date;
  statusChangedBy: string | null;
  custodianId: string | null;
  location: string | null;
  destination: string | null;
  containerEpc: string | null;
  commissionedBy: string | null;
  /** int8: a string. */
  lastEventId: string;
  lastEventTime: Date;
}

export function toItemState(row: PackStateRow): ItemState {
  return {
    ...row,
    lastEventId: Number(row.lastEventId),
    statusChangedAt: new Date(row.statusChangedAt),
    statusRecordedAt: new Date(row.statusRecordedAt),
    lastEventTime: new Date(row.lastEventTime),
  };
}

/**
 * The record-time span of an EPC's index rows, as `lo` and `hi`, for a lateral join: event_epc rows of the EPC lie in
 * it, so a read of them bounded by it probes only those months' partitions (migration 1766600000000). Kept in the
 * EPC's state, or in `epc_span` for an EPC named without one; both when a state was made while another capture named
 * the EPC as unknown. A state written without a span (null) and an EPC in neither table read every month.
 */
export const epcSpanJoin = (epc: string, as: string) => `LEFT JOIN LATERAL (
     SELECT ${EPC_SPAN_COLUMNS} FROM ${epcStateAndSpan(epc)}
   ) ${as} ON true`;

/** `lo` and `hi` of epcSpanJoin, over `ps` (the EPC's pack_state row, if any) and `sp` (its epc_span row, if any). */
export const EPC_SPAN_COLUMNS = `coalesce(CASE WHEN ps.epc IS NULL OR ps.first_record_time IS NOT NULL THEN least(ps.first_record_time, sp.first_record_time) END,
                     '-infinity') AS lo,
            coalesce(CASE WHEN ps.epc IS NULL OR ps.first_record_time IS NOT NULL THEN greatest(ps.last_record_time, sp.last_record_time) END,
                     'infinity') AS hi`;

/** The FROM of EPC_SPAN_COLUMNS: one row for the EPC, with its state as `ps` and its epc_span row as `sp`. */
export const epcStateAndSpan = (epc: string) =>
  `(SELECT ${epc} AS epc) x LEFT JOIN pack_state ps ON ps.epc = x.epc LEFT JOIN epc_span sp ON sp.epc = x.epc`;

/** A pack state written with COPY: capture's new states, and the benches' loads of the same rows. */
export const PACK_STATE_COPY = `COPY pack_state (epc, kind, gtin, serial, lot, expiry, status, custodian_id, location, destination,
  container_epc, commissioned_by, last_event_id, last_event_time, status_changed_at, status_changed_by, status_recorded_at,
  first_record_time, last_record_time) FROM STDIN`;

/** The line of PACK_STATE_COPY for `s`, whose record-time span is `first` to `last` (timestamptz text). */
export function packStateCopyLine(s: ItemState, first: string, last: string): string {
  return `${copyText(s.epc)}\t${s.kind}\t${copyNullable(s.gtin)}\t${copyNullable(s.serial)}\t${copyNullable(s.lot)}\t${copyNullable(
    s.expiry,
  )}\t${s.status}\t${copyNullable(s.custodianId)}\t${copyNullable(s.location)}\t${copyNullable(s.destination)}\t${copyNullable(
    s.containerEpc,
  )}\t${copyNullable(s.commissionedBy)}\t${s.lastEventId}\t${copyTime(s.lastEventTime)}\t${copyTime(s.statusChangedAt)}\t${copyNullable(
    s.statusChangedBy,
  )}\t${copyTime(s.statusRecordedAt)}\t${first}\t${last}\n`;
}
