import { INestApplication } from '@nestjs/common';
import { commissioningEvent, epcisDocument } from '@pharmatrace/epcis';
import { CAPTURE, createOrganization, gql, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';

const GTIN = withCheckDigit('0061414107346');
const pack = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
const CASE_FIELDS = `id number category state resolution summary overdue quarantining graceUntil regulatorDueAt resolvedAt
  reporter { name } counterparty { name } packs { epc }
  history { action fromState toState resolution message attachments actor { name } }`;
const OPEN = `mutation($input: OpenCaseInput!) { openCase(input: $input) { ${CASE_FIELDS} } }`;
const ACT = `mutation($id: ID!, $input: CaseActionInput!) { caseAction(id: $id, input: $input) { ${CASE_FIELDS} } }`;
const GET = `query($id: ID!) { case(id: $id) { ${CASE_FIELDS} } }`;
const LIST = `query($filter: CaseFilter) { cases(filter: $filter) { edges { node { number state } } pageInfo { hasNextPage hasPreviousPage } } }`;

/** Issue 17: a case walked from opening to an illegitimate resolution by the parties and the regulator, through GraphQL and SQL. */
describe('exception cases', () => {
  let app: INestApplication;
  const keys: Record<string, string> = {};
  const ids: Record<string, string> = {};
  afterAll(() => app?.close());
  const dbUrl = useDatabase();

  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
    const orgs = [
      ['maker', 'ACME Pharma', 'MANUFACTURER', '061414100001'],
      ['wholesaler', 'Wholesale Ltd', 'DISTRIBUTOR', '061414100002'],
      ['pharmacy', 'Corner Pharmacy', 'DISPENSER', '061414100003'],
      ['outsider', 'Other Pharmacy', 'DISPENSER', '061414100004'],
      ['regulator', 'Agency', 'REGULATOR', '061414100999'],
    ] as const;
    for (const [who, name, role, gln] of orgs) {
      const created = await createOrganization(app, {
        name,
        role,
        gln: withCheckDigit(gln),
        companyPrefixes: who === 'maker' ? ['0614141'] : [],
      });
      keys[who] = created.apiKey;
      ids[who] = created.id;
    }
    const made = await gql(
      app,
      CAPTURE,
      {
        document: epcisDocument([
          commissioningEvent({
            eventTime: new Date('2026-11-30T08:00:00Z'),
            epcs: [pack('C1'), pack('C2')],
            lot: 'L1',
            expiry: '2028-06-30',
          }),
        ]),
      },
      keys.maker,
    );
    expect(made.errors).toBeUndefined();
  });

  const run = async (who: string, query: string, variables: Record<string, unknown>) => gql(app, query, variables, keys[who]);

  it('walks a case from opening to an illegitimate resolution, each change by whom it may be made', async () => {
    const opened = await run('pharmacy', OPEN, {
      input: {
        category: 'PRODUCT_WITHOUT_DATA',
        summary: 'Two packs arrived without data',
        epcs: [pack('C1'), 'urn:epc:id:sgtin:0614141.007346.C2'],
        counterparty: ids.wholesaler,
      },
    });
    expect(opened.errors).toBeUndefined();
    const c = opened.data.openCase;
    expect(c).toMatchObject({
      category: 'PRODUCT_WITHOUT_DATA',
      state: 'OPEN',
      resolution: null,
      quarantining: true,
      overdue: false,
      reporter: { name: 'Corner Pharmacy' },
      counterparty: { name: 'Wholesale Ltd' },
      packs: [{ epc: pack('C1') }, { epc: pack('C2') }],
    });
    // Three business days, whatever the weekday it opened on.
    expect(new Date(c.graceUntil).getTime() - Date.now()).toBeGreaterThan(3 * 86_400_000 - 60_000);

    // Nobody else learns it exists; both parties, the regulator and the packs' manufacturer read it.
    expect((await run('outsider', GET, { id: c.id })).errors?.[0].extensions?.code).toBe('CASE_NOT_FOUND');
    for (const who of ['pharmacy', 'wholesaler', 'regulator', 'maker'])
      expect((await run(who, GET, { id: c.id })).data.case.number).toBe(c.number);

    const act = (who: string, input: Record<string, unknown>) => run(who, ACT, { id: c.id, input });
    expect((await act('wholesaler', { action: 'INVESTIGATE', message: 'Checking our ASN' })).data.caseAction.state).toBe('INVESTIGATING');
    expect((await act('pharmacy', { action: 'RESOLVE' })).errors?.[0].extensions).toMatchObject({
      code: 'INVALID_CASE',
      details: { field: 'resolution', rule: 'required' },
    });
    expect((await act('pharmacy', { action: 'COMMENT', attachments: ['photo.jpg'] })).errors?.[0].extensions).toMatchObject({
      code: 'INVALID_CASE',
      details: { field: 'attachments.0', rule: 'sha256' },
    });
    const photo = `sha256:${'ab'.repeat(32)}`;
    expect((await act('pharmacy', { action: 'ESCALATE', message: 'Labels look wrong', attachments: [photo] })).data.caseAction.state).toBe(
      'ESCALATED',
    );
    expect((await act('wholesaler', { action: 'RESOLVE', resolution: 'CLEARED' })).errors?.[0].extensions).toMatchObject({
      code: 'CASE_ACTION_REFUSED',
      details: { rule: 'REGULATOR_ONLY', state: 'ESCALATED' },
    });
    // The manufacturer reads the case, and acts on nothing: it is not a party.
    expect((await act('maker', { action: 'COMMENT', message: 'hello' })).errors?.[0].extensions).toMatchObject({
      code: 'CASE_ACTION_REFUSED',
      details: { rule: 'PARTIES_ONLY' },
    });
    expect((await act('outsider', { action: 'COMMENT', message: 'hello' })).errors?.[0].extensions?.code).toBe('CASE_NOT_FOUND');

    const before = Date.now();
    const resolved = (await act('regulator', { action: 'RESOLVE', resolution: 'ILLEGITIMATE', message: 'Counterfeit confirmed' })).data
      .caseAction;
    expect(resolved).toMatchObject({ state: 'RESOLVED', resolution: 'ILLEGITIMATE', quarantining: true });
    expect(new Date(resolved.regulatorDueAt).getTime()).toBeGreaterThanOrEqual(before + 24 * 3_600_000 - 1_000);
    expect(resolved.history).toEqual([
      {
        action: null,
        fromState: null,
        toState: 'OPEN',
        resolution: null,
        message: 'Two packs arrived without data',
        attachments: [],
        actor: { name: 'Corner Pharmacy' },
      },
      {
        action: 'INVESTIGATE',
        fromState: 'OPEN',
        toState: 'INVESTIGATING',
        resolution: null,
        message: 'Checking our ASN',
        attachments: [],
        actor: { name: 'Wholesale Ltd' },
      },
      {
        action: 'ESCALATE',
        fromState: 'INVESTIGATING',
        toState: 'ESCALATED',
        resolution: null,
        message: 'Labels look wrong',
        attachments: [photo],
        actor: { name: 'Corner Pharmacy' },
      },
      {
        action: 'RESOLVE',
        fromState: 'ESCALATED',
        toState: 'RESOLVED',
        resolution: 'ILLEGITIMATE',
        message: 'Counterfeit confirmed',
        attachments: [],
        actor: { name: 'Agency' },
      },
    ]);
    expect((await act('regulator', { action: 'RESOLVE', resolution: 'CLEARED' })).errors?.[0].extensions?.details.rule).toBe('WRONG_STATE');

    // The packs' manufacturer follows the 24-hour clock, the state and the packs: not what the parties wrote.
    const asMaker = (await run('maker', GET, { id: c.id })).data.case;
    expect(asMaker).toMatchObject({ state: 'RESOLVED', resolution: 'ILLEGITIMATE', regulatorDueAt: resolved.regulatorDueAt });
    expect(asMaker.packs).toEqual(resolved.packs);
    expect(asMaker.history.map((e: any) => [e.action, e.message, e.attachments])).toEqual([
      [null, null, []],
      ['INVESTIGATE', null, []],
      ['ESCALATE', null, []],
      ['RESOLVE', null, []],
    ]);
    const makerCounts = (await run('maker', `{ caseCounts { resolved regulatorOverdue resolutions { resolution count } } }`, {})).data
      .caseCounts;
    expect(makerCounts).toMatchObject({ resolved: 1, regulatorOverdue: 0 });
    expect((await run('outsider', `{ caseCounts { resolved } }`, {})).data.caseCounts.resolved).toBe(0);

    // The audit log carries each change with its actor.
    const audit = await run(
      'regulator',
      `{ auditLog(first: 20, subjectId: "${c.id}") { edges { node { action actorOrganizationId } } } }`,
      {},
    );
    expect(audit.data.auditLog.edges.map((e: any) => e.node.action)).toEqual([
      'case.resolve',
      'case.escalate',
      'case.investigate',
      'case.open',
    ]);
  });

  it('lists cases to their parties and every case to a regulator, filtered by state', async () => {
    await run('maker', OPEN, { input: { category: 'DATA_ISSUE', summary: 'Maker-only case' } });
    const mine = (await run('pharmacy', LIST, {})).data.cases.edges.map((e: any) => e.node.state);
    expect(mine).toEqual(['RESOLVED']);
    // The manufacturer: its own case, and the pharmacy's about its packs.
    expect((await run('maker', LIST, {})).data.cases.edges.map((e: any) => e.node.state)).toEqual(['OPEN', 'RESOLVED']);
    expect((await run('outsider', LIST, {})).data.cases.edges).toEqual([]);
    const all = (await run('regulator', LIST, {})).data.cases.edges;
    expect(all).toHaveLength(2);
    const open = (await run('regulator', LIST, { filter: { state: ['OPEN'] } })).data.cases.edges;
    expect(open.map((e: any) => e.node.state)).toEqual(['OPEN']);
  });

  it('each party names its owner of the case, recorded in the history and the audit log; the regulator and the manufacturer cannot', async () => {
    const OWNERS = `id reporterOwner { name title email phone } counterpartyOwner { name title email phone }
      history { action ownerSide owner { name title email phone } actor { name } }`;
    const opened = await run('pharmacy', `mutation($input: OpenCaseInput!) { openCase(input: $input) { ${OWNERS} } }`, {
      input: { category: 'SUSPECT_PRODUCT', summary: 'Seal broken', epcs: [pack('C2')], counterparty: ids.wholesaler },
    });
    const id = opened.data.openCase.id;
    expect(opened.data.openCase).toMatchObject({ reporterOwner: null, counterpartyOwner: null });
    const assign = (who: string, input: Record<string, unknown>) =>
      run(who, `mutation($id: ID!, $input: CaseActionInput!) { caseAction(id: $id, input: $input) { ${OWNERS} } }`, { id, input });

    const dana = { name: ' Dana Reyes ', title: 'Pharmacist in charge', email: 'dana@corner.example', phone: '' };
    const mine = (await assign('pharmacy', { action: 'ASSIGN_OWNER', owner: dana })).data.caseAction;
    // Trimmed; an empty member is no member.
    expect(mine.reporterOwner).toEqual({ name: 'Dana Reyes', title: 'Pharmacist in charge', email: 'dana@corner.example', phone: null });
    expect(mine.counterpartyOwner).toBeNull();
    const theirs = (await assign('wholesaler', { action: 'ASSIGN_OWNER', owner: { name: 'Lee Chan', phone: '+1 555 0100 ext. 12' } })).data
      .caseAction;
    expect(theirs.counterpartyOwner).toEqual({ name: 'Lee Chan', title: null, email: null, phone: '+1 555 0100 ext. 12' });
    expect(theirs.reporterOwner.name).toBe('Dana Reyes');
    // Renamed by its party: the case shows the latest, the history each.
    const renamed = (await assign('pharmacy', { action: 'ASSIGN_OWNER', owner: { name: 'Sam Ortiz' } })).data.caseAction;
    expect(renamed.reporterOwner).toEqual({ name: 'Sam Ortiz', title: null, email: null, phone: null });
    expect(renamed.history.map((e: any) => [e.action, e.ownerSide, e.owner?.name ?? null, e.actor.name])).toEqual([
      [null, null, null, 'Corner Pharmacy'],
      ['ASSIGN_OWNER', 'REPORTER', 'Dana Reyes', 'Corner Pharmacy'],
      ['ASSIGN_OWNER', 'COUNTERPARTY', 'Lee Chan', 'Wholesale Ltd'],
      ['ASSIGN_OWNER', 'REPORTER', 'Sam Ortiz', 'Corner Pharmacy'],
    ]);

    for (const who of ['regulator', 'maker'])
      expect((await assign(who, { action: 'ASSIGN_OWNER', owner: { name: 'X' } })).errors?.[0].extensions).toMatchObject({
        code: 'CASE_ACTION_REFUSED',
        details: { rule: 'PARTIES_ONLY' },
      });
    const refused = async (input: Record<string, unknown>) => (await assign('pharmacy', input)).errors?.[0].extensions?.details;
    expect(await refused({ action: 'ASSIGN_OWNER' })).toMatchObject({ field: 'owner', rule: 'required' });
    expect(await refused({ action: 'ASSIGN_OWNER', owner: { name: '  ' } })).toMatchObject({ field: 'owner.name', rule: 'required' });
    expect(await refused({ action: 'ASSIGN_OWNER', owner: { name: 'A', email: 'not mail' } })).toMatchObject({
      field: 'owner.email',
      rule: 'email',
    });
    expect(await refused({ action: 'ASSIGN_OWNER', owner: { name: 'A', phone: 'call me' } })).toMatchObject({
      field: 'owner.phone',
      rule: 'phone',
    });
    expect(await refused({ action: 'COMMENT', owner: { name: 'A' } })).toMatchObject({ field: 'owner', rule: 'only-with-assign-owner' });

    // The manufacturer of the pack reads the case, not who owns it on either side.
    const asMaker = (await run('maker', `query($id: ID!) { case(id: $id) { viewerRole ${OWNERS} } }`, { id })).data.case;
    expect(asMaker).toMatchObject({ viewerRole: 'PRODUCT_OWNER', reporterOwner: null, counterpartyOwner: null });
    expect(asMaker.history.map((e: any) => [e.action, e.ownerSide, e.owner])).toEqual([
      [null, null, null],
      ['ASSIGN_OWNER', 'REPORTER', null],
      ['ASSIGN_OWNER', 'COUNTERPARTY', null],
      ['ASSIGN_OWNER', 'REPORTER', null],
    ]);
    const audit = await run('regulator', `{ auditLog(first: 20, subjectId: "${id}") { edges { node { action after } } } }`, {});
    expect(audit.data.auditLog.edges.map((e: any) => [e.node.action, e.node.after.ownerSide ?? null])).toEqual([
      ['case.assign_owner', 'REPORTER'],
      ['case.assign_owner', 'COUNTERPARTY'],
      ['case.assign_owner', 'REPORTER'],
      ['case.open', null],
    ]);
  });

  it('refuses a case naming a malformed pack or an unknown counterparty, naming the field', async () => {
    expect(
      (await run('pharmacy', OPEN, { input: { category: 'DATA_ISSUE', summary: 'x', epcs: ['nope'] } })).errors?.[0].extensions,
    ).toMatchObject({
      code: 'INVALID_CASE',
      details: { field: 'epcs.0' },
    });
    expect(
      (await run('pharmacy', OPEN, { input: { category: 'DATA_ISSUE', summary: 'x', counterparty: '0000000000000' } })).errors?.[0]
        .extensions,
    ).toMatchObject({
      code: 'INVALID_CASE',
      details: { field: 'counterparty', rule: 'registered' },
    });
    expect((await run('regulator', OPEN, { input: { category: 'DATA_ISSUE', summary: 'x' } })).errors?.[0].extensions?.code).toBe(
      'FORBIDDEN',
    );
  });
});
