import { eventHashes, eventIdMismatches, readEpcisXml } from '@pharmatrace/epcis';

/**
 * Official examples and vectors carry hash-form eventIDs from an older draft of the CBV hash, which capture refuses
 * (EVENT_ID_MISMATCH). These give each such eventID the event's own hash, so the rest of the document can be captured.
 */
export function withOwnEventIds<T extends Record<string, any>>(document: T): T {
  const stale = eventIdMismatches(document);
  if (!stale.length) return document;
  const copy = structuredClone(document);
  const hashes = eventHashes(copy);
  const events = (copy.epcisBody.eventList ?? copy.epcisBody.queryResults.resultsBody.eventList) as Record<string, unknown>[];
  for (const { eventIndex } of stale) events[eventIndex!].eventID = hashes[eventIndex!].hash;
  return copy;
}

/** The same for an XML document: its n-th stale `<eventID>` is the n-th event refused. */
export function xmlWithOwnEventIds(xml: string): string {
  const document = readEpcisXml(xml);
  const stale = new Set(eventIdMismatches(document).map((i) => i.eventIndex));
  if (!stale.size) return xml;
  const hashes = eventHashes(document);
  const events = (document.epcisBody as any).eventList ?? (document.epcisBody as any).queryResults.resultsBody.eventList;
  const withIds = (events as Record<string, unknown>[]).flatMap((e, i) => (typeof e.eventID === 'string' ? [i] : []));
  let n = 0;
  return xml.replace(/<eventID>([^<]*)<\/eventID>/g, (whole) => {
    const index = withIds[n++];
    return stale.has(index) ? `<eventID>${hashes[index].hash}</eventID>` : whole;
  });
}
