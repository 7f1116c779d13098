import fc from 'fast-check';
import {
  addBusinessDays,
  CaseAction,
  CaseCategory,
  CaseRefusal,
  CaseResolution,
  caseRole,
  CaseRole,
  CaseState,
  CaseView,
  decideCaseAction,
  isCleanReceipt,
  quarantines,
  reconcileReceipt,
  regulatorNotificationDue,
} from './exception-case';

const open = (over: Partial<CaseView> = {}): CaseView => ({
  reporterId: 'pharmacy',
  counterpartyId: 'wholesaler',
  state: CaseState.OPEN,
  resolution: null,
  category: CaseCategory.PRODUCT_WITHOUT_DATA,
  ...over,
});

describe('exception cases', () => {
  it('knows who is acting: reporter, counterparty, regulator, outsider', () => {
    expect(caseRole(open(), 'pharmacy', false)).toBe('REPORTER');
    expect(caseRole(open(), 'wholesaler', false)).toBe('COUNTERPARTY');
    expect(caseRole(open(), 'anyone', true)).toBe('REGULATOR');
    expect(caseRole(open(), 'maker', false)).toBe('OUTSIDER');
    expect(caseRole(open({ counterpartyId: null }), 'maker', false)).toBe('OUTSIDER');
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
    const roles: CaseRole[] = ['REPORTER', 'COUNTERPARTY', 'REGULATOR', 'OUTSIDER'];
    const actions: fc.Arbitrary<CaseAction> = fc.oneof(
      fc.constant<CaseAction>({ kind: 'INVESTIGATE' }),
      fc.constant<CaseAction>({ kind: 'ESCALATE' }),
      fc.constant<CaseAction>({ kind: 'REOPEN' }),
      fc.constant<CaseAction>({ kind: 'COMMENT' }),
      fc.constant<CaseAction>({ kind: 'RECORD_FILING' }),
      fc.constantFrom(...Object.values(CaseResolution)).map((resolution): CaseAction => ({ kind: 'RESOLVE', resolution })),
    );
    const model = (state: CaseState, action: CaseAction, role: CaseRole, resolution: CaseResolution | null): CaseState | CaseRefusal => {
      if (role === 'OUTSIDER') return CaseRefusal.NOT_A_PARTY;
      if (action.kind === 'RECORD_FILING') {
        if (resolution !== CaseResolution.ILLEGITIMATE) return CaseRefusal.WRONG_STATE;
        return role === 'COUNTERPARTY' ? CaseRefusal.REPORTER_OR_REGULATOR : state;
      }
      const table: Record<Exclude<CaseAction['kind'], 'RECORD_FILING'>, Partial<Record<CaseState, CaseState>>> = {
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

  it('reconciles a receipt: missing, unexpected and quantity differences, each listed', () => {
    const diff = reconcileReceipt(
      { epcs: ['a', 'b', 'c'], quantities: new Map([['lot1', 10]]) },
      {
        epcs: ['b', 'c', 'd'],
        quantities: new Map([
          ['lot1', 8],
          ['lot2', 1],
        ]),
      },
    );
    expect(diff).toEqual({
      missing: ['a'],
      unexpected: ['d'],
      quantities: [
        { epcClass: 'lot1', shipped: 10, received: 8 },
        { epcClass: 'lot2', shipped: 0, received: 1 },
      ],
    });
    expect(isCleanReceipt(diff)).toBe(false);
    expect(isCleanReceipt(reconcileReceipt({ epcs: ['a'], quantities: new Map() }, { epcs: ['a'], quantities: new Map() }))).toBe(true);
  });

  it('missing ∪ received ∖ unexpected is what was shipped (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ maxLength: 3 })), fc.uniqueArray(fc.string({ maxLength: 3 })), (shipped, received) => {
        const d = reconcileReceipt({ epcs: shipped, quantities: new Map() }, { epcs: received, quantities: new Map() });
        const rebuilt = new Set([...d.missing, ...received.filter((e) => !d.unexpected.includes(e))]);
        expect([...rebuilt].sort()).toEqual([...shipped].sort());
      }),
    );
  });
});
