import type { ItemState } from '@pharmatrace/domain';

/** The pack_state columns as an ItemState, for every query that reads the read model. */
export const STATE_COLUMNS = `epc, kind, gtin, serial, lot, expiry::text AS expiry, status, status_changed_at AS "statusChangedAt",
  status_recorded_at AS "statusRecordedAt", status_changed_by AS "statusChangedBy", custodian_id AS "custodianId", location, destination,
  container_epc AS "containerEpc", commissioned_by AS "commissionedBy", last_event_id::int8 AS "lastEventId",
  last_event_time AS "lastEventTime"`;

type Row = Omit<ItemState, 'lastEventId' | 'statusChangedAt' | 'statusRecordedAt' | 'lastEventTime'> & {
  lastEventId: string | number;
  statusChangedAt: Date | string;
  statusRecordedAt: Date | string;
  lastEventTime: Date | string;
};

/** Also accepts rows that came through json (row_to_json), where timestamps are strings. */
export function toItemState(row: Row): ItemState {
  return {
    ...row,
    lastEventId: Number(row.lastEventId),
    statusChangedAt: new Date(row.statusChangedAt),
    statusRecordedAt: new Date(row.statusRecordedAt),
    lastEventTime: new Date(row.lastEventTime),
  };
}
