import { commissioningEvent, epcisDocument, packingEvent, shippingEvent } from '@pharmatrace/epcis';
import { gs1CheckDigit } from '@pharmatrace/gs1';

const PACKS_PER_CASE = 8;
const GTIN = (() => {
  const body = '0061414107346';
  return body + gs1CheckDigit(body);
})();

/** 1,000 events the way a packaging line sends them: 800 packs commissioned, packed into 100 cases, shipped. */
export function captureDocument(n: number) {
  const t = Date.UTC(2026, 0, 1) + n * 60_000;
  const events = [];
  const cases: string[] = [];
  for (let c = 0; c < 100; c++) {
    const serials = Array.from({ length: PACKS_PER_CASE }, (_, i) => `https://id.gs1.org/01/${GTIN}/21/D${n}C${c}P${i}`);
    for (const epc of serials)
      events.push(commissioningEvent({ eventTime: new Date(t), epcs: [epc], lot: `LOT${n}`, expiry: '2029-12-31' }));
    const sscc = `urn:epc:id:sscc:0614141.${String(1_000_000_000 + n * 100 + c)}`;
    cases.push(sscc);
    events.push(packingEvent({ eventTime: new Date(t + 1000), parent: sscc, children: serials }));
  }
  for (const sscc of cases)
    events.push(shippingEvent({ eventTime: new Date(t + 2000), epcs: [sscc], to: 'urn:epc:id:pgln:0614141.00002' }));
  return epcisDocument(events);
}
