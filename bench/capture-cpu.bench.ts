import type { Organization } from '@pharmatrace/domain';
import { createEpcisValidator, eventHashes, eventsOf } from '@pharmatrace/epcis';
import { prepareEvent } from '../apps/api/src/capture/event-preparation';
import type { ValidatedEvent } from '../apps/api/src/capture/event-facts';
import type { BenchRow } from './bench.types';
import { captureDocument } from './capture-document';
import { benchSizes } from './sizes';

const MANUFACTURER: Organization = {
  id: '00000000-0000-4000-8000-000000000001',
  name: 'Bench Manufacturer',
  role: 'MANUFACTURER',
  gln: '0614141000012',
  companyPrefixes: ['0614141'],
  ethAddress: null,
  requireSignedCaptures: false,
  createdAt: new Date(0),
};

/** Process CPU time (user + system) of `work`, in ms: unlike wall time, it does not grow with the host's load. */
function cpuMs(work: () => void): number {
  const before = process.cpuUsage();
  work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/**
 * Issue 18: the API's CPU per 1,000-event document (800 commissionings, 100 packings, 100 shippings), stage by stage
 * and in this process, so that a loaded host still gives comparable figures: the EPCIS schema validation, the CBV
 * event hashes, and `prepare` (EPC parsing and canonicalisation, the rules without state). Each document has new
 * serials; the first two only warm the code up.
 */
export async function benchCaptureCpu(): Promise<BenchRow[]> {
  const documents = benchSizes().quick ? 4 : 12;
  const validator = createEpcisValidator();
  const totals = { validation: 0, hashing: 0, prepare: 0 };
  // Built before any is measured, as a request's body is parsed before the capture starts.
  const built = Array.from({ length: documents }, (_, n) => JSON.parse(JSON.stringify(captureDocument(900_000 + n))) as unknown);
  for (const [n, document] of built.entries()) {
    let hashes: string[] = [];
    const used = {
      validation: cpuMs(() => validator.validateDocument(document)),
      hashing: cpuMs(() => (hashes = eventHashes(document).map((h) => h.hash))),
      prepare: cpuMs(() =>
        (eventsOf(document) as ValidatedEvent[]).forEach((event, i) => prepareEvent(MANUFACTURER, event, i, hashes[i], undefined, [])),
      ),
    };
    if (n >= 2) for (const stage of Object.keys(totals) as (keyof typeof totals)[]) totals[stage] += used[stage] / (documents - 2);
  }
  const note = `CPU ms per 1,000-event document, mean of ${documents - 2}`;
  return [
    { name: 'schema validation', value: Math.round(totals.validation * 10) / 10, unit: 'ms', note },
    { name: 'CBV event hashes', value: Math.round(totals.hashing * 10) / 10, unit: 'ms', note },
    { name: 'prepare (EPCs, rules without state)', value: Math.round(totals.prepare * 10) / 10, unit: 'ms', note },
  ];
}
