import { INestApplication } from '@nestjs/common';
import { commissioningEvent, epcisDocument } from '@pharmatrace/epcis';
import { appLoginUrl, ensureAppLogin } from '@pharmatrace/persistence';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { statusOf } from '../../apps/api/src/common/error-status';
import {
  ADD_LICENCE,
  ADMIN_TOKEN,
  CAPTURE,
  createOrganization,
  gql,
  startApi,
  testConfig,
  useDatabase,
  withCheckDigit,
} from '../support/platform';

const GTIN = withCheckDigit('0061414107346');
const pack = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
const AUDIT_LOG = `query($first: Int, $after: String, $action: String, $subjectId: String) {
  auditLog(first: $first, after: $after, action: $action, subjectId: $subjectId) {
    edges { cursor node { id at actorKind actorOrganizationId action subjectType subjectId before after } } pageInfo { hasNextPage endCursor } } }`;

/** Issue 13: the application acts as a role that cannot edit the record, and every administrative action is audited. */
describe('least privilege and the audit log', () => {
  let app: INestApplication;
  const orgs: Record<string, { apiKey: string; id: string }> = {};
  const dbUrl = useDatabase();
  afterAll(() => app?.close());

  /** A connection with exactly the rights the API and worker have. */
  const asApp = async <T>(fn: (c: Client) => Promise<T>): Promise<T> => {
    const c = new Client({ connectionString: dbUrl(), options: '-c role=pharmatrace_app' });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  const asOwner = async <T>(fn: (c: Client) => Promise<T>): Promise<T> => {
    const c = new Client({ connectionString: dbUrl() });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  const refusal = (run: Promise<unknown>) =>
    run.then(
      () => ({ code: 'none', message: '' }),
      (e: { code: string; message: string }) => ({ code: e.code, message: e.message }),
    );
  const entries = async (vars: Record<string, unknown>) => {
    const res = await gql(app, AUDIT_LOG, { first: 100, ...vars }, orgs.regulator.apiKey);
    expect(res.errors).toBeUndefined();
    return res.data.auditLog.edges.map((e: any) => e.node).reverse();
  };

  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
    orgs.regulator = await createOrganization(app, { name: 'Medicines Agency', role: 'REGULATOR', gln: withCheckDigit('061414100009') });
    orgs.maker = await createOrganization(app, {
      name: 'ACME Pharma',
      role: 'MANUFACTURER',
      gln: withCheckDigit('061414100001'),
      companyPrefixes: ['0614141'],
    });
    orgs.wholesaler = await createOrganization(app, { name: 'Wholesale Ltd', role: 'DISTRIBUTOR', gln: withCheckDigit('061414100002') });
    const made = await gql(
      app,
      CAPTURE,
      {
        document: epcisDocument([
          commissioningEvent({
            eventTime: new Date(Date.UTC(2026, 10, 1, 8)),
            epcs: [pack('P1'), pack('P2')],
            lot: 'L1',
            expiry: '2028-06-30',
          }),
        ]),
      },
      orgs.maker.apiKey,
    );
    expect(made.errors).toBeUndefined();
  });

  it('runs the API as the application role, not as the login that owns the schema', async () => {
    const [who] = await app.get(DataSource).query(`SELECT current_user, session_user`);
    expect(who).toEqual({ current_user: 'pharmatrace_app', session_user: 'postgres' });
  });

  it("makes the apps' login (npm start, compose) one that holds nothing but the role: after RESET ROLE it still cannot edit the record or the schema", async () => {
    const appUrl = appLoginUrl(dbUrl(), 'pharmatrace_app');
    // Twice: every start runs it.
    await ensureAppLogin(dbUrl(), appUrl, 'pharmatrace_app');
    await ensureAppLogin(dbUrl(), appUrl, 'pharmatrace_app');
    await expect(ensureAppLogin(dbUrl(), dbUrl(), 'pharmatrace_app')).rejects.toThrow(/not the owner/);
    const c = new Client({ connectionString: appUrl });
    await c.connect();
    try {
      // What code inside a compromised process could send.
      await c.query('RESET ROLE');
      const [who] = (
        await c.query(`SELECT current_user, session_user, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user`)
      ).rows;
      expect(who).toEqual({
        current_user: 'pharmatrace_app_login',
        session_user: 'pharmatrace_app_login',
        rolsuper: false,
        rolcreaterole: false,
        rolcreatedb: false,
      });
      expect((await c.query(`SELECT count(*)::int AS n FROM event`)).rows[0].n).toBe(1);
      for (const sql of [
        `UPDATE event SET body = '{}'`,
        `DELETE FROM event`,
        `SELECT * FROM migrations`,
        `CREATE TABLE intruder (id int)`,
        `SET ROLE postgres`,
      ]) {
        expect([sql, (await refusal(c.query(sql))).code]).toEqual([sql, '42501']);
      }
    } finally {
      await c.end();
    }
  });

  it('lets the application role insert and read, and refuses it every UPDATE and DELETE of the record (42501)', async () => {
    await asApp(async (c) => {
      const inserted = await c.query(`INSERT INTO alert (code, details) VALUES ('TEST', '{}') RETURNING id`);
      expect(inserted.rowCount).toBe(1);
      expect((await c.query(`SELECT count(*)::int AS n FROM event`)).rows[0].n).toBe(1);
      const refused = {
        updateEvent: await refusal(c.query(`UPDATE event SET body = '{}'`)),
        deleteEvent: await refusal(c.query(`DELETE FROM event`)),
        truncateEvent: await refusal(c.query(`TRUNCATE event CASCADE`)),
        deleteEventEpc: await refusal(c.query(`DELETE FROM event_epc`)),
        deleteAlert: await refusal(c.query(`DELETE FROM alert`)),
        updateAlert: await refusal(c.query(`UPDATE alert SET code = 'X'`)),
        updateAuditLog: await refusal(c.query(`UPDATE audit_log SET actor_kind = 'operator', actor_org_id = NULL`)),
        deleteAuditLog: await refusal(c.query(`DELETE FROM audit_log`)),
        // Capture's hot tables name organizations without a foreign key: none may go (1766400000000).
        deleteOrganization: await refusal(c.query(`DELETE FROM organization`)),
        truncateOrganization: await refusal(c.query(`TRUNCATE organization CASCADE`)),
        migrations: await refusal(c.query(`SELECT * FROM migrations`)),
      };
      for (const [what, outcome] of Object.entries(refused)) expect([what, outcome.code]).toEqual([what, '42501']);
      expect(refused.updateEvent.message).toBe('permission denied for table event');
    });
  });

  it('refuses even the owner an edit of an event or a deletion from an append-only table (the triggers)', async () => {
    await asOwner(async (c) => {
      const edit = await refusal(c.query(`UPDATE event SET body = jsonb_set(body, '{bizStep}', '"shipping"')`));
      expect(edit).toEqual({
        code: '42501',
        message: expect.stringMatching(/^UPDATE on event \d+: only batch_id, leaf_index, signature_id may be set, once$/),
      });
      expect(await refusal(c.query(`DELETE FROM event`))).toEqual({ code: '42501', message: 'DELETE on event: the table is append-only' });
      expect(await refusal(c.query(`UPDATE audit_log SET action = 'x'`))).toEqual({
        code: '42501',
        message: 'UPDATE on audit_log: the table is append-only',
      });
      expect(await refusal(c.query(`TRUNCATE alert`))).toEqual({ code: '42501', message: 'TRUNCATE on alert: the table is append-only' });
    });
    // Sealing still sets a batch once, as the worker does; a second assignment is an edit.
    await asApp(async (c) => {
      const [{ id }] = (await c.query(`SELECT id FROM event ORDER BY id LIMIT 1`)).rows;
      const [{ id: batchId }] = (
        await asOwner((o) =>
          o.query(`INSERT INTO anchor_batch (status, root, leaf_count, nodes) VALUES ('SEALED', $1, 1, $1) RETURNING id`, [
            Buffer.alloc(32, 1),
          ]),
        )
      ).rows;
      expect((await c.query(`UPDATE event SET batch_id = $2, leaf_index = 0 WHERE id = $1`, [id, batchId])).rowCount).toBe(1);
      expect((await refusal(c.query(`UPDATE event SET leaf_index = 1 WHERE id = $1`, [id]))).code).toBe('42501');
    });
  });

  it('records the operator creating an organization, without its key', async () => {
    const [created] = await entries({ action: 'organization.create', subjectId: orgs.maker.id });
    expect(created).toMatchObject({ actorKind: 'operator', actorOrganizationId: null, subjectType: 'organization', before: null });
    expect(created.after).toEqual({
      id: orgs.maker.id,
      name: 'ACME Pharma',
      role: 'MANUFACTURER',
      gln: withCheckDigit('061414100001'),
      companyPrefixes: ['0614141'],
    });
    expect(Date.parse(created.at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('records API keys created, rotated and revoked, by whom, and never their secrets', async () => {
    const created = await gql(app, `mutation { createApiKey(name: "line 2") { apiKey key { id } } }`, {}, orgs.wholesaler.apiKey);
    expect(created.errors).toBeUndefined();
    const { apiKey: secret, key } = created.data.createApiKey;
    const rotated = await gql(
      app,
      `mutation($id: ID!) { rotateApiKey(id: $id, graceSeconds: 60) { apiKey key { id } } }`,
      { id: key.id },
      orgs.wholesaler.apiKey,
    );
    expect(rotated.errors).toBeUndefined();
    const next = rotated.data.rotateApiKey;
    const revoked = await gql(app, `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: next.key.id }, ADMIN_TOKEN);
    expect(revoked.errors).toBeUndefined();

    const log = [...(await entries({ subjectId: key.id })), ...(await entries({ subjectId: next.key.id }))];
    expect(log.map((e: any) => [e.action, e.actorKind, e.actorOrganizationId])).toEqual([
      ['api_key.create', 'organization', orgs.wholesaler.id],
      ['api_key.rotate', 'organization', orgs.wholesaler.id],
      ['api_key.revoke', 'operator', null],
    ]);
    expect(log[1].after).toMatchObject({ status: 'ROTATED', replacedBy: next.key.id });
    expect(JSON.stringify(log)).not.toContain(secret);
    expect(JSON.stringify(log)).not.toContain(next.apiKey);
  });

  it('keeps the first recall on the lot and each recall with its own actor in the log', async () => {
    const recall = (who: string, reason: string) =>
      gql(
        app,
        `mutation($g: String!, $r: String!) { recallLot(gtin: $g, lot: "L1", reason: $r) { packs } }`,
        { g: GTIN, r: reason },
        orgs[who].apiKey,
      );
    expect((await recall('maker', 'sterility')).errors).toBeUndefined();
    expect((await recall('regulator', 'counterfeit reports')).errors).toBeUndefined();
    const [row] = await asOwner(
      async (c) => (await c.query(`SELECT reason, changed_by FROM lot WHERE gtin = $1 AND lot = 'L1'`, [GTIN])).rows,
    );
    expect(row).toEqual({ reason: 'sterility', changed_by: orgs.maker.id });
    const [first, second] = await entries({ action: 'lot.recall', subjectId: `01/${GTIN}/10/L1` });
    expect(first).toMatchObject({ actorKind: 'organization', actorOrganizationId: orgs.maker.id, subjectType: 'lot', before: null });
    expect(first.after).toMatchObject({
      status: 'RECALLED',
      reason: 'sterility',
      changedBy: orgs.maker.id,
      recall: { reason: 'sterility', packs: 2, custodiansAlerted: 1 },
    });
    expect(second).toMatchObject({
      actorOrganizationId: orgs.regulator.id,
      before: { status: 'RECALLED', reason: 'sterility', changedBy: orgs.maker.id },
    });
    expect(second.after).toMatchObject({ changedBy: orgs.maker.id, recall: { reason: 'counterfeit reports' } });
  });

  it('records a product withdrawal with the status before and after', async () => {
    const res = await gql(
      app,
      `mutation($g: String!) { withdrawProduct(gtin: $g, reason: "market exit") }`,
      { g: GTIN },
      orgs.maker.apiKey,
    );
    expect(res.data.withdrawProduct).toBe(true);
    const [entry] = await entries({ action: 'product.withdraw' });
    expect(entry).toMatchObject({ actorOrganizationId: orgs.maker.id, subjectType: 'product', subjectId: `01/${GTIN}` });
    expect(entry.before).toMatchObject({ status: 'ACTIVE', reason: null });
    expect(entry.after).toMatchObject({ status: 'WITHDRAWN', reason: 'market exit' });
  });

  it('records a lock of a pack', async () => {
    const locked = await gql(app, `mutation($c: String!) { lock(code: $c) { status } }`, { c: pack('P2') }, orgs.maker.apiKey);
    expect(locked.errors).toBeUndefined();
    const [entry] = await entries({ action: 'pack.lock' });
    expect(entry).toMatchObject({ actorOrganizationId: orgs.maker.id, subjectType: 'pack', after: { status: locked.data.lock.status } });
    expect(entry.subjectId).toContain('P2');
    expect(entry.before.status).not.toBe(entry.after.status);
  });

  it('records licences declared, verified and rejected, and read grants given and revoked', async () => {
    const input = {
      type: 'Wholesale',
      issuingAuthority: 'Board',
      number: 'W-1',
      validFrom: '2000-01-01T00:00:00Z',
      validUntil: '2100-01-01T00:00:00Z',
    };
    const id = (await gql(app, ADD_LICENCE, { input }, orgs.wholesaler.apiKey)).data.addLicence.id;
    await gql(app, `mutation($id: ID!) { verifyLicence(id: $id) { id } }`, { id }, orgs.regulator.apiKey);
    await gql(app, `mutation($id: ID!) { rejectLicence(id: $id, reason: "lapsed") { id } }`, { id }, orgs.regulator.apiKey);
    const [added, verified, rejected] = await entries({ subjectId: id });
    expect(added).toMatchObject({
      action: 'licence.add',
      actorOrganizationId: orgs.wholesaler.id,
      before: null,
      after: { number: 'W-1', verifiedBy: null },
    });
    expect(verified).toMatchObject({
      action: 'licence.verify',
      actorOrganizationId: orgs.regulator.id,
      before: { verifiedBy: null },
      after: { verifiedBy: orgs.regulator.id },
    });
    expect(rejected).toMatchObject({
      action: 'licence.reject',
      before: { verifiedBy: orgs.regulator.id },
      after: { verifiedBy: null, rejectionReason: 'lapsed' },
    });

    const granted = await gql(
      app,
      `mutation($i: GrantReadAccessInput!) { grantReadAccess(input: $i) { id } }`,
      { i: { grantee: orgs.wholesaler.id, gtin: GTIN, validUntil: '2100-01-01T00:00:00Z' } },
      orgs.maker.apiKey,
    );
    expect(granted.errors).toBeUndefined();
    const grantId = granted.data.grantReadAccess.id;
    expect(
      (await gql(app, `mutation($id: ID!) { revokeReadAccess(id: $id) { id } }`, { id: grantId }, orgs.maker.apiKey)).errors,
    ).toBeUndefined();
    const [given, revoked] = await entries({ subjectId: grantId });
    expect(given).toMatchObject({
      action: 'grant.create',
      actorOrganizationId: orgs.maker.id,
      subjectType: 'read_grant',
      before: null,
      after: { granteeId: orgs.wholesaler.id },
    });
    expect(revoked).toMatchObject({ action: 'grant.revoke', before: { revokedBy: null }, after: { revokedBy: orgs.maker.id } });
  });

  // GraphQL answers HTTP 200 with the code in extensions; statusOf gives the status the code stands for (and REST answers).
  it('serves the log to regulators only, newest first, page by page', async () => {
    for (const [token, code, status] of [
      [orgs.maker.apiKey, 'FORBIDDEN', 403],
      [orgs.wholesaler.apiKey, 'FORBIDDEN', 403],
      [ADMIN_TOKEN, 'FORBIDDEN', 403],
      [undefined, 'UNAUTHENTICATED', 401],
    ] as const) {
      const res = await gql(app, AUDIT_LOG, { first: 1 }, token);
      expect([res.errors?.[0].extensions?.code, res.status, statusOf(code), res.data?.auditLog ?? null]).toEqual([code, 200, status, null]);
    }
    const first = await gql(app, AUDIT_LOG, { first: 1 }, orgs.regulator.apiKey);
    const next = await gql(app, AUDIT_LOG, { first: 1, after: first.data.auditLog.pageInfo.endCursor }, orgs.regulator.apiKey);
    expect(first.data.auditLog.pageInfo.hasNextPage).toBe(true);
    expect(Number(next.data.auditLog.edges[0].node.id)).toBeLessThan(Number(first.data.auditLog.edges[0].node.id));
    for (const vars of [{ first: 0 }, { first: 501 }, { after: 'bm90LWEtY3Vyc29y' }]) {
      const bad = await gql(app, AUDIT_LOG, vars, orgs.regulator.apiKey);
      expect([bad.errors?.[0].extensions?.code, bad.status, statusOf('INVALID_AUDIT_LOG_QUERY')]).toEqual([
        'INVALID_AUDIT_LOG_QUERY',
        200,
        400,
      ]);
    }
  });
});
