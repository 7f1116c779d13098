import { INestApplication } from '@nestjs/common';
import { createOrganization, gql, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';

const GTIN = withCheckDigit('0061414107346');
const pack = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
const OPEN = `mutation($input: OpenCaseInput!) { openCase(input: $input) { id number } }`;
const ACT = `mutation($id: ID!, $input: CaseActionInput!) { caseAction(id: $id, input: $input) { state } }`;
const LIST = `query($filter: CaseFilter) { cases(filter: $filter) { edges { node { number state } } } }`;
const COUNTS = `{ caseCounts { open investigating escalated unresolved overdue regulatorOverdue resolved resolutions { resolution count } } }`;

/** Issue 17, the pages' queries: cases by pack (the scanner asks after every verdict) and the dashboards' counts. */
describe('exception case lists by pack, and case counts', () => {
  let app: INestApplication;
  const keys: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const numbers: Record<string, number> = {};
  // The server stands at a moment the test moves, so that grace periods run out without waiting days.
  let now = new Date('2026-11-30T08:00:00Z');
  afterAll(() => app?.close());
  const dbUrl = useDatabase();

  const run = async (who: string, query: string, variables: Record<string, unknown> = {}) => gql(app, query, variables, keys[who]);
  const listed = async (who: string, filter: Record<string, unknown>) => {
    const res = await run(who, LIST, { filter });
    expect(res.errors).toBeUndefined();
    return res.data.cases.edges.map((e: any) => e.node.number);
  };
  const counts = async (who: string) => {
    const res = await run(who, COUNTS);
    expect(res.errors).toBeUndefined();
    return res.data.caseCounts;
  };

  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }), { clock: () => now });
    const orgs = [
      ['maker', 'ACME Pharma', 'MANUFACTURER', '061414100001'],
      ['wholesaler', 'Wholesale Ltd', 'DISTRIBUTOR', '061414100002'],
      ['pharmacy', 'Corner Pharmacy', 'DISPENSER', '061414100003'],
      ['othermaker', 'Other Maker', 'MANUFACTURER', '061414200001'],
      ['regulator', 'Agency', 'REGULATOR', '061414100999'],
    ] as const;
    const prefixes: Record<string, string[]> = { maker: ['0614141'], othermaker: ['0614142'] };
    for (const [who, name, role, gln] of orgs) {
      const created = await createOrganization(app, { name, role, gln: withCheckDigit(gln), companyPrefixes: prefixes[who] ?? [] });
      keys[who] = created.apiKey;
      ids[who] = created.id;
    }
    const open = async (name: string, who: string, epcs: string[], counterparty: string) => {
      const res = await run(who, OPEN, { input: { category: 'SUSPECT_PRODUCT', summary: name, epcs, counterparty: ids[counterparty] } });
      expect(res.errors).toBeUndefined();
      numbers[name] = res.data.openCase.number;
      return res.data.openCase.id as string;
    };
    // A (Monday) runs out of grace on Thursday; B, C, D open on Friday, their grace lasting past the weekend.
    await open('A', 'pharmacy', [pack('P1'), pack('P2')], 'maker');
    now = new Date('2026-12-04T08:00:00Z');
    const b = await open('B', 'pharmacy', [pack('P1')], 'wholesaler');
    const c = await open('C', 'wholesaler', [pack('P3')], 'maker');
    const d = await open('D', 'maker', [pack('P4')], 'wholesaler');
    const act = async (who: string, id: string, input: Record<string, unknown>) =>
      expect((await run(who, ACT, { id, input })).errors).toBeUndefined();
    await act('pharmacy', b, { action: 'RESOLVE', resolution: 'CLEARED' });
    await act('maker', c, { action: 'INVESTIGATE' });
    await act('wholesaler', d, { action: 'ESCALATE' });
    await act('regulator', d, { action: 'RESOLVE', resolution: 'ILLEGITIMATE' });
  });

  it('lists the cases holding a pack, named in any of its forms, and only those the caller sees', async () => {
    expect(await listed('regulator', { epc: pack('P1') })).toEqual([numbers.B, numbers.A]);
    expect(await listed('regulator', { epc: 'urn:epc:id:sgtin:0614141.007346.P1', open: true })).toEqual([numbers.A]);
    expect(await listed('regulator', { epc: pack('P1'), open: false })).toEqual([numbers.B]);
    expect(await listed('pharmacy', { epc: pack('P1'), open: true })).toEqual([numbers.A]);
    // The wholesaler is party to B only: A, which holds the same pack, stays unseen.
    expect(await listed('wholesaler', { epc: pack('P1') })).toEqual([numbers.B]);
    expect(await listed('pharmacy', { epc: pack('P3') })).toEqual([]);
    expect(await listed('regulator', { epc: pack('P9') })).toEqual([]);
  });

  it('combines the pack with the other filters, and lists unresolved cases alone', async () => {
    expect(await listed('regulator', { open: true })).toEqual([numbers.C, numbers.A]);
    expect(await listed('regulator', { open: true, overdue: true })).toEqual([numbers.A]);
    // The maker is a party to D; B, between the pharmacy and the wholesaler, is about its pack P1.
    expect(await listed('maker', { open: false })).toEqual([numbers.D, numbers.B]);
    expect(await listed('regulator', { epc: pack('P4'), state: ['RESOLVED'] })).toEqual([numbers.D]);
  });

  it('refuses a malformed pack in the filter, naming the field', async () => {
    const res = await run('pharmacy', LIST, { filter: { epc: 'not a pack' } });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'INVALID_CASE', details: { field: 'filter.epc' } });
  });

  it('counts by state, overdue and resolution, scoped as the list is', async () => {
    const resolutions = (cleared: number, technical: number, illegitimate: number) => [
      { resolution: 'CLEARED', count: cleared },
      { resolution: 'TECHNICAL_CAUSE', count: technical },
      { resolution: 'ILLEGITIMATE', count: illegitimate },
    ];
    expect(await counts('regulator')).toEqual({
      open: 1,
      investigating: 1,
      escalated: 0,
      unresolved: 2,
      overdue: 1,
      regulatorOverdue: 0,
      resolved: 2,
      resolutions: resolutions(1, 0, 1),
    });
    // Its own cases (A, C, D) and B, about its product.
    expect(await counts('maker')).toEqual({
      open: 1,
      investigating: 1,
      escalated: 0,
      unresolved: 2,
      overdue: 1,
      regulatorOverdue: 0,
      resolved: 2,
      resolutions: resolutions(1, 0, 1),
    });
    expect(await counts('othermaker')).toMatchObject({ unresolved: 0, resolved: 0 });
    expect(await counts('pharmacy')).toMatchObject({ unresolved: 1, overdue: 1, resolved: 1, resolutions: resolutions(1, 0, 0) });
    // Overdue follows the clock: a week later C is past its grace too.
    now = new Date('2026-12-11T08:00:00Z');
    expect(await counts('wholesaler')).toMatchObject({ open: 0, investigating: 1, overdue: 1, resolved: 2 });
    // D's regulator filing was due 24 hours after its determination, and none was recorded.
    expect(await counts('regulator')).toMatchObject({ regulatorOverdue: 1 });
  });

  it("shows the product's manufacturer the 24-hour clock of a case between others about its product, and counts it", async () => {
    const opened = await run('pharmacy', OPEN, {
      input: { category: 'PACKAGING_OR_LABELLING', summary: 'E', epcs: [pack('P6')], counterparty: ids.wholesaler },
    });
    const id = opened.data.openCase.id;
    numbers.E = opened.data.openCase.number;
    expect((await run('pharmacy', ACT, { id, input: { action: 'RESOLVE', resolution: 'ILLEGITIMATE' } })).errors).toBeUndefined();
    const CLOCK = `query($id: ID!) { case(id: $id) { viewerRole state resolution regulatorDueAt regulatorOverdue } }`;
    const clock = async (who: string) => (await run(who, CLOCK, { id })).data?.case;
    expect(await clock('maker')).toEqual({
      viewerRole: 'PRODUCT_OWNER',
      state: 'RESOLVED',
      resolution: 'ILLEGITIMATE',
      regulatorDueAt: new Date(now.getTime() + 24 * 3_600_000).toISOString(),
      regulatorOverdue: false,
    });
    expect(await clock('othermaker')).toBeUndefined();
    now = new Date(now.getTime() + 25 * 3_600_000);
    expect(await clock('maker')).toMatchObject({ regulatorOverdue: true });
    expect(await listed('maker', { regulatorOverdue: true })).toEqual([numbers.E, numbers.D]);
    expect(await counts('maker')).toMatchObject({
      regulatorOverdue: 2,
      resolutions: expect.arrayContaining([{ resolution: 'ILLEGITIMATE', count: 2 }]),
    });
    // The pharmacy files: the clock stops for the manufacturer too.
    expect((await run('pharmacy', ACT, { id, input: { action: 'RECORD_FILING', message: 'IN-1' } })).errors).toBeUndefined();
    expect(await clock('maker')).toMatchObject({ regulatorOverdue: false });
    expect(await counts('maker')).toMatchObject({ regulatorOverdue: 1 });
  });

  it('lists to each organization exactly the cases the visibility rule lets it read one by one', async () => {
    const all = (await run('regulator', `{ cases(first: 500) { edges { node { id } } } }`)).data.cases.edges.map((e: any) => e.node.id);
    for (const who of ['maker', 'othermaker', 'wholesaler', 'pharmacy', 'regulator']) {
      const res = await run(who, `{ cases(first: 500) { edges { node { id } } } }`);
      const inList = res.data.cases.edges.map((e: any) => e.node.id).sort();
      const readable: string[] = [];
      for (const id of all) if (!(await run(who, `query($id: ID!) { case(id: $id) { id } }`, { id })).errors) readable.push(id);
      expect([who, inList]).toEqual([who, readable.sort()]);
      // Counted as listed.
      const c = await counts(who);
      expect([who, c.unresolved + c.resolved]).toEqual([who, inList.length]);
    }
  });

  it('records a case opened from the scan page as coming from a scan', async () => {
    const res = await run('pharmacy', `mutation($input: OpenCaseInput!) { openCase(input: $input) { source } }`, {
      input: { category: 'SUSPECT_PRODUCT', summary: 'Unknown pack', epcs: [pack('P5')], source: 'SCAN' },
    });
    expect(res.data.openCase.source).toBe('SCAN');
    const bad = await run('pharmacy', OPEN, { input: { category: 'DATA_ISSUE', summary: 'x', source: 'RECEIPT' } });
    expect(bad.errors?.[0].message).toMatch(/OpenCaseSource/);
  });
});
