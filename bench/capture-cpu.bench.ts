import { applyEvents, type Organization } from '@pharmatrace/domain';
import { createEpcisValidator, eventHashes, eventsOf } from '@pharmatrace/epcis';
import { CopyText, eventCopyLine, eventEpcCopyLine, type NewEvent, packStateCopyLine } from '@pharmatrace/persistence';
import { identify, prepareEvent } from '../apps/api/src/capture/event-preparation';
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
 * event hashes, `prepare` (EPC parsing and canonicalisation, the rules without state), and the COPY text of the rows
 * capture writes (events, their EPC index, the states the reducer makes, as bytes for the socket). Each document has
 * new serials; the first two only warm the code up.
 */
export async function benchCaptureCpu(): Promise<BenchRow[]> {
  const documents = benchSizes().quick ? 4 : 12;
  const validator = createEpcisValidator();
  const totals = { validation: 0, hashing: 0, prepare: 0, copyText: 0 };
  const recordTime = new Date();
  const rt = recordTime.toISOString();
  // Built before any is measured, as a request's body is parsed before the capture starts.
  const built = Array.from({ length: documents }, (_, n) => JSON.parse(JSON.stringify(captureDocument(900_000 + n))) as unknown);
  for (const [n, document] of built.entries()) {
    let hashes: string[] = [];
    let prepared: NewEvent[] = [];
    const validation = cpuMs(() => validator.validateDocument(document));
    const hashing = cpuMs(() => (hashes = eventHashes(document).map((h) => h.hash)));
    const prepare = cpuMs(
      () =>
        (prepared = (eventsOf(document) as ValidatedEvent[]).map(
          (event, i) => prepareEvent(MANUFACTURER, event, i, hashes[i], undefined, []).event!,
        )),
    );
    const ids = prepared.map((_, i) => n * prepared.length + i + 1);
    const { states } = applyEvents(
      [],
      prepared.map((e, i) => ({ ...e.facts, eventId: ids[i] })),
      identify,
      { actorOf: () => ({ ...MANUFACTURER }), recordTime, maxFutureSkewMs: 300_000 },
    );
    // As the repository writes them: the bytes of one COPY per table.
    const copyText = cpuMs(() => {
      const events = new CopyText();
      const index = new CopyText();
      const packs = new CopyText();
      prepared.forEach((e, i) => {
        events.add(eventCopyLine(e, ids[i], rt, MANUFACTURER.id));
        for (const x of e.epcs) index.add(eventEpcCopyLine(x.epc, e.eventTime, ids[i], x.role, rt));
      });
      for (const s of states) packs.add(packStateCopyLine(s, rt, rt));
    });
    const used = { validation, hashing, prepare, copyText };
    if (n >= 2) for (const stage of Object.keys(totals) as (keyof typeof totals)[]) totals[stage] += used[stage] / (documents - 2);
  }
  const note = `CPU ms per 1,000-event document, mean of ${documents - 2}`;
  return [
    { name: 'schema validation', value: Math.round(totals.validation * 10) / 10, unit: 'ms', note },
    { name: 'CBV event hashes', value: Math.round(totals.hashing * 10) / 10, unit: 'ms', note },
    { name: 'prepare (EPCs, rules without state)', value: Math.round(totals.prepare * 10) / 10, unit: 'ms', note },
    { name: 'COPY text (events, EPC index, states)', value: Math.round(totals.copyText * 10) / 10, unit: 'ms', note },
  ];
}
