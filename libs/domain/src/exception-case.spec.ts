import fc from 'fast-check';
import {
  addBusinessDays,
  caseAccess,
  CaseAction,
  CaseCategory,
  CaseRefusal,
  CaseResolution,
  caseListScope,
  caseRole,
  CaseRole,
  CaseState,
  CaseView,
  CaseViewer,
  decideCaseAction,
  isCleanReceipt,
  quarantines,
  receiptCases,
  reconcileReceipt,
  regulatorNotificationDue,
} from './exception-case';
import type { OrganizationRole } from './authority';

const open = (over: Partial<CaseView> = {}): CaseView => ({
  reporterId: 'pharmacy',
  counterpartyId: 'wholesaler',
  state: CaseState.OPEN,
  resolution: null,
  category: CaseCategory.PRODUCT_WITHOUT_DATA,
  ...over,
});

const viewer = (id: string, role: OrganizationRole = 'DISTRIBUTOR', companyPrefixes: string[] = []): CaseViewer => ({
  id,
  role,
  companyPrefixes,
});
const GTIN = '00614141073467';

describe('exception cases', () => {
  it('knows who is asking: reporter, counterparty, regulator, the product’s manufacturer, outsider', () => {
    expect(caseRole(open(), viewer('pharmacy', 'DISPENSER'), [])).toBe('REPORTER');
    expect(caseRole(open(), viewer('wholesaler'), [])).toBe('COUNTERPARTY');
    expect(caseRole(open(), viewer('anyone', 'REGULATOR'), [])).toBe('REGULATOR');
    expect(caseRole(open(), viewer('maker', 'MANUFACTURER', ['0614141']), [GTIN])).toBe('PRODUCT_OWNER');
    // Another manufacturer's product, a manufacturer's case with no pack of its own, a distributor holding the prefix.
    expect(caseRole(open(), viewer('maker', 'MANUFACTURER', ['0614142']), [GTIN])).toBe('OUTSIDER');
    expect(caseRole(open({ counterpartyId: null }), viewer('maker', 'MANUFACTURER', ['0614141']), [])).toBe('OUTSIDER');
    expect(caseRole(open(), viewer('other', 'DISTRIBUTOR', ['0614141']), [GTIN])).toBe('OUTSIDER');
    // A party is a party, whatever it makes.
    expect(caseRole(open({ counterpartyId: 'maker' }), viewer('maker', 'MANUFACTURER', ['0614141']), [GTIN])).toBe('COUNTERPARTY');
  });

  it('lets the product’s manufacturer read the case and its clock, not the parties’ messages, owners or forms, nor act on it', () => {
    expect(caseAccess('PRODUCT_OWNER')).toEqual({ sees: true, messages: false, owners: false, forms: false });
    for (const role of ['REPORTER', 'COUNTERPARTY', 'REGULATOR'] as const)
      expect(caseAccess(role)).toEqual({ sees: true, messages: true, owners: true, forms: true });
    expect(caseAccess('OUTSIDER').sees).toBe(false);
    expect(decideCaseAction(open(), { kind: 'COMMENT' }, 'PRODUCT_OWNER')).toEqual({ ok: false, refusal: CaseRefusal.PARTIES_ONLY });
  });

  /**
   * The visibility rule against a model written as a table, on random viewers and cases: the role each viewer gets,
   * what it may read, and the list scope (what lists and counts ask in SQL) selecting exactly the cases it sees.
   */
  it('agrees with the visibility model on random viewers and cases (model)', () => {
    const ids = ['pharmacy', 'wholesaler', 'maker', 'other'];
    const prefixes = ['0614141', '061414', '0614142', '95060'];
    const gtins = ['00614141073467', '10614141073464', '00614142000006', '09506000134352', '40614141073461'];
    const roles: OrganizationRole[] = ['MANUFACTURER', 'DISTRIBUTOR', 'DISPENSER', 'REGULATOR'];
    const arbitrary = fc.record({
      reporterId: fc.constantFrom(...ids),
      counterpartyId: fc.option(fc.constantFrom(...ids)),
      viewer: fc.record({
        id: fc.constantFrom(...ids),
        role: fc.constantFrom(...roles),
        companyPrefixes: fc.uniqueArray(fc.constantFrom(...prefixes), { maxLength: 2 }),
      }),
      gtins: fc.uniqueArray(fc.constantFrom(...gtins), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(arbitrary, ({ reporterId, counterpartyId, viewer: v, gtins: caseGtins }) => {
        const parties = { reporterId, counterpartyId };
        const makes = v.role === 'MANUFACTURER' && caseGtins.some((g) => v.companyPrefixes.some((p) => g.slice(1).startsWith(p)));
        const expected: CaseRole =
          v.role === 'REGULATOR'
            ? 'REGULATOR'
            : v.id === reporterId
              ? 'REPORTER'
              : v.id === counterpartyId
                ? 'COUNTERPARTY'
                : makes
                  ? 'PRODUCT_OWNER'
                  : 'OUTSIDER';
        const role = caseRole(parties, v, caseGtins);
        expect(role).toBe(expected);
        const access = caseAccess(role);
        expect(access.sees).toBe(role !== 'OUTSIDER');
        // What the parties wrote is read by the parties and regulators alone.
        expect(access.messages).toBe(['REPORTER', 'COUNTERPARTY', 'REGULATOR'].includes(role));
        expect(access.owners).toBe(access.messages);
        expect(access.forms).toBe(access.messages);
        // The scope as the SQL reads it: every case, or the caller's own and those with an item under one of its prefixes.
        const scope = caseListScope(v);
        const listed =
          scope.kind === 'all' ||
          reporterId === scope.organizationId ||
          counterpartyId === scope.organizationId ||
          caseGtins.some((g) => scope.productPrefixes.some((p) => g.slice(1).startsWith(p)));
        expect(listed).toBe(access.sees);
      }),
    );
  });

  it('walks open → investigating → resolved, lifting quarantine when cleared', () => {
    const investigating = decideCaseAction(open(), { kind: 'INVESTIGATE' }, 'COUNTERPARTY');
    expect(investigating).toMatchObject({ ok: true, state: CaseState.INVESTIGATING });
    const resolved = decideCaseAction(
      open({ state: CaseState.INVESTIGATING }),
      { kind: 'RESOLVE', resolution: CaseResolution.CLEARED },
      'REPORTER',
    );
    expect(resolved).toEqual({
      ok: true,
      state: CaseState.RESOLVED,
      resolution: CaseResolution.CLEARED,
      effects: { quarantine: 'lift', notifyRegulator: false, notifyPartners: false },
    });
  });

  it('an illegitimate resolution keeps the quarantine and notifies the regulator and the partners', () => {
    expect(decideCaseAction(open(), { kind: 'RESOLVE', resolution: CaseResolution.ILLEGITIMATE }, 'REPORTER')).toMatchObject({
      ok: true,
      effects: { quarantine: 'hold', notifyRegulator: true, notifyPartners: true },
    });
  });

  it('once escalated only the regulator resolves; only the regulator reopens', () => {
    const escalated = open({ state: CaseState.ESCALATED });
    const resolve: CaseAction = { kind: 'RESOLVE', resolution: CaseResolution.TECHNICAL_CAUSE };
    expect(decideCaseAction(escalated, resolve, 'REPORTER')).toEqual({ ok: false, refusal: CaseRefusal.REGULATOR_ONLY });
    expect(decideCaseAction(escalated, resolve, 'REGULATOR')).toMatchObject({ ok: true, state: CaseState.RESOLVED });
    const resolved = open({ state: CaseState.RESOLVED, resolution: CaseResolution.CLEARED });
    expect(decideCaseAction(resolved, { kind: 'REOPEN' }, 'COUNTERPARTY')).toEqual({ ok: false, refusal: CaseRefusal.REGULATOR_ONLY });
    expect(decideCaseAction(resolved, { kind: 'REOPEN' }, 'REGULATOR')).toMatchObject({
      ok: true,
      state: CaseState.INVESTIGATING,
      effects: { quarantine: 'hold' },
    });
  });

  /**
   * A model of the rules, written as a table: from any reachable case, any action by anyone is decided as the table
   * says, an outsider changes nothing, and quarantine is held exactly while the case is unresolved or illegitimate.
   */
  it('agrees with the transition table on random histories (model)', () => {
    const roles: CaseRole[] = ['REPORTER', 'COUNTERPARTY', 'REGULATOR', 'PRODUCT_OWNER', 'OUTSIDER'];
    const actions: fc.Arbitrary<CaseAction> = fc.oneof(
      fc.constant<CaseAction>({ kind: 'ASSIGN_OWNER' }),
      fc.constant<CaseAction>({ kind: 'INVESTIGATE' }),
      fc.constant<CaseAction>({ kind: 'ESCALATE' }),
      fc.constant<CaseAction>({ kind: 'REOPEN' }),
      fc.constant<CaseAction>({ kind: 'COMMENT' }),
      fc.constant<CaseAction>({ kind: 'RECORD_FILING' }),
      fc.constantFrom(...Object.values(CaseResolution)).map((resolution): CaseAction => ({ kind: 'RESOLVE', resolution })),
    );
    const model = (state: CaseState, action: CaseAction, role: CaseRole, resolution: CaseResolution | null): CaseState | CaseRefusal => {
      if (role === 'OUTSIDER') return CaseRefusal.NOT_A_PARTY;
      if (role === 'PRODUCT_OWNER') return CaseRefusal.PARTIES_ONLY;
      if (action.kind === 'ASSIGN_OWNER') return role === 'REGULATOR' ? CaseRefusal.PARTIES_ONLY : state;
      if (action.kind === 'RECORD_FILING') {
        if (resolution !== CaseResolution.ILLEGITIMATE) return CaseRefusal.WRONG_STATE;
        return role === 'COUNTERPARTY' ? CaseRefusal.REPORTER_OR_REGULATOR : state;
      }
      const table: Record<Exclude<CaseAction['kind'], 'RECORD_FILING' | 'ASSIGN_OWNER'>, Partial<Record<CaseState, CaseState>>> = {
        COMMENT: {
          OPEN: CaseState.OPEN,
          INVESTIGATING: CaseState.INVESTIGATING,
          ESCALATED: CaseState.ESCALATED,
          RESOLVED: CaseState.RESOLVED,
        },
        INVESTIGATE: { OPEN: CaseState.INVESTIGATING },
        ESCALATE: { OPEN: CaseState.ESCALATED, INVESTIGATING: CaseState.ESCALATED },
        RESOLVE: { OPEN: CaseState.RESOLVED, INVESTIGATING: CaseState.RESOLVED, ESCALATED: CaseState.RESOLVED },
        REOPEN: { RESOLVED: CaseState.INVESTIGATING },
      };
      const next = table[action.kind][state];
      if (next === undefined) return CaseRefusal.WRONG_STATE;
      const regulatorOnly = (action.kind === 'RESOLVE' && state === CaseState.ESCALATED) || action.kind === 'REOPEN';
      return regulatorOnly && role !== 'REGULATOR' ? CaseRefusal.REGULATOR_ONLY : next;
    };
    fc.assert(
      fc.property(fc.array(fc.tuple(actions, fc.constantFrom(...roles)), { maxLength: 30 }), (history) => {
        let view = open();
        for (const [action, role] of history) {
          const decision = decideCaseAction(view, action, role);
          const expected = model(view.state, action, role, view.resolution);
          if (!decision.ok) {
            expect(decision.refusal).toBe(expected);
            continue;
          }
          expect(decision.state).toBe(expected);
          expect(decision.effects.notifyRegulator).toBe(action.kind === 'RESOLVE' && action.resolution === CaseResolution.ILLEGITIMATE);
          view = { ...view, state: decision.state, resolution: decision.resolution };
          if (decision.effects.quarantine !== 'unchanged') expect(decision.effects.quarantine === 'hold').toBe(quarantines(view));
          expect(view.state === CaseState.RESOLVED).toBe(view.resolution !== null);
        }
      }),
    );
  });

  it('counts three business days over a weekend, and 24 hours to notify the regulator', () => {
    // Thursday 10:00 → Tuesday 10:00 (Fri, Mon, Tue).
    expect(addBusinessDays(new Date('2026-12-03T10:00:00Z'), 3).toISOString()).toBe('2026-12-08T10:00:00.000Z');
    // Saturday → Wednesday.
    expect(addBusinessDays(new Date('2026-12-05T10:00:00Z'), 3).toISOString()).toBe('2026-12-09T10:00:00.000Z');
    expect(regulatorNotificationDue(new Date('2026-12-05T10:00:00Z')).toISOString()).toBe('2026-12-06T10:00:00.000Z');
  });

  it('business days never land on a weekend and grow with n (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }),
        fc.integer({ min: 1, max: 30 }),
        (from, n) => {
          const at = addBusinessDays(from, n);
          expect([0, 6]).not.toContain(at.getUTCDay());
          expect(at.getTime()).toBeGreaterThanOrEqual(from.getTime() + n * 86_400_000);
          expect(at.getTime()).toBeLessThanOrEqual(from.getTime() + (n + 2 + Math.floor(n / 5) * 2) * 86_400_000);
        },
      ),
    );
  });

  it('reconciles a receipt: missing, unexpected and quantity differences per class and unit, each listed', () => {
    const diff = reconcileReceipt(
      {
        epcs: ['a', 'b', 'c'],
        quantities: [
          { epcClass: 'lot1', quantity: 6, uom: null },
          { epcClass: 'lot1', quantity: 4, uom: null },
          { epcClass: 'bulk', quantity: 2.5, uom: 'KGM' },
        ],
      },
      {
        epcs: ['b', 'c', 'd'],
        quantities: [
          { epcClass: 'lot1', quantity: 8, uom: null },
          { epcClass: 'lot2', quantity: 1, uom: null },
          { epcClass: 'bulk', quantity: 2500, uom: 'GRM' },
        ],
      },
    );
    expect(diff).toEqual({
      missing: ['a'],
      unexpected: ['d'],
      quantities: [
        // Units are not converted: 2.5 kg and 2,500 g are two lines, for a person to read.
        { epcClass: 'bulk', uom: 'GRM', shipped: 0, received: 2500 },
        { epcClass: 'bulk', uom: 'KGM', shipped: 2.5, received: 0 },
        { epcClass: 'lot1', uom: null, shipped: 10, received: 8 },
        { epcClass: 'lot2', uom: null, shipped: 0, received: 1 },
      ],
    });
    expect(isCleanReceipt(diff)).toBe(false);
    expect(isCleanReceipt(reconcileReceipt({ epcs: ['a'], quantities: [] }, { epcs: ['a'], quantities: [] }))).toBe(true);
  });

  it('opens a case for each direction of difference: short quantities with the missing items, excess with the unexpected', () => {
    const shipped = { epcs: ['a'], quantities: [{ epcClass: 'lot1', quantity: 10, uom: null }] };
    expect(receiptCases(shipped, { epcs: ['a'], quantities: [{ epcClass: 'lot1', quantity: 8, uom: null }] })).toEqual([
      { category: CaseCategory.DATA_WITHOUT_PRODUCT, items: [], quantities: [{ epcClass: 'lot1', uom: null, shipped: 10, received: 8 }] },
    ]);
    expect(
      receiptCases(shipped, {
        epcs: ['b'],
        quantities: [
          { epcClass: 'lot1', quantity: 10, uom: null },
          { epcClass: 'lot2', quantity: 3, uom: null },
        ],
      }),
    ).toEqual([
      { category: CaseCategory.DATA_WITHOUT_PRODUCT, items: [{ epc: 'a', note: 'missing' }], quantities: [] },
      {
        category: CaseCategory.PRODUCT_WITHOUT_DATA,
        items: [{ epc: 'b', note: 'unexpected' }],
        quantities: [{ epcClass: 'lot2', uom: null, shipped: 0, received: 3 }],
      },
    ]);
    expect(receiptCases(shipped, shipped)).toEqual([]);
  });

  it('missing ∪ received ∖ unexpected is what was shipped (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ maxLength: 3 })), fc.uniqueArray(fc.string({ maxLength: 3 })), (shipped, received) => {
        const d = reconcileReceipt({ epcs: shipped, quantities: [] }, { epcs: received, quantities: [] });
        const rebuilt = new Set([...d.missing, ...received.filter((e) => !d.unexpected.includes(e))]);
        expect([...rebuilt].sort()).toEqual([...shipped].sort());
      }),
    );
  });
});
