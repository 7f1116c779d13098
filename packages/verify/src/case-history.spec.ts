import fc from 'fast-check';
import { caseEntryHash, type CaseEntryRecord } from '@pharmatrace/domain';
import { caseEntryHashOf, verifyCaseHistory, type CaseHistoryDocument } from './case-history';

const GLN = fc.stringMatching(/^\d{13}$/);
const STATE = fc.constantFrom('OPEN', 'INVESTIGATING', 'ESCALATED', 'RESOLVED');
const changeArb = fc.record({
  actor: fc.record({ gln: GLN }),
  at: fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString()),
  action: fc.constantFrom('INVESTIGATE', 'ESCALATE', 'RESOLVE', 'REOPEN', 'COMMENT', 'RECORD_FILING'),
  fromState: fc.option(STATE),
  toState: STATE,
  resolution: fc.option(fc.constantFrom('CLEARED', 'TECHNICAL_CAUSE', 'ILLEGITIMATE')),
  message: fc.option(fc.string({ unit: 'grapheme', maxLength: 30 })),
  attachments: fc.array(fc.stringMatching(/^sha256:[0-9a-f]{64}$/), { maxLength: 2 }),
});
const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 });
/** An owner as exported: optional members absent, not null. */
const ownerArb = fc.record(
  { side: fc.constantFrom('REPORTER', 'COUNTERPARTY'), name: text, title: text, email: text, phone: text },
  { requiredKeys: ['side', 'name'] },
);
const entryArb = fc.oneof(
  changeArb,
  fc.tuple(changeArb, ownerArb).map(([e, owner]) => ({ ...e, action: 'ASSIGN_OWNER', resolution: null, owner })),
);
const quantityArb = fc.record({
  epcClass: fc.constantFrom('https://id.gs1.org/01/00614141073467/10/L1', 'https://id.gs1.org/01/00614141073467/10/L2'),
  uom: fc.constantFrom(null, 'KGM'),
  shipped: fc.double({ min: 0, max: 1e6, noNaN: true }),
  received: fc.integer({ min: 0, max: 1000 }),
});
const docArb = fc.record({
  id: fc.uuid(),
  category: fc.constantFrom('DATA_ISSUE', 'SUSPECT_PRODUCT'),
  source: fc.constantFrom('MANUAL', 'RECEIPT'),
  summary: fc.string({ minLength: 1, maxLength: 30 }),
  counterparty: fc.option(GLN),
  items: fc.uniqueArray(fc.webUrl(), { maxLength: 4 }),
  quantities: fc.option(fc.array(quantityArb, { maxLength: 3 }), { nil: undefined }),
  opener: GLN,
  openedAt: fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString()),
  rest: fc.array(entryArb, { maxLength: 4 }),
});

/** The platform's record of an exported entry (libs/domain), to hold the standalone copy to it. */
function platformRecord(doc: CaseHistoryDocument, i: number): CaseEntryRecord {
  const e = doc.history[i];
  return {
    caseId: doc.id,
    actor: e.actor.gln,
    at: e.at,
    action: e.action as CaseEntryRecord['action'],
    fromState: e.fromState,
    toState: e.toState,
    resolution: e.resolution,
    message: e.message,
    attachments: e.attachments,
    owner: e.owner as CaseEntryRecord['owner'],
    opening:
      e.action === 'OPEN'
        ? {
            category: doc.category,
            source: doc.source,
            summary: doc.summary,
            counterparty: doc.parties.counterparty?.gln ?? null,
            items: doc.items.map((x) => x.epc),
            quantities: doc.quantities,
          }
        : undefined,
  };
}

describe('verifyCaseHistory', () => {
  it("hashes every entry as the platform does, and accepts the platform's chain offline", async () => {
    await fc.assert(
      fc.asyncProperty(docArb, async (d) => {
        const doc: CaseHistoryDocument = {
          id: d.id,
          category: d.category,
          source: d.source,
          summary: d.summary,
          parties: { counterparty: d.counterparty === null ? null : { gln: d.counterparty } },
          items: d.items.map((epc) => ({ epc })),
          quantities: d.quantities,
          history: [
            {
              actor: { gln: d.opener },
              at: d.openedAt,
              action: 'OPEN',
              fromState: null,
              toState: 'OPEN',
              resolution: null,
              message: d.summary,
              attachments: [],
            },
            ...d.rest,
          ].map((e) => ({ ...e, hash: null, previousHash: null, signature: null, anchor: null })),
        };
        let previous: string | null = null;
        doc.history.forEach((e, i) => {
          const hash = caseEntryHash(platformRecord(doc, i), previous);
          expect(caseEntryHashOf(doc, i, previous)).toBe(hash);
          Object.assign(e, { hash, previousHash: previous });
          previous = hash;
        });
        expect(await verifyCaseHistory(doc)).toEqual({ ok: true, anchoredEntries: 0, signedEntries: 0, problems: [] });
        const edited = structuredClone(doc);
        edited.summary += '!';
        expect((await verifyCaseHistory(edited)).problems[0]).toMatch(/^entry 0: hash 0x[0-9a-f]{64} does not match its content/);
        // A class quantity or a named owner changed in the export is caught too.
        if (doc.quantities?.length) {
          const counted = structuredClone(doc);
          counted.quantities![0].received += 1;
          expect((await verifyCaseHistory(counted)).problems[0]).toMatch(/^entry 0: hash/);
        }
        const assigned = doc.history.findIndex((e) => e.owner);
        if (assigned > 0) {
          const renamed = structuredClone(doc);
          renamed.history[assigned].owner!.name += '!';
          expect((await verifyCaseHistory(renamed)).problems[0]).toMatch(new RegExp(`^entry ${assigned}: hash`));
        }
      }),
      { numRuns: 50 },
    );
  });
});
