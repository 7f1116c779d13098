/** What an EPC is to an event, as `event_epc.role` holds it (a CHECK of the initial migration); the table is written in SQL. */
export type EpcRole = 'epc' | 'parent' | 'child' | 'input' | 'output';
